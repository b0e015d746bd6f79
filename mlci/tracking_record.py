"""The evaluation as an MLflow run: both models' metrics, the differences, the report as files.

The run is tagged with the candidate (URI, digest, version) and the champion, so it shows in the
MLflow UI next to the registration runs of the same experiment. What is recorded is decided here;
the tracking adapter only writes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from mlci.provenance import step_report
from mlci.results import CheckResult, ModelRef, StepResult

if TYPE_CHECKING:
    from mlci.config_load import LoadedConfig
    from mlci.ports import TrackingStore

EVALUATION_EXPERIMENT = "mlci"  # the registry's experiment: beside the registration runs


class Evaluation(Protocol):
    """What the regress step hands over (mlci.model.regress.RegressOutcome)."""

    @property
    def step(self) -> StepResult: ...
    @property
    def candidate(self) -> ModelRef: ...
    @property
    def champion(self) -> ModelRef | None: ...
    @property
    def eval_digest(self) -> str: ...


def log_evaluation(
    *, loaded: LoadedConfig, outcome: Evaluation, tracking: TrackingStore | None = None
) -> str:
    """Log the evaluation; return the run id. Tracking failures are ServiceErrors (exit 3)."""
    from mlci.report.render import render_markdown

    if tracking is None:
        from mlci.wiring import tracking_for

        tracking = tracking_for(loaded.tracking_uri)
    report = step_report(
        loaded,
        outcome.step,
        candidate=outcome.candidate,
        champion=outcome.champion,
        data={"eval_data": outcome.eval_digest},
    )
    return tracking.log_run(
        experiment=EVALUATION_EXPERIMENT,
        name=f"mlci-regress-{loaded.require_model().name}",
        metrics=evaluation_metrics(outcome.step.checks),
        tags=evaluation_tags(outcome),
        texts={
            "mlci-regress-report.json": report.dumps(),
            "mlci-regress-report.md": render_markdown(report),
        },
    )


def evaluation_tags(outcome: Evaluation) -> dict[str, str]:
    champion = outcome.champion
    tags = {
        "mlci.kind": "evaluation",
        "mlci.status": outcome.step.status.value,
        "mlci.eval_data_digest": outcome.eval_digest,
        "mlci.candidate.uri": outcome.candidate.uri,
        "mlci.candidate.digest": outcome.candidate.digest or "",
        "mlci.candidate.version": outcome.candidate.version or "",
        "mlci.champion.uri": champion.uri if champion else "",
        "mlci.champion.version": (champion.version or "") if champion else "",
    }
    return {k: v for k, v in tags.items() if v}


def evaluation_metrics(checks: tuple[CheckResult, ...]) -> Iterator[tuple[str, float]]:
    """candidate/<m>, champion/<m>, delta/<m>, ci_low/<m>, ci_high/<m>; slices: slice/<c=v>/..."""
    for check in checks:
        if check.id not in ("metric", "metric_slice"):
            continue
        prefix = "" if check.id == "metric" else f"slice/{check.details.get('slice')}/"
        for field in ("candidate", "champion", "delta", "ci_low", "ci_high"):
            value = check.details.get(field)
            if isinstance(value, (int, float)):
                yield f"{prefix}{field}/{check.title}", float(value)
    for check in checks:
        if check.id == "latency":
            for role in ("candidate", "champion"):
                found = check.details.get(role)
                if isinstance(found, dict):
                    yield f"latency/{role}/p50_ms", float(found["p50_ms"])
                    yield f"latency/{role}/p95_ms", float(found["p95_ms"])
        elif check.id == "size":
            yield "size/candidate_mb", float(check.details["candidate_mb"])
        elif check.id == "mcnemar":
            yield "mcnemar/p_value", float(check.details["p_value"])
