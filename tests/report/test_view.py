"""Report views: the rows the renderers draw, read from a GateReport's checks."""

from __future__ import annotations

import math

from mlci.report.view import (
    build_view,
    counts,
    describe_rule,
    number,
    ordered_checks,
    threshold,
    worst_checks,
)
from mlci.results import CheckResult, Status, StepResult
from tests.report.samples import full_report


def check(status: Status, id: str = "range") -> CheckResult:
    return CheckResult(id=id, title=id, status=status, message=f"{id} {status.value}")


def test_number_keeps_finite_numbers_only() -> None:
    assert [number(v) for v in (3, 0.5, True, "1", math.nan, math.inf, None)] == [
        3.0, 0.5, None, None, None, None, None,
    ]  # fmt: skip


def test_threshold_reads_the_failing_bound() -> None:
    assert threshold({"warn": 0.1, "fail": 0.2}) == 0.2
    assert threshold({"max": 5}) == 5.0
    assert threshold({"warn": 0.1}) is None
    assert threshold(0.3) == 0.3


def test_describe_rule() -> None:
    assert describe_rule({"min": 0.85, "max_drop": 0.01, "decision": "ci"}) == (
        "min 0.85 · max_drop 0.01 · on the CI"
    )
    assert describe_rule({"decision": "ci"}) == "—"
    assert describe_rule(None) == "—"
    assert describe_rule(0.5) == "0.5"


def test_failing_checks_first_and_counts_in_that_order() -> None:
    checks = (check(Status.PASS, "a"), check(Status.WARN, "b"), check(Status.FAIL, "c"))
    assert [c.id for c in ordered_checks(checks)] == ["c", "b", "a"]
    step = StepResult(name="validate", checks=checks)
    assert counts(step) == "1 fail, 1 warn, 1 pass"
    assert counts(StepResult(name="validate", checks=())) == ("no checks")


def test_worst_checks_of_the_sample_report_and_the_view() -> None:
    report = full_report()
    worst = worst_checks(report)
    assert all(c.status.severity >= Status.WARN.severity for _, c in worst)
    assert worst[0][1].status is Status.FAIL and worst[-1][1].status is Status.WARN
    assert worst_checks(report, 2) == worst[:2]
    view = build_view(report)
    assert [s.name for s in view.steps] == ["validate", "regress"]
    assert view.worst == worst
    drift = view.steps[0].drift
    assert [row.status.severity for row in drift] == sorted(
        (row.status.severity for row in drift), reverse=True
    )
