"""Checks by column role, on profiles: timestamps' freshness, the label's prior shift, and every
compared column's missing rate.

Ids and timestamps are left out of per-column drift (new keys and new times are what a fresh
batch has); these checks say what does matter about them. Prior shift and missing rates are
proportion tests with the same noise floors as drift (mlci/data/drift.py): significant at
alpha / columns to warn, 100 times rarer to fail, and a change large enough to matter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from statistics import NormalDist

from mlci.config import FreshnessConfig
from mlci.data.drift import FAIL_RARER, chi2_quantile
from mlci.data.integrity import MAX_CLASSES
from mlci.data.profile import ColumnProfile, Profile
from mlci.data.types import Role
from mlci.results import CheckResult, Status

_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "D": 86_400.0}
# A missing rate must move by at least this much (absolute) to fail, and a class share by this
# share of itself: significance alone would fail large tables on trivial changes.
MISSING_MIN_CHANGE = 0.05
PRIOR_MIN_CHANGE = 0.25


def check_roles(
    current: Profile,
    reference: Profile | None,
    roles: Mapping[str, Role],
    *,
    freshness: FreshnessConfig,
    alpha: float,
    now: datetime,
) -> tuple[CheckResult, ...]:
    checks: list[CheckResult] = []
    for name, col in current.columns.items():
        ref = reference.columns.get(name) if reference else None
        if roles.get(name) is Role.TIMESTAMP and col.time_range is not None:
            checks.append(_freshness(col, ref, freshness, now))
        if (
            roles.get(name) is Role.LABEL
            and reference is not None
            and is_classes(current, reference, name)
        ):
            assert ref is not None
            checks.append(_prior_shift(col, ref, alpha))
    if reference is not None:
        compared = [
            n for n in current.columns if n in reference.columns and roles.get(n) is not Role.IGNORE
        ]
        each = alpha / max(len(compared), 1)
        for name in compared:
            cur, ref = current.columns[name], reference.columns[name]
            if cur.rows and ref.rows and (cur.nulls or ref.nulls):
                checks.append(_missing_rate(cur, ref, each))
    return tuple(checks)


# ------------------------------------------------------------------------------- freshness


def _moment(col: ColumnProfile, value: int) -> datetime:
    seconds = value * _SECONDS[col.time_unit or "s"]
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)


def _freshness(
    col: ColumnProfile, ref: ColumnProfile | None, config: FreshnessConfig, now: datetime
) -> CheckResult:
    assert col.time_range is not None
    newest = _moment(col, col.time_range[1])
    age = now - newest
    problems = []
    if config.max_age is not None and age.total_seconds() > config.max_age:
        problems.append(
            f"newest value {_day(newest)} is {_days(age)} old, "
            f"validate.freshness.max_age allows {_days(timedelta(seconds=config.max_age))}"
        )
    window = ""
    if ref is not None and ref.time_range is not None and ref.time_unit is not None:
        oldest, latest = _moment(ref, ref.time_range[0]), _moment(ref, ref.time_range[1])
        middle = oldest + (latest - oldest) / 2
        window = f"; reference {_day(oldest)} .. {_day(latest)}"
        # A fresh batch reaches at least the recent half of the reference's window.
        if newest < middle:
            problems.append(
                f"newest value {_day(newest)} is {_days(latest - newest)} older than the "
                f"reference's newest ({_day(latest)}), before the middle of its window{window}"
            )
    return CheckResult(
        id="freshness",
        title="Fresh timestamps",
        status=Status.FAIL if problems else Status.PASS,
        message=f"{col.name}: "
        + ("; ".join(problems) if problems else f"newest {_day(newest)}")
        + ("" if problems else f" ({_days(age)} old){window}"),
        observed={"newest": newest.isoformat(), "age_seconds": round(age.total_seconds())},
        expected={"max_age_seconds": config.max_age},
        column=col.name,
    )


def _day(moment: datetime) -> str:
    return (
        moment.strftime("%Y-%m-%d %H:%M")
        if moment.second or moment.minute
        else f"{moment:%Y-%m-%d}"
    )


def _days(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.0f} hours" if abs(hours) < 48 else f"{hours / 24:,.0f} days"


# ----------------------------------------------------------------------------- prior shift


def is_classes(current: Profile, reference: Profile, name: str) -> bool:
    """Whether column NAME holds classes in both (few values, not fractional numbers)."""
    return all(
        (c := p.columns.get(name)) is not None
        and c.values is not None
        and len(c.values) <= MAX_CLASSES
        and c.type != "float"
        for p in (current, reference)
    )


def _prior_shift(cur: ColumnProfile, ref: ColumnProfile, alpha: float) -> CheckResult:
    """A chi-square test of the class counts against the reference's shares."""
    assert cur.values is not None and ref.values is not None
    now, then = cur.values, ref.values
    keys = sorted(set(now) | set(then), key=str)
    n, m = sum(now.values()), sum(then.values())
    stat = 0.0
    for k in keys:
        a, b = now.get(k, 0), then.get(k, 0)
        expected_a, expected_b = (a + b) * n / (n + m), (a + b) * m / (n + m)
        stat += (a - expected_a) ** 2 / expected_a + (b - expected_b) ** 2 / expected_b
    dof = max(len(keys) - 1, 1)
    warn, fail = chi2_quantile(1 - alpha, dof), chi2_quantile(1 - alpha / FAIL_RARER, dof)
    # the class whose share moved most relative to itself: a rare class is what shifts
    moved = max(keys, key=lambda k: _relative(then.get(k, 0) / m, now.get(k, 0) / n, m))
    before, after = then.get(moved, 0) / m, now.get(moved, 0) / n
    large = _relative(before, after, m) > PRIOR_MIN_CHANGE
    status = Status.FAIL if stat > fail and large else Status.WARN if stat > warn else Status.PASS
    return CheckResult(
        id="prior_shift",
        title="Label prior shift",
        status=status,
        message=f"{cur.name}: class {str(moved)!r} {before:.1%} → {after:.1%} "
        f"(chi-square {stat:.1f}, noise floors {warn:.1f}/{fail:.1f} for {n:,} vs {m:,} rows)",
        observed={"class": str(moved), "reference": round(before, 6), "current": round(after, 6)},
        expected={"warn": round(warn, 3), "fail": round(fail, 3)},
        column=cur.name,
    )


def _relative(before: float, after: float, m: int) -> float:
    return abs(after - before) / max(before, 1 / m)


# ---------------------------------------------------------------------------- missing rate


def _missing_rate(cur: ColumnProfile, ref: ColumnProfile, alpha: float) -> CheckResult:
    """A two-proportion z-test of the null shares."""
    p, q = ref.nulls / ref.rows, cur.nulls / cur.rows
    pooled = (ref.nulls + cur.nulls) / (ref.rows + cur.rows)
    se = math.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / ref.rows + 1 / cur.rows))
    z = abs(q - p) / se
    warn = NormalDist().inv_cdf(1 - alpha / 2)
    fail = NormalDist().inv_cdf(1 - alpha / FAIL_RARER / 2)
    if z > fail and abs(q - p) > MISSING_MIN_CHANGE:
        status = Status.FAIL
    elif z > warn and abs(q - p) > MISSING_MIN_CHANGE / 5:
        status = Status.WARN
    else:
        status = Status.PASS
    return CheckResult(
        id="missing_rate",
        title="Missing rate",
        status=status,
        message=f"{cur.name}: missing {p:.1%} → {q:.1%}"
        + (
            ""
            if status is Status.PASS
            else f" (z {z:.1f} > {warn if status is Status.WARN else fail:.1f})"
        ),
        observed={"reference": round(p, 6), "current": round(q, 6), "z": round(z, 3)},
        expected={"max_change": MISSING_MIN_CHANGE},
        column=cur.name,
    )
