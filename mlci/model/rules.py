"""Decide one metric: floors on the candidate, the non-inferiority margin on candidate - champion.

Everything is turned into "how much worse than the champion" (positive = worse), whatever the
metric's direction, so one set of comparisons serves accuracy and log_loss alike.

- point:  fail when the estimate is worse than the margin.
- ci:     fail when the whole interval is worse than the margin (worse with confidence), warn when
          the interval straddles it (inconclusive, with the rows that would settle it), else pass.
- strict: pass only when the whole interval is inside the margin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mlci.config import MetricRule
from mlci.errors import InputError
from mlci.model.bootstrap import Interval, Paired
from mlci.model.metrics import Metric
from mlci.results import CheckResult, JsonValue, Status, worst

FIRST_MODEL = "no champion yet: first model (floors apply, change rules skipped)"


@dataclass(frozen=True)
class Scored:
    """One metric on one set of rows (all of them, or a slice)."""

    metric: Metric
    rule: MetricRule
    candidate: float
    champion: float | None
    interval: Interval | None  # of candidate - champion
    rows: int
    confidence: float
    slice_column: str | None = None
    slice_value: object = None

    @property
    def delta(self) -> float | None:
        return None if self.champion is None else self.candidate - self.champion

    def worse(self, change: float) -> float:
        """candidate - champion as 'worse by' (positive = worse), whatever the direction."""
        return -change if self.metric.higher_is_better else change

    @property
    def margin(self) -> float | None:
        """The allowed worsening: the stricter of max_drop and max_drop_relative x |champion|."""
        found = [self.rule.max_drop] if self.rule.max_drop is not None else []
        if self.rule.max_drop_relative is not None and self.champion is not None:
            found.append(self.rule.max_drop_relative * abs(self.champion))
        return min(found) if found else None

    @property
    def where(self) -> str:
        return "" if self.slice_column is None else f" on {self.slice_column}={self.slice_value}"


def scored(
    rules: Sequence[tuple[Metric, MetricRule]],
    paired: Paired,
    confidence: float,
    column: str | None = None,
    value: object = None,
    *,
    strict: bool,
) -> list[Scored]:
    """Each rule's metric from a paired comparison. An undefined metric (one class in the labels)
    is an input error when `strict` (all rows), and left out otherwise (a slice)."""
    out = []
    for metric, rule in rules:
        cand = paired.candidate[metric.name]
        champ = None if paired.champion is None else paired.champion[metric.name]
        if not math.isfinite(cand) or (champ is not None and not math.isfinite(champ)):
            if strict:
                raise InputError(
                    f"model.metrics.{metric.name}: undefined on the evaluation data "
                    "(its labels hold one class)"
                )
            continue
        interval = paired.intervals.get(metric.name)
        out.append(
            Scored(metric, rule, cand, champ, interval, paired.rows, confidence, column, value)
        )
    return out


def judge(s: Scored) -> CheckResult:
    outcomes = [_floor(s), _ceiling(s), _change(s)]
    parts = [text for _, text in outcomes if text]
    applied = [st for st, text in outcomes if text and st is not Status.SKIP]
    status = worst(applied) if applied or not parts else Status.SKIP
    return CheckResult(
        id="metric" if s.slice_column is None else "metric_slice",
        title=s.metric.name,
        status=status,
        message=f"{s.metric.name}{s.where}: {s.candidate:.4f} {_versus(s)}"
        + ("; " + "; ".join(parts) if parts else ""),
        observed=s.candidate,
        expected=_rule_json(s),
        column=s.slice_column,
        details=_details(s),
    )


def _versus(s: Scored) -> str:
    if s.champion is None or s.delta is None:
        return "(no champion yet: first model)"
    text = f"vs champion {s.champion:.4f} (Δ {s.delta:+.4f}"
    if s.interval is not None and s.rule.decision != "point":
        text += f", {_pct(s.confidence)} CI [{s.interval.low:+.4f}, {s.interval.high:+.4f}]"
    return text + f", {s.rows:,} rows)"


def _details(s: Scored) -> dict[str, JsonValue]:
    show = s.interval is not None and s.rule.decision != "point" and s.champion is not None
    details: dict[str, JsonValue] = {
        "metric": s.metric.name,
        "candidate": s.candidate,
        "champion": s.champion,
        "delta": s.delta,
        "higher_is_better": s.metric.higher_is_better,
        "ci_low": s.interval.low if show and s.interval else None,
        "ci_high": s.interval.high if show and s.interval else None,
        "confidence": s.confidence,
        "decision": s.rule.decision,
        "margin": s.margin,
        "rows": s.rows,
    }
    if s.slice_column is not None:
        details["slice"] = f"{s.slice_column}={s.slice_value}"
    return details


def _rule_json(s: Scored) -> dict[str, JsonValue] | None:
    rule = s.rule
    found = {
        "min": rule.min,
        "max": rule.max,
        "max_drop": rule.max_drop,
        "max_drop_relative": rule.max_drop_relative,
    }
    kept: dict[str, JsonValue] = {k: v for k, v in found.items() if v is not None}
    return {**kept, "decision": rule.decision} if kept else None


def _floor(s: Scored) -> tuple[Status, str]:
    if s.rule.min is None:
        return Status.PASS, ""
    if s.candidate < s.rule.min:
        return Status.FAIL, f"below min {s.rule.min:g}"
    return Status.PASS, f"min {s.rule.min:g} met"


def _ceiling(s: Scored) -> tuple[Status, str]:
    if s.rule.max is None:
        return Status.PASS, ""
    if s.candidate > s.rule.max:
        return Status.FAIL, f"above max {s.rule.max:g}"
    return Status.PASS, f"max {s.rule.max:g} met"


def _change(s: Scored) -> tuple[Status, str]:
    if s.rule.max_drop is None and s.rule.max_drop_relative is None:
        return Status.PASS, ""
    margin, delta = s.margin, s.delta
    if margin is None or delta is None:
        return Status.SKIP, "allowed drop skipped: no champion yet"
    if s.rule.decision == "point" or s.interval is None:
        return _change_point(s, delta, margin)
    return _change_interval(s, s.interval, delta, margin)


def _change_point(s: Scored, delta: float, margin: float) -> tuple[Status, str]:
    allowed = f"the allowed drop {margin:.4f}"
    how = "" if s.rule.decision == "point" else " (no interval: point estimate used)"
    if s.worse(delta) > margin:
        return Status.FAIL, f"worse by {s.worse(delta):.4f}, beyond {allowed}{how}"
    return Status.PASS, f"within {allowed}{how}"


def _change_interval(
    s: Scored, interval: Interval, delta: float, margin: float
) -> tuple[Status, str]:
    allowed = f"the allowed drop {margin:.4f}"
    low, high = sorted((s.worse(interval.low), s.worse(interval.high)))
    pct = _pct(s.confidence)
    if high <= margin:
        return Status.PASS, f"within {allowed} with {pct} confidence"
    if s.rule.decision == "strict":
        return (
            Status.FAIL,
            f"not shown within {allowed} at {pct} (strict: the interval reaches {high:+.4f} worse)",
        )
    if low > margin:
        return Status.FAIL, f"worse by {s.worse(delta):.4f}, beyond {allowed} with {pct} confidence"
    return (
        Status.WARN,
        f"inconclusive: the interval straddles {allowed}; {_rows_to_settle(s, low, high, margin)}",
    )


def _rows_to_settle(s: Scored, low: float, high: float, margin: float) -> str:
    """Half-widths shrink like 1/sqrt(rows): the rows after which the interval clears the margin."""
    assert s.delta is not None
    estimate = s.worse(s.delta)
    gap = abs(estimate - margin)
    half = (high - estimate) if estimate <= margin else (estimate - low)
    if gap < 1e-12 or half <= 0:
        return "the estimate sits on the margin, so more rows will not settle it"
    # The interval's ends are estimates too (a finite number of resamples): fewer than about 5%
    # more rows is not a promise worth making, so the suggestion never goes below that.
    floor = max(math.ceil(0.05 * s.rows), 1)
    needed = _two_figures(max(math.ceil(s.rows * (half / gap) ** 2 - 1e-9) - s.rows, floor))
    return f"about {needed:,} more evaluation row{'s' if needed > 1 else ''} would settle it"


def _two_figures(n: int) -> int:
    """Two significant figures: the estimate is rough, the number should not look precise."""
    if n < 100:
        return n
    scale = int(10 ** (len(str(n)) - 2))
    return max(scale, round(n / scale) * scale)


def _pct(confidence: float) -> str:
    return f"{confidence * 100:g}%"
