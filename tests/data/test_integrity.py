"""Integrity checks: duplicated rows, constant columns, mixed types, the label."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlci.config import Levels
from mlci.data.integrity import check_integrity
from mlci.data.profile import Profile, profile_file
from mlci.results import CheckResult, Status
from tests.data.conftest import make_frame, write

LEVELS = Levels(warn=0.0, fail=0.05)


def profile(frame: pd.DataFrame, path: Path) -> Profile:
    return profile_file(write(frame, path))


def run(frame: pd.DataFrame, tmp_path: Path, label: str | None = None) -> tuple[CheckResult, ...]:
    reference = profile(make_frame(seed=1), tmp_path / "ref.csv")
    return check_integrity(
        profile(frame, tmp_path / "new.csv"), reference=reference, label=label, duplicates=LEVELS
    )


def only(checks: tuple[CheckResult, ...], check_id: str) -> CheckResult:
    found = [c for c in checks if c.id == check_id]
    assert len(found) == 1, found
    return found[0]


def test_clean_data_has_no_integrity_findings(tmp_path: Path) -> None:
    checks = run(make_frame(), tmp_path, label="flag")
    assert [(c.id, c.status) for c in checks] == [
        ("duplicates", Status.PASS),
        ("label", Status.PASS),
    ]
    assert only(checks, "label").message == "flag: 2 classes, no missing labels"


def test_duplicated_rows_fail_above_the_fail_share(tmp_path: Path) -> None:
    frame = make_frame()
    doubled = pd.concat([frame, frame.iloc[:40]], ignore_index=True)  # 40 of 440 rows: 9.1%
    check = only(run(doubled, tmp_path), "duplicates")
    assert check.status is Status.FAIL
    assert check.message == "40 duplicated row(s) (9.1% of 440) > 5.0% (fail)"


def test_one_duplicated_row_warns(tmp_path: Path) -> None:
    frame = make_frame()
    check = only(run(pd.concat([frame, frame.iloc[:1]], ignore_index=True), tmp_path), "duplicates")
    assert (check.status, check.message) == (Status.WARN, "1 duplicated row(s) (0.2% of 401)")


def test_a_column_that_went_constant_fails(tmp_path: Path) -> None:
    check = only(run(make_frame().assign(region="north"), tmp_path), "constant")
    assert (check.status, check.column) == (Status.FAIL, "region")
    assert check.message == "region: every value is 'north' (the reference has 4 distinct values)"


def test_a_column_constant_in_the_reference_too_only_warns(tmp_path: Path) -> None:
    reference = profile(make_frame(seed=1).assign(site="a"), tmp_path / "ref.csv")
    current = profile(make_frame().assign(site="a"), tmp_path / "new.csv")
    check = only(
        check_integrity(current, reference=reference, label=None, duplicates=LEVELS), "constant"
    )
    assert (check.status, check.column) == (Status.WARN, "site")


def test_text_among_numbers_is_mixed_types(tmp_path: Path) -> None:
    frame = make_frame().astype({"income": object})
    frame.loc[[1, 2], "income"] = "n.a."
    check = only(run(frame, tmp_path), "mixed_types")
    assert (check.status, check.column) == (Status.WARN, "income")
    assert check.message.startswith("income: 2 of ")
    assert "(e.g. 'n.a.') in a mostly numeric column" in check.message


def test_missing_labels_and_unknown_classes_fail_the_label_check(tmp_path: Path) -> None:
    frame = make_frame().astype({"flag": "Int64"})
    frame.loc[3, "flag"] = pd.NA
    check = only(run(frame, tmp_path, label="flag"), "label")
    assert (check.status, check.message) == (Status.FAIL, "flag: 1 row(s) without a label")
    check = only(run(make_frame().assign(flag=[0, 1, 2, 3] * 100), tmp_path, label="flag"), "label")
    assert (check.status, check.message) == (
        Status.FAIL,
        "flag: class(es) 2, 3 not in the reference",
    )
    check = only(run(make_frame(), tmp_path, label="nope"), "label")
    assert (check.status, check.message) == (
        Status.FAIL,
        "nope: label column is missing from the data",
    )
