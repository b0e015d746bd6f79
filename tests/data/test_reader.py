"""Unreadable files: one line naming the file, exit 2, whatever the way in."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.data.profile import profile_file
from mlci.errors import InputError
from tests.conftest import run_mlci
from tests.data.conftest import make_frame, write


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty.csv: the file is empty (no header, no rows)"),
        (
            "headless.csv",
            b"1.5,2,3\n4,5,6\n",
            "headless.csv: no header: the first line (1.5, 2, 3, ...) holds numbers, "
            "not column names",
        ),
        (
            "ragged.csv",
            b"a,b\n1,2\n3,4,5\n",
            "ragged.csv: cannot read CSV: CSV parse error: Expected 2 columns, got 3: 3,4,5",
        ),
        ("twice.csv", b"a,a\n1,2\n", "twice.csv: column 'a' appears twice in the header"),
        ("corrupt.parquet", b"PAR1 this is not parquet", "corrupt.parquet: cannot read Parquet: "),
        (
            "data.txt",
            b"a\n1\n",
            "data.txt: not a CSV or Parquet file (expected .csv, .parquet or .pq)",
        ),
    ],
)
def test_unreadable_files_raise_input_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as caught:
        profile_file(tmp_path / name)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_truncated_parquet_is_an_input_error(tmp_path: Path) -> None:
    good = write(make_frame(2_000), tmp_path / "good.parquet")
    (tmp_path / "cut.parquet").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match=r"cut\.parquet: cannot read Parquet: "):
        profile_file(tmp_path / "cut.parquet")


def test_binary_garbage_in_a_csv_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "bin.csv").write_bytes(b"a,b\n1,\xff\xfe\x00\n")
    with pytest.raises(
        InputError, match=r"bin\.csv: column 'b': not UTF-8 text \(save the file as UTF-8\)"
    ):
        profile_file(tmp_path / "bin.csv")


def test_header_only_csv_is_zero_rows_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("a,b\n")
    profile = profile_file(tmp_path / "h.csv")
    assert (profile.rows, list(profile.columns), profile.columns["a"].type) == (
        0,
        ["a", "b"],
        "null",
    )


def test_schema_infer_on_a_missing_file_exits_2_naming_it(tmp_path: Path) -> None:
    done = run_mlci("schema", "infer", "nope.parquet", cwd=tmp_path)
    assert (done.code, done.err.strip()) == (2, "mlci: error: nope.parquet: data file not found")
