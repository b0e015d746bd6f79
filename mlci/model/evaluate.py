"""The regress step's checks, in report order, from what the one pass over the rows produced.

Prediction sanity first (NaN or inf skips every metric), then each metric with its interval and
rule, McNemar, each slice (worst first), latency and size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlci.config import MetricRule, ModelConfig, Task
from mlci.errors import InputError
from mlci.model.bootstrap import compare
from mlci.model.checks import (
    Latency,
    Sanity,
    latency_check,
    mcnemar_check,
    non_finite,
    predictions_check,
    size_check,
)
from mlci.model.encode import encode
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import Metric
from mlci.model.predict import Raw
from mlci.model.rules import judge, scored
from mlci.model.slices import slice_checks
from mlci.model.stream import Streamed
from mlci.results import CheckResult, Status

if TYPE_CHECKING:
    import numpy.typing as npt

Rules = Sequence[tuple[Metric, MetricRule]]


def evaluate(
    cfg: ModelConfig, rules: Rules, streamed: Streamed, label: str
) -> tuple[CheckResult, ...]:
    """Every check of the regress step, in the order the report shows them."""
    names = ("candidate", "champion")[: len(streamed.raws)]
    sanity = [
        Sanity(name=n, non_finite=non_finite(r.values, r.proba))
        for r, n in zip(streamed.raws, names, strict=True)
    ]
    rows = len(streamed.label)
    operational = _operational(cfg, streamed)
    if any(s.non_finite for s in sanity):
        skipped = tuple(
            _not_computed(m, r, cfg, "the predictions hold NaN or inf") for m, r in rules
        )
        return (predictions_check(sanity, rows, cfg.allow_new_classes, ""), *skipped, *operational)
    target, outputs = encode(cfg.task, label, streamed.label, streamed.raws, streamed.names)
    if cfg.task is not Task.REGRESSION:
        sanity[0] = _new_classes(sanity[0], target, outputs, streamed.raws)
    versus = (
        "the evaluation labels and the champion" if len(outputs) > 1 else "the evaluation labels"
    )
    first = predictions_check(sanity, rows, cfg.allow_new_classes, versus)
    _require_proba(rules, outputs, names)
    metrics = [m for m, _ in rules]
    champion = outputs[1] if len(outputs) > 1 else None
    paired = compare(metrics, target, outputs[0], champion, cfg=cfg.bootstrap)
    overall = tuple(judge(s) for s in scored(rules, paired, cfg.bootstrap.confidence, strict=True))
    mcnemar = _mcnemar(cfg, target, outputs)
    sliced = slice_checks(cfg, rules, streamed.slices, target, outputs)
    return (first, *overall, *mcnemar, *sliced, *operational)


def _new_classes(
    sanity: Sanity, target: Target, outputs: Sequence[Outputs], raws: Sequence[Raw]
) -> Sanity:
    """Classes the candidate predicts that are neither in the evaluation labels nor the champion's.

    The champion's classes are those it predicted here and those it was fitted on (classes_).
    """
    import numpy as np

    def present(codes: npt.NDArray[Any]) -> list[object]:
        # Codes index target.classes: counting them is one pass, np.unique a hash or a sort.
        counts = np.bincount(codes, minlength=target.n_classes)
        return [target.classes[i] for i in np.flatnonzero(counts).tolist()]

    known = set(present(target.y))
    if len(outputs) > 1:
        known |= set(present(outputs[1].pred))
        known |= set(raws[1].classes)
    predicted = present(outputs[0].pred)
    new = tuple(c for c in predicted if c not in known)
    return Sanity(name=sanity.name, non_finite=0, new_classes=new)


def _require_proba(rules: Rules, outputs: Sequence[Outputs], names: Sequence[str]) -> None:
    for metric, _ in rules:
        for out, role in zip(outputs, names, strict=True):
            if metric.needs_proba and out.proba is None:
                raise InputError(
                    f"model.metrics.{metric.name}: the {role} predicts labels only; "
                    f"{metric.name} needs probabilities (log it with "
                    "pyfunc_predict_fn='predict_proba' or use a classifier with predict_proba)"
                )


def _not_computed(metric: Metric, rule: MetricRule, cfg: ModelConfig, why: str) -> CheckResult:
    return CheckResult(
        id="metric",
        title=metric.name,
        status=Status.SKIP,
        message=f"{metric.name}: not computed: {why}",
        details={
            "metric": metric.name,
            "candidate": None,
            "champion": None,
            "delta": None,
            "higher_is_better": metric.higher_is_better,
            "ci_low": None,
            "ci_high": None,
            "confidence": cfg.bootstrap.confidence,
            "decision": rule.decision,
        },
    )


def _mcnemar(
    cfg: ModelConfig, target: Target, outputs: Sequence[Outputs]
) -> tuple[CheckResult, ...]:
    if cfg.task is Task.REGRESSION or len(outputs) < 2:
        return ()
    return (
        mcnemar_check(
            outputs[0].pred == target.y, outputs[1].pred == target.y, cfg.bootstrap.confidence
        ),
    )


def _operational(cfg: ModelConfig, streamed: Streamed) -> tuple[CheckResult, ...]:
    latencies = [Latency.of(r.timings) for r in streamed.raws]
    champ_lat = latencies[1] if len(latencies) > 1 else None
    champ_mb = streamed.sizes_mb[1] if len(streamed.sizes_mb) > 1 else None
    return (
        latency_check(latencies[0], champ_lat, streamed.batch_rows, cfg.latency),
        size_check(streamed.sizes_mb[0], champ_mb, cfg.size),
    )
