"""Read CSV and Parquet tables, whole or as a stream of Arrow record batches, with errors that
name the file (a file's digest: mlci/data/digest.py).

Streaming keeps memory bounded by the batch size, not the file size: Parquet is read row group
by row group (`ParquetFile.iter_batches`), CSV block by block (`pyarrow.csv.open_csv`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlci.errors import InputError, first_line

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
DEFAULT_BATCH_ROWS = 65_536  # a CSV block holds about this many rows (16 MiB)
# Parquet batches, when not set: about 32 MiB of values each, so that a wide table does not take
# more memory than a narrow one; within these bounds, bigger batches profile faster (fewer calls
# per value, less contention for the GIL between the profiling threads).
BATCH_BYTES = 32 << 20
BATCH_ROWS_MIN, BATCH_ROWS_MAX = 8_192, 196_608
# open_csv infers column types from its first block; a later block that does not fit (an int
# column with a "1.5" further down) fails, and the stream is restarted with that column widened.
_CSV_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")
_WIDER = {"int": "float64", "float": "string", "double": "string", "bool": "string"}
# also run by pyarrow (RE2) on dictionaries of text values: keep to the syntax both share
NUMBER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
_NUMBER = re.compile(NUMBER_PATTERN)

Advance = Callable[[int, float | None], None]


def table_format(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: not a CSV or Parquet file (expected .csv, .parquet or .pq)")
    if not path.is_file():
        raise InputError(f"{path}: data file not found")
    return fmt


def read_table(path: Path) -> pd.DataFrame:
    """The whole table as a DataFrame; the file is checked before pandas is imported."""
    fmt = table_format(path)
    import pandas as pd
    import pyarrow as pa

    try:
        frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty (no header, no rows)") from None
    except (pd.errors.ParserError, pa.ArrowException, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{path}: cannot read {fmt.upper()}: {first_line(exc)}") from None
    if len(frame.columns) == 0:
        raise InputError(f"{path}: the file has no columns")
    return frame


@dataclass(frozen=True)
class BatchStream:
    """A table's schema and an iterator over its record batches (read once)."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    total_rows: int | None
    closer: Callable[[], None] | None = None  # what the stream holds open (a CSV reader)

    def close(self) -> None:
        if self.closer is not None:
            self.closer()


T = TypeVar("T")


class _Widen(Exception):
    def __init__(self, column: str, wider: Any) -> None:
        super().__init__(column)
        self.column = column
        self.wider = wider


def read_stream(
    path: Path,
    consume: Callable[[BatchStream], T],
    *,
    batch_rows: int | None = None,
    advance: Advance | None = None,
) -> T:
    """consume(stream of PATH's record batches); `advance(rows, fraction_done)` after each batch.

    open_csv fixes the column types from its first block; when a later block does not fit (an
    int column with "1.5" further down), consume starts over with that column widened. That is
    rare, and costs less than a second pass over every file to settle the types first.
    """
    fmt = table_format(path)
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (no header, no rows)")
    if fmt == "parquet":
        stream = _stream_parquet(path, batch_rows, advance)
        return consume(replace(stream, batches=read_ahead(stream.batches)))
    types: dict[str, Any] = {}
    for _ in range(256):
        stream = _stream_csv(path, batch_rows or DEFAULT_BATCH_ROWS, advance, types)
        try:
            return consume(stream)
        except _Widen as widen:
            types[widen.column] = widen.wider
        finally:
            # open_csv reads ahead on pyarrow's threads from the start: a consumer that stops
            # early (or reads only the schema) left that reader open, and its thread could
            # abort the interpreter at exit ("terminate called without an active exception")
            stream.close()
    raise InputError(f"{path}: cannot settle the column types of this CSV")


def auto_batch_rows(columns: int) -> int:
    rows = BATCH_BYTES // (8 * max(columns, 1))
    return max(BATCH_ROWS_MIN, min(BATCH_ROWS_MAX, rows // BATCH_ROWS_MIN * BATCH_ROWS_MIN))


def _stream_parquet(path: Path, batch_rows: int | None, advance: Advance | None) -> BatchStream:
    return stream_parts((Part(str(path)),), batch_rows=batch_rows, advance=advance)


@dataclass(frozen=True)
class Part:
    """Row groups of one Parquet file (a local path or an fsspec URL): a partition of a dataset.
    `rows` is the footer's count of them (0 when not looked up)."""

    location: str
    row_groups: tuple[int, ...] | None = None  # None: every row group
    rows: int = 0


def is_url(location: str) -> bool:
    return "://" in location


def url_filesystem(location: str) -> tuple[Any, str]:
    """(fsspec filesystem, path) for a URL; InputError when fsspec or the protocol's package
    (s3fs, gcsfs...) is not installed."""
    try:
        import fsspec.core
        from fsspec.registry import known_implementations
    except ImportError:
        raise InputError(
            f"{location}: reading URLs needs fsspec (pip install 'mlci[dask]')"
        ) from None
    try:
        return fsspec.core.url_to_fs(location)  # type: ignore[no-any-return]
    except ImportError as exc:
        protocol = location.split("://", 1)[0]
        known = known_implementations.get(protocol, {})
        package = str(known.get("class", "")).split(".", 1)[0]
        needs = f"the {package} package (pip install {package})" if package else first_line(exc)
        raise InputError(f"{location}: reading {protocol}:// URLs needs {needs}") from None
    except ValueError as exc:
        raise InputError(f"{location}: cannot open this URL: {first_line(exc)}") from None


def parquet_file(location: str) -> Any:
    """A pyarrow ParquetFile for LOCATION, text columns read as dictionaries."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source: Any = location
    try:
        if is_url(location):
            fs, inner = url_filesystem(location)
            source = fs.open(inner, "rb")
        # pre_buffer (the default) caches whole column chunks ahead of the reader: at 10M rows
        # that held ~1 GiB; without it, memory follows the batch size and reading is as fast.
        reader = pq.ParquetFile(source, pre_buffer=False, buffer_size=1 << 20)
        schema = reader.schema_arrow
        # Text columns are read as dictionaries: Parquet stores them so, and materialising
        # every string only to encode it again was the costliest part of profiling them.
        text = [
            f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ]
        if text:
            reader = pq.ParquetFile(
                source, pre_buffer=False, buffer_size=1 << 20, read_dictionary=text
            )
    except FileNotFoundError:
        raise InputError(f"{location}: data file not found") from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{location}: cannot read Parquet: {first_line(exc)}") from None
    return reader, schema


def stream_parts(
    parts: tuple[Part, ...], *, batch_rows: int | None, advance: Advance | None
) -> BatchStream:
    """One stream over PARTS in order (the first part's schema; every other must match it)."""
    import pyarrow as pa

    first, schema = parquet_file(parts[0].location)
    _check_columns(parts[0].location, schema.names)
    total = sum(_rows(first, p) for p in parts[:1]) + sum(p.rows for p in parts[1:])
    batch_rows = batch_rows or auto_batch_rows(len(schema.names))

    def readers() -> Iterator[tuple[Part, Any]]:
        yield parts[0], first
        for part in parts[1:]:
            reader, other = parquet_file(part.location)
            if not other.equals(schema):
                raise InputError(
                    f"{part.location}: its columns or types differ from {parts[0].location}'s"
                )
            yield part, reader

    def batches() -> Iterator[pa.RecordBatch]:
        done = 0
        for part, reader in readers():
            try:
                for batch in reader.iter_batches(batch_size=batch_rows, row_groups=part.row_groups):
                    done += batch.num_rows
                    if advance is not None:
                        advance(batch.num_rows, done / total if total else None)
                    yield batch
            except (pa.ArrowException, OSError) as exc:
                raise InputError(
                    f"{part.location}: cannot read Parquet: {first_line(exc)}"
                ) from None

    return BatchStream(schema=schema, batches=batches(), total_rows=total)


def _rows(reader: Any, part: Part) -> int:
    meta = reader.metadata
    groups = range(meta.num_row_groups) if part.row_groups is None else part.row_groups
    return sum(meta.row_group(i).num_rows for i in groups)


def read_parts(
    parts: tuple[Part, ...],
    consume: Callable[[BatchStream], T],
    *,
    batch_rows: int | None = None,
    advance: Advance | None = None,
) -> T:
    """consume(one stream of PARTS' record batches, read ahead on a thread)."""
    stream = stream_parts(parts, batch_rows=batch_rows, advance=advance)
    return consume(replace(stream, batches=read_ahead(stream.batches)))


def read_ahead(items: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """ITEMS produced on a thread, up to DEPTH ahead: the next batch is read and decoded while
    this one is profiled (pyarrow releases the GIL to do it). An error is raised here, in
    order; leaving early stops the thread."""
    import queue
    import threading

    channel: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                channel.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((False, item)):
                    return
            put((True, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((True, exc))

    threading.Thread(target=produce, name="mlci-read-ahead", daemon=True).start()
    try:
        while True:
            finished, item = channel.get()
            if finished:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()


def _stream_csv(
    path: Path, batch_rows: int, advance: Advance | None, types: dict[str, Any]
) -> BatchStream:
    handle, reader = _open_csv(path, batch_rows, types)
    size = path.stat().st_size

    def batches() -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        try:
            for batch in reader:
                if advance is not None:
                    advance(batch.num_rows, min(handle.tell() / size, 1.0))
                yield batch
        except pa.ArrowInvalid as exc:
            raise _widen_or_fail(path, reader.schema.names, exc) from None
        except (pa.ArrowException, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read CSV: {first_line(exc)}") from None
        finally:
            handle.close()

    def close() -> None:
        reader.close()
        handle.close()

    return BatchStream(schema=reader.schema, batches=batches(), total_rows=None, closer=close)


def _widen_or_fail(path: Path, names: list[str], exc: Exception) -> Exception:
    import pyarrow as pa

    found = _CSV_CONVERSION.search(str(exc))
    if found is None:
        return InputError(f"{path}: cannot read CSV: {first_line(exc)}")
    column = names[int(found.group(1))]
    wider = next((t for k, t in _WIDER.items() if found.group(2).startswith(k)), None)
    if wider is None:
        return InputError(
            f"{path}: column {column!r}: cannot read its values as one type ({first_line(exc)})"
        )
    return _Widen(column, pa.type_for_alias(wider))


def _open_csv(path: Path, batch_rows: int, types: dict[str, Any]) -> tuple[Any, Any]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    # Roughly batch_rows rows per block at ~16 bytes a cell; the reader yields one batch a block.
    # An Arrow file, not a Python one: the reader reads ahead on Arrow's threads, and through a
    # Python file each read took the GIL. A read still in flight as the interpreter shut down
    # was then ended by Python mid-C++ ("terminate called without an active exception", exit
    # 134, about 1 run in 30 of a schema-only read of a 94 MB CSV).
    handle = pa.OSFile(str(path), "rb")
    options = pcsv.ReadOptions(block_size=max(1 << 20, min(batch_rows * 256, 1 << 26)))
    try:
        reader = pcsv.open_csv(
            handle,
            read_options=options,
            # As pandas reads it: an empty field (or NA, null...) is missing in text columns too.
            convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=True),
        )
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        handle.close()
        message = first_line(exc)
        if "Empty CSV file" in message:
            raise InputError(f"{path}: the file is empty (no header, no rows)") from None
        raise InputError(f"{path}: cannot read CSV: {message}") from None
    _check_columns(path, reader.schema.names)
    for column in reader.schema:
        # pyarrow types a CSV column as binary when its bytes are not UTF-8.
        if str(column.type) in ("binary", "large_binary"):
            handle.close()
            raise InputError(
                f"{path}: column {column.name!r}: not UTF-8 text (save the file as UTF-8)"
            )
    return handle, reader


def _check_columns(path: Path | str, names: list[str]) -> None:
    if not names:
        raise InputError(f"{path}: the file has no columns")
    if all(_NUMBER.match(n) for n in names):
        raise InputError(
            f"{path}: no header: the first line ({', '.join(names[:3])}, ...) "
            "holds numbers, not column names"
        )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)


def is_number(text: str) -> bool:
    return _NUMBER.match(text) is not None
