"""mlci/baseline.py: what promote stores with the champion, and `data.reference: champion`."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from mlci.adapters.mlflow_registry import Registry, VersionInfo
from mlci.baseline import BASELINE_TAG, Baseline, load_baseline
from mlci.data.profile import profile_table
from mlci.errors import InputError
from tests.conftest import Project
from tests.monitor.conftest import MODEL, promoted, promoted_once

__all__ = ["promoted", "promoted_once"]  # fixtures of tests/monitor/conftest.py, used here


def test_promote_stores_the_baseline_with_the_version(promoted: Project) -> None:
    registry = Registry(promoted.tracking_uri)
    version = registry.version(MODEL, "2")
    assert BASELINE_TAG in version.tags
    baseline = load_baseline(registry, version)
    assert "target" not in baseline.features.columns
    assert "mean_radius" in baseline.features.columns
    assert list(baseline.predictions.columns) == ["prediction"]
    assert baseline.predictions.rows == baseline.features.rows
    assert baseline.reference is not None and baseline.reference.rows > baseline.features.rows
    assert set(baseline.metrics) == {"accuracy", "f1", "roc_auc"}
    assert baseline.classes == (0, 1)
    assert baseline.figures["task"] == "binary"
    # v1 has its own, distinct baseline run
    assert registry.version(MODEL, "1").tags[BASELINE_TAG] != version.tags[BASELINE_TAG]


def test_validate_reads_the_reference_stored_with_the_champion(promoted: Project) -> None:
    config = promoted.config()
    config["data"]["reference"] = "champion"
    promoted.write_config(config)
    result = promoted.mlci("validate")
    assert result.code == 0, result.text
    notes = json.loads((promoted.root / "mlci-report.json").read_text())["steps"][0]["notes"]
    assert any(
        n.startswith(f"reference: the reference stored with models:/{MODEL}/2 (") for n in notes
    )


def test_a_version_without_a_baseline_says_how_to_attach_one(registry: Registry) -> None:
    bare = VersionInfo(name="m", version="3", source="models:/m/3")
    with pytest.raises(InputError) as caught:
        load_baseline(registry, bare)
    assert str(caught.value) == (
        "models:/m/3: no stored baseline (promoted before mlci stored one); attach it by "
        "running `mlci gate` then `mlci promote` for this version again"
    )


def test_metrics_and_classes_come_from_the_figures() -> None:
    empty = profile_table(pa.table({"x": [1.0]}))
    stored = Baseline(version="2", features=empty, predictions=empty, reference=None,
                      figures={"metrics": {"accuracy": 0.9}, "classes": [0, 1]})  # fmt: skip
    assert (stored.metrics, stored.classes) == ({"accuracy": 0.9}, (0, 1))
    bare = Baseline(version="2", features=empty, predictions=empty, reference=None)
    assert (bare.metrics, bare.classes) == ({}, ())
