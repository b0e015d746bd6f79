"""The monitor's checks, each on the window's profiles and figures against the champion's baseline.

Ids: feature_drift (one per feature, and the share of drifted features), prediction_drift,
latency_p50, latency_p95, error_rate, volume, performance (one per metric rule of regress).
Drift is validate's own code path (mlci/data/drift.py) on the baseline's bins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from statistics import median
from typing import Any

from mlci.baseline import PREDICTION, Baseline
from mlci.config import MetricRule, ModelConfig, MonitorConfig
from mlci.data.drift import check_drift
from mlci.monitor.logs import Window
from mlci.results import CheckResult, Status


def feature_drift(window: Window, baseline: Baseline, cfg: MonitorConfig) -> list[CheckResult]:
    assert window.features is not None
    found = check_drift(window.features, baseline.features, cfg.drift)
    return [replace(c, id="feature_drift") for c in found]


def prediction_drift(window: Window, baseline: Baseline, cfg: MonitorConfig) -> CheckResult:
    assert window.predictions is not None
    found = check_drift(window.predictions, baseline.predictions, cfg.drift)
    column = next(c for c in found if c.column == PREDICTION)
    return replace(column, id="prediction_drift", title="Prediction drift")


def latency(window: Window, cfg: MonitorConfig, history: Sequence[float]) -> list[CheckResult]:
    import numpy as np

    if cfg.latency.column is None:
        return []
    values = window.latencies_ms
    if len(values) == 0:
        return [_skip("latency_p95", "Latency p95", "no latency values in the window")]
    p50, p95 = (float(np.percentile(values, q)) for q in (50, 95))
    limit = cfg.latency
    usual = median(history) if history else None
    p95_limits = [x for x in (limit.max_p95_ms,) if x is not None]
    if usual is not None and limit.max_increase_relative is not None:
        p95_limits.append(usual * (1 + limit.max_increase_relative))
    why = f" (median of {len(history)} recorded run(s): {usual:.1f} ms)" if usual else ""
    return [
        _bounded("latency_p50", "Latency p50", p50, limit.max_p50_ms, unit="ms", why=""),
        _bounded(
            "latency_p95", "Latency p95", p95, min(p95_limits, default=None), unit="ms", why=why
        ),
    ]


def error_rate(window: Window, cfg: MonitorConfig) -> list[CheckResult]:
    if cfg.errors.column is None:
        return []
    rate = window.errors / window.rows
    bad = rate > cfg.errors.max_rate
    return [
        CheckResult(
            id="error_rate",
            title="Error rate",
            status=Status.FAIL if bad else Status.PASS,
            message=f"{window.errors:,} of {window.rows:,} requests failed ({rate:.2%}), "
            + ("over" if bad else "within")
            + f" max_rate {cfg.errors.max_rate:.2%}",
            observed=round(rate, 6),
            expected={"max": cfg.errors.max_rate},
            details={"errors": window.errors, "rows": window.rows},
        )
    ]


def volume(window: Window, cfg: MonitorConfig, history: Sequence[float]) -> CheckResult:
    if not history:
        return CheckResult(
            id="volume",
            title="Volume",
            status=Status.PASS,
            message=f"{window.rows:,} rows; no recorded runs yet to compare with",
            observed=window.rows,
        )
    usual = median(history)
    ratio = window.rows / usual if usual else float("inf")
    low, high = cfg.volume.min_ratio, cfg.volume.max_ratio
    status = Status.FAIL if ratio < low else Status.WARN if ratio > high else Status.PASS
    return CheckResult(
        id="volume",
        title="Volume",
        status=status,
        message=f"{window.rows:,} rows, {ratio:.0%} of the usual {usual:,.0f} "
        f"(median of {len(history)} recorded run(s); allowed {low:.0%} to {high:.0%})",
        observed=window.rows,
        expected={"min": round(usual * low, 3), "max": round(usual * high, 3)},
        details={"usual": usual, "ratio": round(ratio, 4)},
    )


def performance(
    window: Window, baseline: Baseline, model: ModelConfig, cfg: MonitorConfig
) -> list[CheckResult]:
    """regress's metric rules, judged on the labelled rows against the champion's figures."""
    if cfg.label is None:
        return []
    rows = window.labelled_rows
    if rows < cfg.min_labels:
        why = f"{rows:,} labelled row(s) in the window, fewer than min_labels {cfg.min_labels}"
        return [_skip("performance", "Performance", why)]
    from mlci.model.rules import Scored, judge
    from mlci.model.scorer import point

    target, outputs, metrics = _encoded(window, baseline, model)
    observed = point([m for m, _ in metrics], target, outputs) if metrics else {}
    out = []
    for metric, rule in metrics:
        recorded = baseline.metrics.get(metric.name)
        scored = Scored(
            metric, replace_rule(rule), observed[metric.name], recorded, None, rows, 0.95
        )
        check = judge(scored)
        message = check.message.replace(FIRST_MODEL_TEXT, "(no figure recorded for the champion)")
        if len(window.labels) < rows:
            message += f"; on a uniform sample of {len(window.labels):,} of the labelled rows"
        out.append(replace(check, id="performance", message=message))
    return out


FIRST_MODEL_TEXT = "(no champion yet: first model)"


def replace_rule(rule: MetricRule) -> MetricRule:
    """Logs give one point estimate per metric: the change rules judge it as such."""
    return rule.model_copy(update={"decision": "point"})


def _encoded(window: Window, baseline: Baseline, model: ModelConfig) -> tuple[Any, Any, list[Any]]:
    import numpy as np

    from mlci.config import Task
    from mlci.model.catalogue import DEFAULT_METRICS
    from mlci.model.encode import distinct
    from mlci.model.kernels import Outputs, Target
    from mlci.model.metrics import metric_for

    rules = dict(model.metrics) or {n: MetricRule() for n in DEFAULT_METRICS[model.task]}
    found = [(metric_for(model.task, n), r) for n, r in rules.items()]
    metrics = [(m, r) for m, r in found if m is not None]
    if model.task is Task.REGRESSION:
        y = np.asarray(window.labels, dtype=np.float64)
        pred = np.asarray(window.labelled_predictions, dtype=np.float64)
        return Target(task=model.task, y=y), Outputs(pred=pred), metrics
    labels, predicted = np.asarray(window.labels), np.asarray(window.labelled_predictions)
    seen_labels, seen_predicted = distinct(labels), distinct(predicted)
    classes = sorted(set(baseline.classes) | {*seen_labels.tolist(), *seen_predicted.tolist()})
    codes = {v: i for i, v in enumerate(classes)}
    y, pred = _codes(labels, seen_labels, codes), _codes(predicted, seen_predicted, codes)
    target = Target(task=model.task, y=y, classes=tuple(classes))
    scores = window.labelled_scores
    if scores is not None and len(classes) == 2:
        # monitor.score is the positive class's probability; the positive class is the last
        # code, as the metrics take it (mlci/model/metrics.py)
        return target, Outputs(pred=pred, proba=np.column_stack([1 - scores, scores])), metrics
    # Without probabilities (no monitor.score, or not binary) ranking metrics cannot be scored.
    return target, Outputs(pred=pred), [(m, r) for m, r in metrics if not m.needs_proba]


def _codes(values: Any, uniques: Any, codes: Mapping[Any, int]) -> Any:
    """Each row's class code, through its distinct values (UNIQUES, sorted: a few classes over
    millions of rows, so the rows are never looped over in Python)."""
    import numpy as np

    table = np.asarray([codes[v] for v in uniques.tolist()], dtype=np.int64)
    return table[np.searchsorted(uniques, values)] if len(table) else np.zeros(0, np.int64)


def history_of(runs: Sequence[Mapping[str, float]], key: str) -> list[float]:
    return [r[key] for r in runs if key in r]


def _bounded(
    check_id: str, title: str, value: float, limit: float | None, *, unit: str, why: str
) -> CheckResult:
    bad = limit is not None and value > limit
    bound = "no limit set" if limit is None else f"limit {limit:.1f} {unit}{why}"
    return CheckResult(
        id=check_id,
        title=title,
        status=Status.FAIL if bad else Status.PASS,
        message=f"{value:.1f} {unit}, " + ("over the " if bad else "") + bound,
        observed=round(value, 3),
        expected=None if limit is None else {"max": round(limit, 3)},
    )


def _skip(check_id: str, title: str, why: str) -> CheckResult:
    return CheckResult(id=check_id, title=title, status=Status.SKIP, message=f"not checked: {why}")
