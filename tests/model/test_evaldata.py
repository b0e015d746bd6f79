"""The evaluation rows in batches, from CSV or Parquet, refused when the file changed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlci.errors import InputError
from mlci.model.evaldata import EvalFile


def test_evaluation_file_changed_during_evaluation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    path.write_text("x,target\n1,0\n2,1\n")
    source = EvalFile.open(path)
    source.ensure_unchanged()  # untouched: fine
    path.write_text("x,target\n1,0\n2,1\n3,1\n")
    with pytest.raises(
        InputError,
        match=r"eval\.csv: the evaluation data changed while it was being evaluated; refusing",
    ):
        source.ensure_unchanged()


def test_evaluation_batches_keep_csv_types_across_blocks(tmp_path: Path) -> None:
    # A float far down an integer-looking column: a block-by-block CSV reader would fail here.
    path = tmp_path / "eval.csv"
    path.write_text("x,target\n" + "1,0\n" * 300_000 + "1.5,1\n")
    batches = list(EvalFile.open(path).batches(100_000))
    assert [len(b) for b in batches] == [100_000, 100_000, 100_000, 1]
    assert batches[-1]["x"].tolist() == [1.5]


def test_unreadable_evaluation_file(tmp_path: Path) -> None:
    path = tmp_path / "eval.parquet"
    path.write_text("not parquet")
    with pytest.raises(InputError, match=r"eval\.parquet: cannot read Parquet: "):
        EvalFile.open(path).columns()


def test_parquet_batches_stream_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "eval.parquet"
    pq.write_table(
        pa.table({"x": list(range(25)), "target": [0, 1] * 12 + [0]}), path, row_group_size=10
    )
    source = EvalFile.open(path)
    assert source.columns() == ("x", "target")
    batches = list(source.batches(8))
    assert [len(b) for b in batches] == [8, 8, 8, 1]  # batches of the size asked, across groups
    assert [v for b in batches for v in b["x"].tolist()] == list(range(25))


def test_csv_columns_are_read_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    path.write_text("a,b,target\n1,2,0\n")
    assert EvalFile.open(path).columns() == ("a", "b", "target")


def test_an_unparsable_csv_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    path.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(InputError, match=r"eval\.csv: cannot read CSV: CSV parse error"):
        list(EvalFile.open(path).batches(10))
