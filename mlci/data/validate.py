"""The validate step: check a table against its schema contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlci.data.contract import ColumnContract, ColumnType, Contract, column_type
from mlci.results import CheckResult, Status

if TYPE_CHECKING:
    import pandas as pd

# Which observed column types satisfy a contract type. CSV has no int-with-nulls, so an integer
# column with a null reads as float; _integral() accepts it for an int contract.
_COMPATIBLE = {
    ColumnType.INT: {ColumnType.INT},
    ColumnType.FLOAT: {ColumnType.INT, ColumnType.FLOAT},
    ColumnType.BOOL: {ColumnType.BOOL},
    ColumnType.STRING: {ColumnType.STRING, ColumnType.CATEGORY},
    ColumnType.CATEGORY: {ColumnType.STRING, ColumnType.CATEGORY, ColumnType.INT, ColumnType.BOOL},
    ColumnType.DATETIME: {ColumnType.DATETIME, ColumnType.STRING},
}


def check_contract(frame: pd.DataFrame, contract: Contract) -> tuple[CheckResult, ...]:
    """Every contract check on the frame, in column order; passes are kept for the report."""
    checks: list[CheckResult] = []
    for name, spec in contract.columns.items():
        if name not in frame.columns:
            checks.append(_missing(name))
            continue
        checks.extend(_column_checks(name, frame[name], spec))
    if not contract.allow_extra_columns:
        checks.extend(_unexpected(str(c)) for c in frame.columns if str(c) not in contract.columns)
    return tuple(checks)


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


def _column_checks(name: str, series: pd.Series[Any], spec: ColumnContract) -> Iterator[CheckResult]:
    type_check = _type(name, series, spec)
    yield type_check
    yield _nulls(name, series, spec)
    if type_check.status is Status.FAIL:
        return  # range and category checks on the wrong type would only repeat the type error
    if spec.min is not None or spec.max is not None:
        yield _range(name, series, spec)
    if spec.allowed is not None:
        yield _categories(name, series, spec)


def _type(name: str, series: pd.Series[Any], spec: ColumnContract) -> CheckResult:
    observed = column_type(series)
    ok = observed in _COMPATIBLE[spec.type] or (
        spec.type is ColumnType.INT and observed is ColumnType.FLOAT and _integral(series)
    )
    return CheckResult(
        id="type",
        title="Column type",
        status=Status.PASS if ok else Status.FAIL,
        message=f"{name}: type {observed.value}" + ("" if ok else f", contract requires {spec.type.value}"),
        observed=observed.value,
        expected=spec.type.value,
        column=name,
    )


def _integral(series: pd.Series[Any]) -> bool:
    values = series.dropna()
    return bool((values == values.round()).all())


def _nulls(name: str, series: pd.Series[Any], spec: ColumnContract) -> CheckResult:
    count = int(series.isna().sum())
    ok = spec.nullable or count == 0
    return CheckResult(
        id="nulls",
        title="Nulls allowed",
        status=Status.PASS if ok else Status.FAIL,
        message=f"{name}: {count} null value(s)" + ("" if ok else ", contract allows none"),
        observed=count,
        expected="any" if spec.nullable else 0,
        column=name,
    )


def _range(name: str, series: pd.Series[Any], spec: ColumnContract) -> CheckResult:
    values = series.dropna()
    low = float(values.min()) if len(values) else None
    high = float(values.max()) if len(values) else None
    below = int((values < spec.min).sum()) if spec.min is not None else 0
    above = int((values > spec.max).sum()) if spec.max is not None else 0
    bad = below + above
    bounds = f"[{_fmt(spec.min, '-inf')}, {_fmt(spec.max, 'inf')}]"
    return CheckResult(
        id="range",
        title="Values in range",
        status=Status.FAIL if bad else Status.PASS,
        message=(
            f"{name}: {bad} value(s) outside {bounds} (observed {_fmt(low, 'n/a')} to {_fmt(high, 'n/a')})"
            if bad
            else f"{name}: all values within {bounds}"
        ),
        observed={"min": low, "max": high, "out_of_range": bad},
        expected={"min": spec.min, "max": spec.max},
        column=name,
    )


def _categories(name: str, series: pd.Series[Any], spec: ColumnContract) -> CheckResult:
    allowed = {str(v) for v in spec.allowed or ()}
    seen = {str(v) for v in series.dropna().unique()}
    new = sorted(seen - allowed)
    shown = ", ".join(new[:5]) + (f" and {len(new) - 5} more" if len(new) > 5 else "")
    return CheckResult(
        id="categories",
        title="Allowed categories",
        status=Status.FAIL if new else Status.PASS,
        message=f"{name}: unknown categor{'y' if len(new) == 1 else 'ies'} {shown}"
        if new
        else f"{name}: all values among {len(allowed)} allowed categories",
        observed=new,
        expected=sorted(allowed),
        column=name,
    )


def _fmt(value: float | None, missing: str) -> str:
    return missing if value is None else f"{value:g}"
