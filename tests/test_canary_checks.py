"""The canary's error-rate and latency comparisons of two arms: exact statuses and messages."""

from __future__ import annotations

import numpy as np

from mlci.canary_checks import compare_errors, compare_latency
from mlci.config import CanaryConfig, MonitorConfig
from mlci.monitor.logs import Window
from mlci.results import Status

CFG = MonitorConfig.model_validate(
    {"data": "logs", "errors": {"column": "error"}, "latency": {"column": "latency_ms"}}
)


def window(rows: int, errors: int, latencies: list[float]) -> Window:
    empty = np.asarray([])
    return Window(rows=rows, features=None, predictions=None,
                  latencies_ms=np.asarray(latencies, dtype=np.float64), errors=errors,
                  labels=empty, labelled_predictions=empty, first=None, last=None)  # fmt: skip


def test_errors_within_and_over_the_allowed_increase() -> None:
    champ = window(1000, 10, [])
    settings = CanaryConfig(max_error_rate_increase=0.01)
    [ok] = compare_errors(champ, window(1000, 15, []), CFG, settings)
    assert (ok.id, ok.status, ok.observed, ok.expected) == (
        "canary_error_rate", Status.PASS, 0.005, {"max": 0.01}
    )  # fmt: skip
    assert ok.message == "challenger 1.50%, champion 1.00%: within max_error_rate_increase 1.00%"
    [bad] = compare_errors(champ, window(1000, 30, []), CFG, settings)
    assert bad.status is Status.FAIL
    assert (
        bad.message == "challenger 3.00%, champion 1.00%: more than max_error_rate_increase 1.00%"
    )


def test_latency_p95_against_the_champions_plus_the_margin() -> None:
    champ = window(100, 0, [100.0] * 100)
    settings = CanaryConfig(max_latency_increase=0.2)
    [ok] = compare_latency(champ, window(100, 0, [110.0] * 100), CFG, settings)
    assert (ok.id, ok.status, ok.observed, ok.expected) == (
        "canary_latency_p95", Status.PASS, 110.0, {"max": 120.0}
    )  # fmt: skip
    [bad] = compare_latency(champ, window(100, 0, [150.0] * 100), CFG, settings)
    assert bad.status is Status.FAIL
    assert bad.message == (
        "challenger 150.0 ms, champion 100.0 ms: over the limit 120.0 ms (max_latency_increase 20%)"
    )


def test_no_column_or_no_latencies_means_no_check() -> None:
    bare = MonitorConfig(data="logs")
    arm = window(100, 1, [5.0])
    assert compare_errors(arm, arm, bare, CanaryConfig()) == []
    assert compare_latency(arm, arm, bare, CanaryConfig()) == []
    assert compare_latency(window(100, 0, []), arm, CFG, CanaryConfig()) == []
