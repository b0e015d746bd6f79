"""mlci/tracking_record.py: what the evaluation's MLflow run records (the run itself, logged by a
real regress, is checked in tests/model/test_regress.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mlci.results import CheckResult, ModelRef, Status, StepResult
from mlci.tracking_record import evaluation_metrics, evaluation_tags
from tests.report.samples import metric


@dataclass(frozen=True)
class Outcome:
    step: StepResult
    candidate: ModelRef
    champion: ModelRef | None
    eval_digest: str


def test_metrics_slices_latency_size_and_mcnemar_become_run_metrics() -> None:
    checks = (
        metric("f1", Status.PASS, 0.9, 0.8, ci_low=0.05, ci_high=0.15),
        replace(metric("f1", Status.WARN, 0.7, None, slice="site=a"), id="metric_slice"),
        CheckResult(
            "latency", "prediction latency", Status.PASS, "ok", details={
                "candidate": {"p50_ms": 1.0, "p95_ms": 2.0}, "champion": None,
            }
        ),
        CheckResult("size", "model size", Status.PASS, "ok", details={"candidate_mb": 3}),
        CheckResult("mcnemar", "McNemar", Status.PASS, "ok", details={"p_value": 0.5}),
        CheckResult("predictions", "sanity", Status.PASS, "ok", details={"candidate": 1.0}),
    )  # fmt: skip
    assert list(evaluation_metrics(checks)) == [
        ("candidate/f1", 0.9),
        ("champion/f1", 0.8),
        ("delta/f1", 0.9 - 0.8),
        ("ci_low/f1", 0.05),
        ("ci_high/f1", 0.15),
        ("slice/site=a/candidate/f1", 0.7),
        ("latency/candidate/p50_ms", 1.0),
        ("latency/candidate/p95_ms", 2.0),
        ("size/candidate_mb", 3.0),
        ("mcnemar/p_value", 0.5),
    ]


def test_tags_name_both_models_and_leave_out_what_is_unknown() -> None:
    step = StepResult(name="regress", checks=(metric("f1", Status.FAIL, 0.7, 0.8),))
    candidate = ModelRef(name="m", uri="models/m", version=None, digest="sha256:ab")
    outcome = Outcome(step, candidate, ModelRef("m", "models:/m/1", "1"), "sha256:cd")
    assert evaluation_tags(outcome) == {
        "mlci.kind": "evaluation",
        "mlci.status": "fail",
        "mlci.eval_data_digest": "sha256:cd",
        "mlci.candidate.uri": "models/m",
        "mlci.candidate.digest": "sha256:ab",
        "mlci.champion.uri": "models:/m/1",
        "mlci.champion.version": "1",
    }
