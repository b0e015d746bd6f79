"""Contract checks, run on a data profile (never on the rows again).

Ids: missing_column, unexpected_column, type, nulls, range, categories, unique, format,
row_count. A column with role `ignore` gets none of them.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlci.data.contract import ColumnContract, Contract
from mlci.data.profile import ColumnProfile, Profile
from mlci.data.types import ColumnType, Role
from mlci.results import CheckResult, Status

# Which observed column types satisfy a contract type. An int column with nulls reads as float
# through pandas; an integral float column therefore satisfies an int contract.
_COMPATIBLE = {
    ColumnType.INT: {ColumnType.INT},
    ColumnType.FLOAT: {ColumnType.INT, ColumnType.FLOAT},
    ColumnType.BOOL: {ColumnType.BOOL},
    ColumnType.STRING: {ColumnType.STRING, ColumnType.CATEGORY},
    ColumnType.CATEGORY: {ColumnType.STRING, ColumnType.CATEGORY, ColumnType.INT, ColumnType.BOOL},
    ColumnType.DATETIME: {ColumnType.DATETIME, ColumnType.STRING},
}


def check_contract(profile: Profile, contract: Contract) -> tuple[CheckResult, ...]:
    """Every contract check, in contract column order; passes are kept for the report."""
    checks: list[CheckResult] = [_row_count(profile, contract)]
    for name, spec in contract.columns.items():
        if spec.role is Role.IGNORE:
            continue
        col = profile.columns.get(name)
        if col is None:
            checks.append(_missing(name))
            continue
        checks.extend(_column_checks(col, spec))
    if not contract.allow_extra_columns:
        checks.extend(_unexpected(c) for c in profile.columns if c not in contract.columns)
    return tuple(checks)


def _row_count(profile: Profile, contract: Contract) -> CheckResult:
    low, high = contract.rows.min, contract.rows.max
    problem = None
    if low is not None and profile.rows < low:
        problem = f"{profile.rows:,} rows, contract requires at least {low:,}"
    elif high is not None and profile.rows > high:
        problem = f"{profile.rows:,} rows, contract allows at most {high:,}"
    return CheckResult(
        id="row_count",
        title="Row count",
        status=Status.FAIL if problem else Status.PASS,
        message=problem or f"{profile.rows:,} rows",
        observed=profile.rows,
        expected={"min": low, "max": high},
    )


def _missing(name: str) -> CheckResult:
    return CheckResult(
        id="missing_column",
        title="Column present",
        status=Status.FAIL,
        message=f"{name}: column required by the contract is missing from the data",
        observed=None,
        expected="present",
        column=name,
    )


def _unexpected(name: str) -> CheckResult:
    return CheckResult(
        id="unexpected_column",
        title="No unexpected columns",
        status=Status.FAIL,
        message=f"{name}: column is not in the contract (allow_extra_columns is false)",
        observed="present",
        expected="absent",
        column=name,
    )


def _column_checks(col: ColumnProfile, spec: ColumnContract) -> Iterator[CheckResult]:
    type_check = _type(col, spec)
    yield type_check
    yield _nulls(col, spec)
    if type_check.status is Status.FAIL:
        return  # range and category checks on the wrong type would only repeat the type error
    if (spec.min is not None or spec.max is not None) and col.moments is not None:
        yield _range(col, spec)
    if spec.allowed is not None:
        yield _categories(col, spec)
    if spec.unique:
        yield _unique(col)
    if spec.length is not None:
        yield _format(col, spec.length.min, spec.length.max)


def _format(col: ColumnProfile, low: int, high: int) -> CheckResult:
    """A text key's length: a key of another format (say, a new prefix) joins nothing."""
    seen = col.text_lengths
    bad = seen is not None and (seen[0] < low or seen[1] > high)
    span = "no text values" if seen is None else f"lengths {seen[0]} to {seen[1]}"
    return CheckResult(
        id="format",
        title="Key format",
        status=Status.FAIL if bad else Status.PASS,
        message=f"{col.name}: {span}" + (f", contract requires {low} to {high}" if bad else ""),
        observed=None if seen is None else {"min": seen[0], "max": seen[1]},
        expected={"min": low, "max": high},
        column=col.name,
    )


def _type(col: ColumnProfile, spec: ColumnContract) -> CheckResult:
    if col.type == "null":
        ok, observed = True, "null"  # no values at all: the nulls check speaks for it
    else:
        kind = ColumnType(col.type)
        observed = kind.value
        integral = col.moments is not None and col.moments.integral
        ok = kind in _COMPATIBLE[spec.type] or (
            spec.type is ColumnType.INT and kind is ColumnType.FLOAT and integral
        )
    return CheckResult(
        id="type",
        title="Column type",
        status=Status.PASS if ok else Status.FAIL,
        message=f"{col.name}: type {observed}"
        + ("" if ok else f", contract requires {spec.type.value}"),
        observed=observed,
        expected=spec.type.value,
        column=col.name,
    )


def _nulls(col: ColumnProfile, spec: ColumnContract) -> CheckResult:
    ok = spec.nullable or col.nulls == 0
    return CheckResult(
        id="nulls",
        title="Nulls allowed",
        status=Status.PASS if ok else Status.FAIL,
        message=f"{col.name}: {col.nulls:,} null value(s)"
        + ("" if ok else ", contract allows none"),
        observed=col.nulls,
        expected="any" if spec.nullable else 0,
        column=col.name,
    )


def _range(col: ColumnProfile, spec: ColumnContract) -> CheckResult:
    assert col.moments is not None
    low, high = col.moments.min, col.moments.max
    bounds = f"[{_fmt(spec.min, '-inf')}, {_fmt(spec.max, 'inf')}]"
    bad = (low is not None and spec.min is not None and low < spec.min) or (
        high is not None and spec.max is not None and high > spec.max
    )
    share = _share_outside(col, spec) if bad else 0.0
    return CheckResult(
        id="range",
        title="Values in range",
        status=Status.FAIL if bad else Status.PASS,
        message=(
            f"{col.name}: values outside {bounds} "
            f"(observed {_fmt(low, 'n/a')} to {_fmt(high, 'n/a')}; {share}"
            if bad
            else f"{col.name}: all values within {bounds}"
        ),
        observed={"min": low, "max": high},
        expected={"min": spec.min, "max": spec.max},
        column=col.name,
    )


def _share_outside(col: ColumnProfile, spec: ColumnContract) -> str:
    """How many values are out of range: counted from the quantile sample, so exact while the
    sample holds every value and an estimate (said so) beyond."""
    import numpy as np

    sample = col.quantile_sample
    if sample is None or len(sample.values) == 0:
        return "count unknown)"
    lo = -np.inf if spec.min is None else spec.min
    hi = np.inf if spec.max is None else spec.max
    outside = int(((sample.values < lo) | (sample.values > hi)).sum())
    if len(sample.values) == col.present:
        return f"{outside:,} value(s))"
    return f"about {outside / len(sample.values):.2%} of values)"


def _categories(col: ColumnProfile, spec: ColumnContract) -> CheckResult:
    allowed = {str(v) for v in spec.allowed or ()}
    if col.values is None:
        message = (
            f"{col.name}: more than {len(allowed)} distinct values (~{col.distinct():,.0f}); "
            f"contract allows {len(allowed)}"
        )
        return _categories_result(col, Status.FAIL, message, ["(high cardinality)"], allowed)
    new = sorted({str(v) for v in col.values} - allowed)
    if not new:
        return _categories_result(
            col,
            Status.PASS,
            f"{col.name}: all values among {len(allowed)} allowed categories",
            [],
            allowed,
        )
    shown = ", ".join(new[:5]) + (f" and {len(new) - 5} more" if len(new) > 5 else "")
    rows = sum(c for v, c in col.values.items() if str(v) in set(new))
    message = (
        f"{col.name}: unknown categor{'y' if len(new) == 1 else 'ies'} {shown} ({rows:,} row(s))"
    )
    return _categories_result(col, Status.FAIL, message, new, allowed)


def _categories_result(
    col: ColumnProfile, status: Status, message: str, new: list[str], allowed: set[str]
) -> CheckResult:
    return CheckResult(
        id="categories",
        title="Allowed categories",
        status=status,
        message=message,
        observed=new,
        expected=sorted(allowed),
        column=col.name,
    )


def _unique(col: ColumnProfile) -> CheckResult:
    repeats = col.hash_sample.repeats()
    exact = col.hash_sample.exact
    ok = repeats == 0
    amount = f"{repeats:,.0f}" if exact else f"about {repeats:,.0f}"
    return CheckResult(
        id="unique",
        title="Unique values",
        status=Status.PASS if ok else Status.FAIL,
        message=f"{col.name}: all values distinct"
        if ok
        else f"{col.name}: {amount} repeated value(s), contract requires unique",
        observed=round(repeats, 1),
        expected=0,
        column=col.name,
    )


def _fmt(value: float | None, missing: str) -> str:
    return missing if value is None else f"{value:g}"
