"""Unreadable files: one line naming the file, exit 2, whatever the way in."""

from __future__ import annotations

from collections.abc import Iterator
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


def test_a_page_corrupt_after_good_batches_is_an_input_error(tmp_path: Path) -> None:
    """The error is raised on the read-ahead thread and handed over in order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "late.parquet"
    pq.write_table(pa.Table.from_pandas(make_frame(4_000)), path, row_group_size=1_000)
    chunk = pq.ParquetFile(path).metadata.row_group(3).column(1)
    data = bytearray(path.read_bytes())
    start = chunk.data_page_offset
    data[start : start + chunk.total_compressed_size] = b"\x17" * chunk.total_compressed_size
    path.write_bytes(bytes(data))
    seen: list[int] = []
    with pytest.raises(InputError, match=r"late\.parquet: cannot read Parquet: "):
        profile_file(path, batch_rows=1_000, advance=lambda rows, _: seen.append(rows))
    assert seen == [1_000, 1_000, 1_000]


def test_read_ahead_keeps_order_and_raises_where_the_items_stop() -> None:
    from mlci.data.reader import read_ahead

    def items() -> Iterator[int]:
        yield from range(5)
        raise InputError("data.csv: broken at row 5")

    got: list[int] = []
    with pytest.raises(InputError, match="broken at row 5"):
        for item in read_ahead(items()):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]


def test_leaving_read_ahead_early_stops_its_thread() -> None:
    import threading

    from mlci.data.reader import read_ahead

    produced: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1_000):
            produced.append(i)
            yield i

    stream = read_ahead(items(), depth=2)
    assert next(stream) == 0
    stream.close()
    for thread in threading.enumerate():
        if thread.name == "mlci-read-ahead":
            thread.join(timeout=5)
    assert not any(t.name == "mlci-read-ahead" for t in threading.enumerate())
    assert len(produced) <= 4  # one taken, two queued, one waiting to be put


@pytest.mark.parametrize(
    ("columns", "rows"), [(1, 196_608), (20, 196_608), (100, 40_960), (10_000, 8_192)]
)
def test_parquet_batches_hold_about_32_mib_within_bounds(columns: int, rows: int) -> None:
    from mlci.data.reader import auto_batch_rows

    assert auto_batch_rows(columns) == rows


def test_a_csv_is_read_through_an_arrow_file_so_its_read_ahead_never_takes_the_gil(
    tmp_path: Path,
) -> None:
    """open_csv reads ahead on Arrow's threads. Through a Python file object each read took the
    GIL, and a read in flight while the interpreter shut down was ended mid-C++: exit 134,
    "terminate called without an active exception", about 1 run in 30 of a schema-only read of a
    94 MB CSV (`mlci config check` once in CI). An Arrow file reads without Python."""
    import pyarrow as pa

    from mlci.data.reader import _open_csv

    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n2,y\n")
    handle, reader = _open_csv(path, 1_000, {})
    try:
        assert isinstance(handle, pa.NativeFile)
        assert reader.schema.names == ["a", "b"]
        assert handle.tell() == path.stat().st_size  # the progress reads it: still a position
    finally:
        reader.close()
        handle.close()
