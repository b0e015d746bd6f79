"""Contract checks on profiles of injected faults: exact ids, statuses and columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlci.data.profile import profile_file
from mlci.data.validate import check_contract
from mlci.results import CheckResult, Status
from tests.data.conftest import CONTRACT, make_frame, write


def checks_of(frame: object, tmp_path: Path, suffix: str = ".csv") -> tuple[CheckResult, ...]:
    return check_contract(profile_file(write(frame, tmp_path / f"d{suffix}")), CONTRACT)


def failing(checks: tuple[CheckResult, ...]) -> list[tuple[str, str | None]]:
    return [(c.id, c.column) for c in checks if c.status is not Status.PASS]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_clean_data_passes_every_contract_check(tmp_path: Path, suffix: str) -> None:
    checks = checks_of(make_frame(), tmp_path, suffix)
    assert failing(checks) == []
    assert {c.id for c in checks} == {"row_count", "type", "nulls", "range", "categories", "unique"}


def test_dropped_column_is_missing_column(tmp_path: Path) -> None:
    checks = checks_of(make_frame().drop(columns=["age"]), tmp_path)
    assert failing(checks) == [("missing_column", "age")]
    assert next(c for c in checks if c.id == "missing_column").message == (
        "age: column required by the contract is missing from the data"
    )


def test_nulls_where_none_are_allowed(tmp_path: Path) -> None:
    frame = make_frame()
    frame.loc[[3, 7, 11], "age"] = np.nan
    checks = checks_of(frame, tmp_path)
    assert failing(checks) == [("nulls", "age")]
    assert next(c for c in checks if c.id == "nulls" and c.column == "age").message == (
        "age: 3 null value(s), contract allows none"
    )


def test_out_of_range_values_are_counted(tmp_path: Path) -> None:
    frame = make_frame()
    frame.loc[[0, 1], "age"] = [150.0, -2.0]
    check = next(c for c in checks_of(frame, tmp_path) if c.id == "range" and c.column == "age")
    assert check.status is Status.FAIL
    assert check.message == "age: values outside [0, 120] (observed -2 to 150; 2 value(s))"
    assert check.observed == {"min": -2.0, "max": 150.0}


def test_new_category_names_the_value_and_its_rows(tmp_path: Path) -> None:
    frame = make_frame()
    frame.loc[[5, 6], "region"] = "atlantis"
    checks = checks_of(frame, tmp_path)
    assert failing(checks) == [("categories", "region")]
    check = next(c for c in checks if c.id == "categories")
    assert check.message == "region: unknown category atlantis (2 row(s))"
    assert check.observed == ["atlantis"]


def test_repeated_key_fails_unique(tmp_path: Path) -> None:
    frame = make_frame()
    frame.loc[10, "id"] = 0
    frame.loc[20, "id"] = 0
    checks = checks_of(frame, tmp_path)
    assert failing(checks) == [("unique", "id")]
    assert next(c for c in checks if c.id == "unique").message == (
        "id: 2 repeated value(s), contract requires unique"
    )


def test_too_few_rows_fails_row_count(tmp_path: Path) -> None:
    checks = checks_of(make_frame(rows=5), tmp_path)
    assert failing(checks) == [("row_count", None)]
    assert checks[0].message == "5 rows, contract requires at least 10"


def test_text_in_a_numeric_column_fails_type_and_skips_its_range(tmp_path: Path) -> None:
    frame = make_frame().astype({"age": object})
    frame.loc[4, "age"] = "unknown"
    checks = checks_of(frame, tmp_path)
    assert failing(checks) == [("type", "age")]
    assert next(c for c in checks if c.id == "type" and c.column == "age").message == (
        "age: type string, contract requires float"
    )
    assert not [c for c in checks if c.id == "range" and c.column == "age"]


def test_extra_column_fails_only_when_the_contract_forbids_it(tmp_path: Path) -> None:
    frame = make_frame().assign(extra=1)
    profile = profile_file(write(frame, tmp_path / "d.csv"))
    assert failing(check_contract(profile, CONTRACT)) == []
    strict = CONTRACT.model_copy(update={"allow_extra_columns": False})
    assert failing(check_contract(profile, strict)) == [("unexpected_column", "extra")]
