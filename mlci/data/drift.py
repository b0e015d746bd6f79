"""Drift of each column against the reference profile, and the share of drifted columns.

Statistic per column type (overridable per column in mlci.yaml, validate.drift.columns):

- numeric columns: PSI on the reference's decile bins (default levels: warn 0.1, fail 0.25);
- categorical columns (text, bool, and integers with at most 20 distinct values in the
  reference): Jensen-Shannon distance, base 2, in [0, 1] (warn 0.1, fail 0.2);
- `wasserstein`: Wasserstein-1 distance divided by the reference's standard deviation
  (warn 0.1, fail 0.2), from the quantile samples.

Small samples are noisy: PSI between two samples of one distribution is about
(1/n + 1/m) x chi2(bins - 1), which is 0.14 on average for 85 rows against 285. So each level is
raised to the statistic's noise floor, its critical value when both samples come from the same
distribution at significance alpha / (columns tested) (Bonferroni; alpha 0.05 by default) for the
warn level, and 100 times smaller for the fail level: a run on same-distribution data warns
anywhere with about that chance, and fails with a hundredth of it. On large data the floors are
far below the levels and change nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from mlci.config import DriftColumn, DriftConfig, Levels
from mlci.data.profile import ColumnProfile, Profile
from mlci.results import CheckResult, Status

CATEGORICAL_MAX_DISTINCT = 20
FAIL_RARER = 100
_SMOOTH = 0.5  # added to every bin count, so an empty bin does not make PSI infinite


@dataclass(frozen=True)
class Measure:
    method: str
    value: float
    floors: tuple[float, float]  # the noise floors of the warn and the fail level
    change: str  # what moved, for the message
    details: Mapping[str, Any]


def check_drift(
    current: Profile, reference: Profile, config: DriftConfig, exclude: Collection[str] = ()
) -> tuple[CheckResult, ...]:
    """EXCLUDE: columns whose role has no distribution to compare (ids, timestamps, ignored)."""
    if not config.enabled:
        return ()
    names = [
        n
        for n in current.columns
        if n in reference.columns and n not in exclude and not _override(config, n).skip
    ]
    alpha = config.alpha / max(len(names), 1)
    checks = [_column(current.columns[n], reference.columns[n], config, alpha) for n in names]
    tested = [c for c in checks if c.status is not Status.SKIP]
    return (*checks, _share(tested, config.share))


def _override(config: DriftConfig, name: str) -> DriftColumn:
    return config.columns.get(name) or DriftColumn()


def method_for(cur: ColumnProfile, ref: ColumnProfile, config: DriftConfig) -> str:
    chosen = _override(config, cur.name).method
    if chosen is not None:
        return chosen
    return config.categorical if _categorical(ref) else config.numeric


def needs_values(ref: ColumnProfile, config: DriftConfig) -> bool:
    """Whether drift against REF reads the current column's distinct values (JS distance), not
    only its bins or quantiles: a pass that only judges drift counts values for these alone."""
    return not ref.numeric or method_for(ref, ref, config) == "jsd"


def needs_sample(ref: ColumnProfile, config: DriftConfig) -> bool:
    """Whether drift against REF reads the current column's quantile sample (Wasserstein)."""
    return ref.numeric and method_for(ref, ref, config) == "wasserstein"


def _categorical(col: ColumnProfile) -> bool:
    if not col.numeric:
        return True
    few = col.values is not None and len(col.values) <= CATEGORICAL_MAX_DISTINCT
    return few and col.moments is not None and col.moments.integral


def _column(
    cur: ColumnProfile, ref: ColumnProfile, config: DriftConfig, alpha: float
) -> CheckResult:
    if cur.present == 0 or ref.present == 0:
        return _skip(
            cur.name, "no values in " + ("the data" if cur.present == 0 else "the reference")
        )
    method = method_for(cur, ref, config)
    measure = _MEASURES[method](cur, ref, alpha)
    if isinstance(measure, str):
        return _skip(cur.name, measure)
    levels = _levels(config, cur.name, method)
    return _judge(cur.name, measure, levels, (cur.present, ref.present))


def _levels(config: DriftConfig, name: str, method: str) -> Levels:
    base: Levels = getattr(config, method)
    over = _override(config, name)
    return Levels(
        warn=over.warn if over.warn is not None else base.warn,
        fail=over.fail if over.fail is not None else base.fail,
    )


def _judge(name: str, m: Measure, levels: Levels, sizes: tuple[int, int]) -> CheckResult:
    warn, fail = max(levels.warn, m.floors[0]), max(levels.fail, m.floors[1])
    label = {"psi": "PSI", "jsd": "JS distance", "wasserstein": "Wasserstein (normalised)"}[
        m.method
    ]
    if m.value > fail:
        status, verdict = Status.FAIL, f"{label} {m.value:.2f} > {fail:.2f} (fail)"
    elif m.value > warn:
        status, verdict = Status.WARN, f"{label} {m.value:.2f} > {warn:.2f} (warn)"
    else:
        status, verdict = Status.PASS, f"{label} {m.value:.2f} <= {warn:.2f}"
    raised = warn > levels.warn or fail > levels.fail
    floor = (
        f" (noise floors {warn:.2f}/{fail:.2f} for {sizes[0]:,} vs {sizes[1]:,} rows)"
        if raised
        else ""
    )
    return CheckResult(
        id="drift",
        title="Distribution drift",
        status=status,
        message=f"{name}: {verdict}{floor}; {m.change}",
        observed={
            "method": m.method,
            "value": round(m.value, 6),
            "noise_floors": [round(f, 6) for f in m.floors],
        },
        expected={"warn": warn, "fail": fail},
        column=name,
        details=dict(m.details),
    )


def _skip(name: str, why: str) -> CheckResult:
    return CheckResult(
        id="drift",
        title="Distribution drift",
        status=Status.SKIP,
        message=f"{name}: not tested ({why})",
        column=name,
    )


def _share(tested: list[CheckResult], levels: Levels) -> CheckResult:
    drifted = [c.column for c in tested if c.status in (Status.WARN, Status.FAIL)]
    share = len(drifted) / len(tested) if tested else 0.0
    status = (
        Status.FAIL if share > levels.fail else Status.WARN if share > levels.warn else Status.PASS
    )
    names = ", ".join(str(d) for d in drifted[:5]) + (
        f" and {len(drifted) - 5} more" if len(drifted) > 5 else ""
    )
    return CheckResult(
        id="drift",
        title="Share of drifted columns",
        status=status,
        message=f"{len(drifted)} of {len(tested)} columns drifted ({share:.0%})"
        + (f": {names}" if drifted else ""),
        observed={"drifted": len(drifted), "tested": len(tested), "share": round(share, 4)},
        expected={"warn": levels.warn, "fail": levels.fail},
    )


# ---------------------------------------------------------------------------------- measures


def psi(cur: ColumnProfile, ref: ColumnProfile, alpha: float) -> Measure | str:
    if cur.histogram is None or ref.histogram is None or cur.histogram.edges != ref.histogram.edges:
        return "no histogram on the reference's bins"
    r = _smooth(ref.histogram.counts)
    c = _smooth(cur.histogram.counts)
    value = sum((ci - ri) * math.log(ci / ri) for ci, ri in zip(c, r, strict=True))
    bins = sum(1 for x in ref.histogram.counts if x > 0)
    m = ref.present if ref.histogram.exact else _sample_size(ref)
    floors = _pair(
        lambda a: (1 / cur.present + 1 / m) * chi2_quantile(1 - a, max(bins - 1, 1)), alpha
    )
    details = {"edges": list(ref.histogram.edges), "reference": _round(r), "current": _round(c)}
    return Measure("psi", value, floors, _mean_change(cur, ref), details)


def jsd(cur: ColumnProfile, ref: ColumnProfile, alpha: float) -> Measure | str:
    if cur.values is None or ref.values is None:
        if cur.histogram is not None and ref.histogram is not None:
            return psi(cur, ref, alpha)  # a numeric column that grew past VALUES_CAP values
        return "more distinct values than a profile counts one by one"
    keys = sorted(set(cur.values) | set(ref.values), key=str)
    p = _shares([ref.values.get(k, 0) for k in keys])
    q = _shares([cur.values.get(k, 0) for k in keys])
    mid = [(a + b) / 2 for a, b in zip(p, q, strict=True)]
    div = 0.5 * _kl(p, mid) + 0.5 * _kl(q, mid)  # in bits, so in [0, 1]
    value = math.sqrt(max(div, 0.0))
    # JS divergence (nats) ~ (1/8) x chi-square distance, so ~ (1/n + 1/m) chi2(k - 1) / 8.
    scale = (1 / cur.present + 1 / ref.present) / (8 * math.log(2))
    floors = _pair(lambda a: math.sqrt(scale * chi2_quantile(1 - a, max(len(keys) - 1, 1))), alpha)
    moved = max(range(len(keys)), key=lambda i: abs(q[i] - p[i]))
    change = f"{str(keys[moved])!r} {p[moved]:.0%} → {q[moved]:.0%}"
    details = {
        "categories": [str(k) for k in keys[:50]],
        "reference": _round(p[:50]),
        "current": _round(q[:50]),
    }
    return Measure("jsd", value, floors, change, details)


def wasserstein(cur: ColumnProfile, ref: ColumnProfile, alpha: float) -> Measure | str:

    if cur.quantile_sample is None or ref.quantile_sample is None or ref.moments is None:
        return "not a numeric column"
    std = ref.moments.std
    if not std:
        return "the reference has no spread (standard deviation 0)"
    a, b = ref.quantile_sample.values, cur.quantile_sample.values
    value = _w1(a, b) / std
    null = _w1_null(a, cur.present, ref.present)
    floors = _pair(lambda x: null(x) / std, alpha)
    return Measure(
        "wasserstein",
        float(value),
        floors,
        _mean_change(cur, ref),
        {"std": std, "samples": [len(a), len(b)]},
    )


_MEASURES = {"psi": psi, "jsd": jsd, "wasserstein": wasserstein}


def _w1(a: Any, b: Any) -> float:
    import numpy as np

    grid = (np.arange(200) + 0.5) / 200
    return float(np.mean(np.abs(np.quantile(a, grid) - np.quantile(b, grid))))


def _w1_null(pool: Any, n: int, m: int) -> Callable[[float], float]:
    """W1 between two same-distribution samples of sizes n and m, as a function of alpha:
    simulated from the reference sample at sizes up to 1,000 (then scaled by sqrt(1/n + 1/m),
    as W1's noise is), with a log-normal tail (W1 is positive and right-skewed)."""
    import numpy as np

    rng = np.random.default_rng(0)
    n1, m1 = min(n, 1_000), min(m, 1_000)
    draws = np.log(
        [max(_w1(rng.choice(pool, n1), rng.choice(pool, m1)), 1e-300) for _ in range(200)]
    )
    scale = math.sqrt((1 / n + 1 / m) / (1 / n1 + 1 / m1))
    mean, sd = float(np.mean(draws)), float(np.std(draws))
    return lambda alpha: math.exp(mean + NormalDist().inv_cdf(1 - alpha) * sd) * scale


def _pair(floor: Callable[[float], float], alpha: float) -> tuple[float, float]:
    """The warn floor at alpha, the fail floor at alpha / FAIL_RARER: failing the gate on noise
    must be much rarer than a warning."""
    return floor(alpha), floor(alpha / FAIL_RARER)


def chi2_quantile(p: float, dof: int) -> float:
    """The chi-square quantile by Wilson and Hilferty's approximation (good to ~1% here)."""
    z = NormalDist().inv_cdf(p)
    h = 2 / (9 * dof)
    return float(dof * (1 - h + z * math.sqrt(h)) ** 3)


def _smooth(counts: tuple[float, ...]) -> list[float]:
    total = sum(counts) + _SMOOTH * len(counts)
    return [(c + _SMOOTH) / total for c in counts]


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts]


def _kl(p: list[float], q: list[float]) -> float:
    return sum(a * math.log2(a / b) for a, b in zip(p, q, strict=True) if a > 0)


def _sample_size(col: ColumnProfile) -> int:
    return len(col.quantile_sample.values) if col.quantile_sample is not None else col.present


def _round(values: list[float]) -> list[float]:
    return [round(v, 6) for v in values]


def _mean_change(cur: ColumnProfile, ref: ColumnProfile) -> str:
    if cur.moments is None or ref.moments is None:
        return ""
    return f"mean {fmt_number(ref.moments.mean)} → {fmt_number(cur.moments.mean)}"


def fmt_number(x: float) -> str:
    """52100 → 52.1k: compact, for messages people read."""
    for at_least, size, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(x) >= at_least:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.4g}"
