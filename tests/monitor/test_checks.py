"""The monitor's checks on plain windows: latency, error rate, volume and the performance skip,
with exact statuses, limits and messages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mlci.config import MetricRule, MonitorConfig
from mlci.monitor.checks import error_rate, history_of, latency, replace_rule, volume
from mlci.monitor.logs import Window
from mlci.results import Status

CFG = MonitorConfig.model_validate(
    {"data": "logs", "errors": {"column": "error", "max_rate": 0.05},
     "latency": {"column": "latency_ms", "max_p50_ms": 50, "max_p95_ms": 200}}
)  # fmt: skip


def window(rows: int, errors: int = 0, latencies: list[float] | None = None) -> Window:
    """A window of ROWS requests with no profiles or labels (what these checks do not read)."""
    empty: np.ndarray[Any, Any] = np.asarray([])
    return Window(rows=rows, features=None, predictions=None,
                  latencies_ms=np.asarray(latencies or [], dtype=np.float64), errors=errors,
                  labels=empty, labelled_predictions=empty, first=None, last=None)  # fmt: skip


def test_latency_p50_and_p95_against_the_tightest_limit() -> None:
    values = [float(v) for v in range(1, 101)]  # p50 50.5, p95 95.05
    p50, p95 = latency(window(100, latencies=values), CFG, history=[40.0, 50.0, 60.0])
    assert (p50.id, p50.status, p50.message) == (
        "latency_p50", Status.FAIL, "50.5 ms, over the limit 50.0 ms"
    )  # fmt: skip
    # the recorded median 50 ms doubled (max_increase_relative 1.0) is under max_p95_ms 200
    assert (p95.status, p95.expected) == (Status.PASS, {"max": 100.0})
    assert p95.message == "95.0 ms, limit 100.0 ms (median of 3 recorded run(s): 50.0 ms)"


def test_latency_without_values_is_skipped_and_without_a_column_absent() -> None:
    [skipped] = latency(window(10), CFG, history=[])
    assert (skipped.status, skipped.message) == (
        Status.SKIP, "not checked: no latency values in the window"
    )  # fmt: skip
    assert latency(window(10, latencies=[1.0]), MonitorConfig(data="logs"), history=[]) == []


def test_error_rate_within_and_over_max_rate() -> None:
    [ok] = error_rate(window(1000, errors=50), CFG)
    assert (ok.status, ok.message) == (
        Status.PASS, "50 of 1,000 requests failed (5.00%), within max_rate 5.00%"
    )  # fmt: skip
    [bad] = error_rate(window(1000, errors=51), CFG)
    assert (bad.status, bad.observed, bad.details) == (
        Status.FAIL, 0.051, {"errors": 51, "rows": 1000}
    )  # fmt: skip
    assert error_rate(window(10), MonitorConfig(data="logs")) == []


def test_volume_against_the_median_of_the_recorded_runs() -> None:
    first = volume(window(400), CFG, history=[])
    assert (first.status, first.message) == (
        Status.PASS, "400 rows; no recorded runs yet to compare with"
    )  # fmt: skip
    low = volume(window(400), CFG, history=[1000.0, 900.0, 1100.0])
    assert (low.status, low.expected) == (Status.FAIL, {"min": 500.0, "max": 3000.0})
    assert low.message == (
        "400 rows, 40% of the usual 1,000 (median of 3 recorded run(s); allowed 50% to 300%)"
    )
    assert volume(window(4000), CFG, history=[1000.0]).status is Status.WARN
    assert volume(window(1000), CFG, history=[1000.0]).status is Status.PASS


def test_history_and_the_point_rule() -> None:
    runs = [{"rows": 1.0}, {"latency_p95": 2.0}, {"rows": 3.0}]
    assert history_of(runs, "rows") == [1.0, 3.0]
    rule = MetricRule(min=0.8, decision="ci")
    assert replace_rule(rule) == MetricRule(min=0.8, decision="point")
    assert rule.decision == "ci"  # the configured rule is left as it was


@pytest.mark.parametrize(
    "values",
    [np.array([3, 1, 3, 2, 1]), np.array([True, False, True]), np.array([-5, 70_000, -5]),
     np.array([1 << 40, 3]), np.array(["b", "a", "b"], dtype=object), np.array([1.5, 0.0])],
)  # fmt: skip
def test_class_codes_are_each_rows_code_with_or_without_the_bincount(values: Any) -> None:
    from mlci.model.encode import distinct
    from mlci.monitor.checks import _codes

    classes = sorted({*values.tolist(), "z"} if values.dtype == object else {*values.tolist(), 99})
    codes = {v: i for i, v in enumerate(classes)}
    got = _codes(values, distinct(values), codes)
    assert got.tolist() == [codes[v] for v in values.tolist()]  # a dict lookup per row
    expected = np.unique(values)
    assert distinct(values).tolist() == expected.tolist()
    assert [type(v) for v in distinct(values).tolist()] == [type(v) for v in expected.tolist()]
