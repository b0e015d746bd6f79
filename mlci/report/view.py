"""What every renderer shows, read once from a GateReport: rows, not formats.

Check details are written by other steps and grow over time (confidence intervals, slices,
drift scores), so every key is optional here: a missing key renders as "—", never as an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlci.results import CheckResult, GateReport, Status, StepResult

METRIC_IDS = ("metric",)
SLICE_IDS = ("metric_slice",)
DRIFT_IDS = ("drift",)


@dataclass(frozen=True)
class MetricRow:
    name: str
    status: Status
    candidate: float | None
    champion: float | None
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float | None
    rule: str
    higher_is_better: bool | None
    message: str


@dataclass(frozen=True)
class SliceRow:
    column: str
    slice: str
    metric: str
    rows: int | None
    status: Status
    candidate: float | None
    champion: float | None
    delta: float | None
    message: str


@dataclass(frozen=True)
class DriftRow:
    column: str
    score: float | None
    warn_at: float | None
    threshold: float | None
    method: str | None
    status: Status
    message: str


@dataclass(frozen=True)
class StepView:
    name: str
    status: Status
    seconds: float
    notes: tuple[str, ...]
    counts: str
    metrics: tuple[MetricRow, ...]
    slices: tuple[SliceRow, ...]
    drift: tuple[DriftRow, ...]
    problems: tuple[CheckResult, ...]
    passing: tuple[CheckResult, ...]
    series: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

    @property
    def slice_failed(self) -> bool:
        return any(s.status.blocks for s in self.slices)


@dataclass(frozen=True)
class ReportView:
    report: GateReport
    steps: tuple[StepView, ...]
    worst: tuple[tuple[str, CheckResult], ...]


def build_view(report: GateReport) -> ReportView:
    steps = tuple(_step_view(s) for s in report.steps)
    return ReportView(report=report, steps=steps, worst=worst_checks(report))


def ordered_checks(checks: Sequence[CheckResult]) -> list[CheckResult]:
    """Failing checks on top, then warnings, then the rest in their own order."""
    return sorted(checks, key=lambda c: -c.status.severity)


def worst_checks(
    report: GateReport, limit: int | None = None
) -> tuple[tuple[str, CheckResult], ...]:
    """(step, check) for every failed, errored or warning check, the worst first."""
    found = [
        (s.name, c)
        for s in report.steps
        for c in s.checks
        if c.status.severity >= Status.WARN.severity
    ]
    found.sort(key=lambda item: -item[1].status.severity)
    return tuple(found[:limit] if limit is not None else found)


def counts(step: StepResult) -> str:
    by: dict[str, int] = {}
    for check in ordered_checks(step.checks):
        by[check.status.value] = by.get(check.status.value, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in by.items()) or "no checks"


def _step_view(step: StepResult) -> StepView:
    metrics = tuple(_metric(c) for c in step.checks if c.id in METRIC_IDS)
    slices = tuple(_slice(c) for c in ordered_checks(step.checks) if c.id in SLICE_IDS)
    per_column = [c for c in step.checks if c.id in DRIFT_IDS and c.column is not None]
    drift = tuple(sorted((_drift(c) for c in per_column), key=_drift_order))
    special = METRIC_IDS + SLICE_IDS
    rest = [c for c in ordered_checks(step.checks) if c.id not in special and c not in per_column]
    return StepView(
        name=step.name,
        status=step.status,
        seconds=step.seconds,
        notes=step.notes,
        counts=counts(step),
        metrics=metrics,
        slices=slices,
        drift=drift,
        problems=tuple(c for c in rest if c.status is not Status.PASS),
        passing=tuple(c for c in rest if c.status is Status.PASS),
        series=step.series,
    )


def _metric(check: CheckResult) -> MetricRow:
    d = check.details
    hib = d.get("higher_is_better")
    return MetricRow(
        name=str(d.get("metric") or check.title),
        status=check.status,
        candidate=number(d.get("candidate", check.observed)),
        champion=number(d.get("champion")),
        delta=number(d.get("delta")),
        ci_low=number(d.get("ci_low")),
        ci_high=number(d.get("ci_high")),
        confidence=number(d.get("confidence")),
        rule=describe_rule(check.expected),
        higher_is_better=hib if isinstance(hib, bool) else None,
        message=check.message,
    )


def _slice(check: CheckResult) -> SliceRow:
    d = check.details
    rows = d.get("rows")
    column = check.column or str(d.get("column") or "—")
    value = str(d.get("slice", "—"))
    # regress writes "column=value"; the column has its own cell.
    value = value[len(column) + 1 :] if value.startswith(f"{column}=") else value
    return SliceRow(
        column=column,
        slice=value,
        metric=str(d.get("metric") or check.title),
        rows=rows if isinstance(rows, int) and not isinstance(rows, bool) else None,
        status=check.status,
        candidate=number(d.get("candidate", check.observed)),
        champion=number(d.get("champion")),
        delta=number(d.get("delta")),
        message=check.message,
    )


def _drift(check: CheckResult) -> DriftRow:
    """observed is the score, or {"method", "value"}; expected a bound, or {"warn", "fail"}."""
    observed = check.observed if isinstance(check.observed, Mapping) else {"value": check.observed}
    expected = check.expected if isinstance(check.expected, Mapping) else {}
    method = observed.get("method") or check.details.get("method")
    return DriftRow(
        column=check.column or check.title,
        score=number(observed.get("value", observed.get("score"))),
        warn_at=number(expected.get("warn")),
        threshold=threshold(check.expected),
        method=_text(method),
        status=check.status,
        message=check.message,
    )


def _drift_order(row: DriftRow) -> tuple[int, float]:
    return (-row.status.severity, -(row.score if row.score is not None else -math.inf))


def number(value: Any) -> float | None:
    """A finite number, or None for anything else (missing, text, NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def threshold(expected: Any) -> float | None:
    if isinstance(expected, Mapping):
        for key in ("fail", "max", "threshold", "limit"):
            if key in expected:
                return number(expected[key])
        return None
    return number(expected)


DECISIONS = {"ci": "on the CI", "point": "on the point estimate", "strict": "CI within margin"}


def describe_rule(expected: Any) -> str:
    """{"min": 0.85, "decision": "ci"} -> "min 0.85 · on the CI"."""
    if expected is None or expected == {}:
        return "—"
    if not isinstance(expected, Mapping):
        return _fmt_plain(expected)
    parts = [f"{k} {_fmt_plain(v)}" for k, v in expected.items() if k != "decision"]
    decision = expected.get("decision")
    if decision is not None and len(parts) > 0:
        parts.append(DECISIONS.get(str(decision), str(decision)))
    return " · ".join(parts) or "—"


def _fmt_plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
