"""The decision rules: floors, margins, point / ci / strict, direction, and the message."""

from __future__ import annotations

import pytest

from mlci.config import MetricRule, Task
from mlci.model.bootstrap import Interval
from mlci.model.metrics import METRICS, Metric
from mlci.model.rules import Scored, judge
from mlci.results import Status

ACC = METRICS[Task.BINARY]["accuracy"]
LOSS = METRICS[Task.BINARY]["log_loss"]


def scored(
    cand: float,
    champ: float | None,
    low: float | None = None,
    high: float | None = None,
    *,
    metric: Metric = ACC,
    rows: int = 400,
    **rule: object,
) -> Scored:
    interval = None if low is None or high is None else Interval(low, high)
    return Scored(metric, MetricRule.model_validate(rule), cand, champ, interval, rows, 0.95)


def test_ci_fails_only_when_the_whole_interval_is_beyond_the_margin() -> None:
    check = judge(scored(0.80, 0.90, -0.14, -0.06, max_drop=0.01))
    assert check.status is Status.FAIL
    assert check.message == (
        "accuracy: 0.8000 vs champion 0.9000 (Δ -0.1000, 95% CI [-0.1400, -0.0600], 400 rows); "
        "worse by 0.1000, beyond the allowed drop 0.0100 with 95% confidence"
    )
    assert check.details["ci_low"] == -0.14 and check.details["ci_high"] == -0.06
    assert check.details["decision"] == "ci"


def test_ci_warns_when_the_interval_straddles_the_margin_and_says_how_many_rows_settle_it() -> None:
    # Estimate 0.005 worse, interval reaches 0.025 worse: the half-width 0.02 must shrink to the
    # gap 0.005, i.e. (0.02 / 0.005)^2 = 16 times the rows: 6,000 more on top of 400.
    check = judge(scored(0.895, 0.90, -0.025, 0.015, max_drop=0.01))
    assert check.status is Status.WARN
    assert check.message.endswith(
        "inconclusive: the interval straddles the allowed drop 0.0100; "
        "about 6,000 more evaluation rows would settle it"
    )


def test_rows_to_settle_never_promises_less_than_five_percent_more() -> None:
    # The demo's case: better by 0.02, interval reaching 0.0101 worse against a 0.01 margin. The
    # extrapolation says one row; the interval's ends are estimates too, so 5% of 199 rows: 10.
    check = judge(scored(0.9698, 0.9497, -0.0101, 0.0553, rows=199, max_drop=0.01))
    assert check.status is Status.WARN
    assert check.message.endswith("about 10 more evaluation rows would settle it")


def test_ci_passes_a_slightly_worse_candidate_inside_the_margin() -> None:
    check = judge(scored(0.895, 0.90, -0.009, -0.001, max_drop=0.01))
    assert check.status is Status.PASS
    assert check.message.endswith("within the allowed drop 0.0100 with 95% confidence")


def test_strict_fails_an_interval_that_only_straddles() -> None:
    check = judge(scored(0.895, 0.90, -0.025, 0.015, max_drop=0.01, decision="strict"))
    assert check.status is Status.FAIL
    assert "not shown within the allowed drop 0.0100 at 95%" in check.message


def test_point_ignores_the_interval() -> None:
    check = judge(scored(0.895, 0.90, -0.5, 0.5, max_drop=0.01, decision="point"))
    assert check.status is Status.PASS
    assert check.details["ci_low"] is None and check.details["ci_high"] is None
    assert "CI" not in check.message
    assert judge(scored(0.85, 0.90, max_drop=0.01, decision="point")).status is Status.FAIL


def test_lower_is_better_metric_is_worse_when_it_rises() -> None:
    check = judge(scored(0.40, 0.30, 0.07, 0.13, metric=LOSS, max_drop=0.05))
    assert check.status is Status.FAIL
    assert "worse by 0.1000" in check.message
    assert judge(scored(0.20, 0.30, -0.13, -0.07, metric=LOSS, max_drop=0.0)).status is Status.PASS


def test_relative_margin_and_the_stricter_of_two() -> None:
    # 2% of 0.90 is 0.018; max_drop 0.05 is looser, so 0.018 applies.
    check = judge(scored(0.87, 0.90, -0.04, -0.02, max_drop=0.05, max_drop_relative=0.02))
    assert check.status is Status.FAIL
    assert check.details["margin"] == pytest.approx(0.018)


def test_first_model_applies_floors_and_skips_change_rules() -> None:
    check = judge(scored(0.80, None, min=0.85, max_drop=0.01))
    assert check.status is Status.FAIL
    assert check.message == (
        "accuracy: 0.8000 (no champion yet: first model); below min 0.85; "
        "allowed drop skipped: no champion yet"
    )
    only_change = judge(scored(0.80, None, max_drop=0.01))
    assert only_change.status is Status.SKIP


def test_ceiling() -> None:
    check = judge(scored(0.50, 0.40, 0.05, 0.15, metric=LOSS, max=0.45))
    assert check.status is Status.FAIL
    assert "above max 0.45" in check.message


def test_no_rule_reports_estimate_and_interval() -> None:
    check = judge(scored(0.91, 0.90, -0.01, 0.03))
    assert check.status is Status.PASS
    assert check.expected is None
    assert (
        check.message
        == "accuracy: 0.9100 vs champion 0.9000 (Δ +0.0100, 95% CI [-0.0100, +0.0300], 400 rows)"
    )


def test_slice_check_names_its_slice() -> None:
    s = Scored(
        ACC, MetricRule(max_drop=0.01), 0.7, 0.9, Interval(-0.3, -0.1), 50, 0.95, "clinic", "north"
    )
    check = judge(s)
    assert (check.id, check.column, check.status) == ("metric_slice", "clinic", Status.FAIL)
    assert check.details["slice"] == "clinic=north" and check.details["rows"] == 50
    assert check.message.startswith("accuracy on clinic=north: 0.7000 vs champion 0.9000")
