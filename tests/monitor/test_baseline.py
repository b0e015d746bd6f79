"""mlci/baseline.py: what promote stores with the champion, and `data.reference: champion`."""

from __future__ import annotations

import json

from mlci.adapters.mlflow_registry import Registry
from mlci.baseline import BASELINE_TAG, load_baseline
from tests.conftest import Project
from tests.monitor.conftest import MODEL


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
