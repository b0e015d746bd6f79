"""The evaluation rows, in batches: both models see exactly the same rows, batch by batch.

Parquet streams row groups, so evaluation sets bigger than memory work; a CSV is parsed by Arrow
as a whole (type inference needs every block: a float on row 200,000 must not break the read),
then handed out in batches, so pandas never holds more than one batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.data.reader import file_digest, table_format
from mlci.errors import InputError, first_line

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


@dataclass(frozen=True)
class EvalFile:
    """The evaluation file, its digest, and what it looked like when the digest was taken."""

    path: Path
    size: int
    mtime_ns: int
    pending_digest: Future[str] = field(compare=False, repr=False)

    @classmethod
    def open(cls, path: Path) -> EvalFile:
        table_format(path)  # names the file when it is missing or not CSV/Parquet
        stat = path.stat()
        # The sha256 runs in a thread while the models predict: file reads and hashlib release
        # the GIL, so on two cores it costs next to nothing. ensure_unchanged() still guards that
        # the hashed bytes are the rows both models saw.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlci-digest")
        pending = pool.submit(file_digest, path)
        pool.shutdown(wait=False)
        return cls(path=path, size=stat.st_size, mtime_ns=stat.st_mtime_ns, pending_digest=pending)

    @property
    def digest(self) -> str:
        return self.pending_digest.result()

    def ensure_unchanged(self) -> None:
        """Refuse a comparison whose rows may differ from the digest the report records."""
        stat = self.path.stat()
        if (stat.st_size, stat.st_mtime_ns) != (self.size, self.mtime_ns):
            raise InputError(
                f"{self.path}: the evaluation data changed while it was being evaluated; "
                "refusing to compare models on different data (run again)"
            )

    def columns(self) -> tuple[str, ...]:
        import pyarrow as pa
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        parquet = table_format(self.path) == "parquet"
        try:
            if parquet:
                return tuple(pq.ParquetFile(self.path).schema_arrow.names)
            return tuple(pcsv.open_csv(self.path).schema.names)  # the header, the first block
        except (pa.ArrowException, OSError) as exc:
            fmt = "Parquet" if parquet else "CSV"
            raise InputError(f"{self.path}: cannot read {fmt}: {first_line(exc)}") from None

    def batches(self, size: int) -> Iterator[pd.DataFrame]:
        """The rows as pandas frames of at most `size` rows, in file order."""
        if table_format(self.path) == "parquet":
            yield from self._parquet_batches(size)
            return
        table = self._csv()
        for start in range(0, table.num_rows, size):  # slices are views: no copy of the table
            yield table.slice(start, size).to_pandas()

    def _parquet_batches(self, size: int) -> Iterator[pd.DataFrame]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(self.path)
            for batch in reader.iter_batches(batch_size=size):
                yield batch.to_pandas()
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{self.path}: cannot read Parquet: {first_line(exc)}") from None

    def _csv(self) -> pa.Table:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        try:
            return pcsv.read_csv(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{self.path}: cannot read CSV: {first_line(exc)}") from None
