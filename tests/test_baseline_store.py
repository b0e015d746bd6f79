"""Storing the champion's baseline: the gate report's figures, a version that has one kept, and
evaluation rows changed since the gate refused with both digests."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.adapters.mlflow_registry import Registry, VersionInfo
from mlci.baseline import BASELINE_TAG
from mlci.baseline_store import figures_of, store_baseline
from mlci.config_load import LoadedConfig, load_config
from mlci.data.digest import file_digest
from mlci.errors import RefusedError
from mlci.results import CheckResult, GateReport, JsonValue, Provenance, Status, StepResult

VERSION = VersionInfo(name="m", version="2", source="models:/m/2")


def report(*checks: CheckResult, eval_digest: str | None = None) -> GateReport:
    data = {} if eval_digest is None else {"eval_data": eval_digest}
    provenance = Provenance(git_sha=None, config_digest="sha256:c", mlci_version="0",
                            created_at="2026-12-01T12:00:00+00:00", data=data)  # fmt: skip
    return GateReport(steps=(StepResult(name="regress", checks=checks),), provenance=provenance)


def check(
    id_: str, title: str, observed: JsonValue = None, details: dict[str, JsonValue] | None = None
) -> CheckResult:
    return CheckResult(id=id_, title=title, status=Status.PASS, message="", observed=observed,
                       details=details or {})  # fmt: skip


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedConfig:
    (tmp_path / "eval.csv").write_text("x,target\n1,0\n2,1\n")
    (tmp_path / "mlci.yaml").write_text(
        "model: {name: m, task: binary, candidate: models/c, eval_data: eval.csv}\n"
    )
    return load_config(tmp_path / "mlci.yaml")


def test_the_figures_are_the_regress_checks_of_the_report() -> None:
    gate = report(
        check("metric", "accuracy", observed=0.93),
        check("metric", "f1", observed=None),  # not computed: not recorded
        check("latency", "Latency", details={"candidate": {"p95_ms": 4.2}}),
        check("predictions", "Prediction sanity"),
    )
    assert figures_of(gate) == {
        "metrics": {"accuracy": 0.93}, "latency": {"p95_ms": 4.2}, "predictions_check": "pass"
    }  # fmt: skip
    empty = GateReport(steps=(), provenance=report().provenance)
    assert figures_of(empty) == {"metrics": {}}


def test_a_version_with_a_baseline_keeps_it(registry: Registry, loaded: LoadedConfig) -> None:
    tagged = VersionInfo(name="m", version="2", source="s", tags={BASELINE_TAG: "run1"})
    assert store_baseline(loaded=loaded, registry=registry, version=tagged, report=report()) is None


def test_evaluation_rows_changed_since_the_gate_are_refused(
    registry: Registry, loaded: LoadedConfig
) -> None:
    eval_data = loaded.root / "eval.csv"
    now = file_digest(eval_data)
    with pytest.raises(RefusedError) as caught:
        store_baseline(loaded=loaded, registry=registry, version=VERSION,
                       report=report(eval_digest="sha256:old"))  # fmt: skip
    assert str(caught.value) == (
        f"refusing to store the baseline: {eval_data} changed since the gate ran "
        f"(report sha256:old, now {now}); run the gate again"
    )
