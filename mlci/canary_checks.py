"""The canary's comparisons of its two arms: the challenger may be worse than the champion by no
more than the configured margins (`canary.max_error_rate_increase`, absolute, and
`canary.max_latency_increase`, relative to the champion's p95). Each arm is its own rows, so these
compare two windows, not the same rows scored twice.
"""

from __future__ import annotations

from mlci.config import CanaryConfig, MonitorConfig
from mlci.monitor.logs import Window
from mlci.results import CheckResult, Status


def compare_errors(
    champ: Window, chall: Window, cfg: MonitorConfig, settings: CanaryConfig
) -> list[CheckResult]:
    if cfg.errors.column is None:
        return []
    mine, theirs = chall.errors / chall.rows, champ.errors / champ.rows
    allowed = settings.max_error_rate_increase
    bad = mine - theirs > allowed
    return [
        CheckResult(
            id="canary_error_rate",
            title="Error rate, challenger vs champion",
            status=Status.FAIL if bad else Status.PASS,
            message=f"challenger {mine:.2%}, champion {theirs:.2%}: "
            + ("more than" if bad else "within")
            + f" max_error_rate_increase {allowed:.2%}",
            observed=round(mine - theirs, 6),
            expected={"max": allowed},
        )
    ]


def compare_latency(
    champ: Window, chall: Window, cfg: MonitorConfig, settings: CanaryConfig
) -> list[CheckResult]:
    import numpy as np

    if cfg.latency.column is None or not len(champ.latencies_ms) or not len(chall.latencies_ms):
        return []
    mine, theirs = (float(np.percentile(w.latencies_ms, 95)) for w in (chall, champ))
    limit = theirs * (1 + settings.max_latency_increase)
    bad = mine > limit
    return [
        CheckResult(
            id="canary_latency_p95",
            title="Latency p95, challenger vs champion",
            status=Status.FAIL if bad else Status.PASS,
            message=f"challenger {mine:.1f} ms, champion {theirs:.1f} ms: "
            + ("over" if bad else "within")
            + f" the limit {limit:.1f} ms (max_latency_increase {settings.max_latency_increase:.0%})",
            observed=round(mine, 3),
            expected={"max": round(limit, 3)},
        )
    ]
