"""The evaluation rows, in batches: both models see exactly the same rows, batch by batch.

Parquet streams row groups, so evaluation sets bigger than memory work; a CSV is parsed by Arrow
as a whole (type inference needs every block: a float on row 200,000 must not break the read),
then handed out in batches, so pandas never holds more than one batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlci.data.digest import HashedFile
from mlci.data.reader import table_format
from mlci.errors import InputError, first_line

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


class EvalFile(HashedFile):
    """The evaluation file, its digest (taken while the models predict), and what it looked
    like when the digest was taken."""

    def ensure_unchanged(self) -> None:
        """Refuse a comparison whose rows may differ from the digest the report records."""
        if not self.unchanged():
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
            # the header, the first block; closed at once, so that no read ahead on Arrow's
            # threads is still running when a short process exits
            with pcsv.open_csv(self.path) as reader:
                return tuple(reader.schema.names)
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
            # pre_buffer (the default) caches the column chunks of every row group ahead of the
            # reader, so the peak grew with the file (as in mlci/data/reader.py)
            reader = pq.ParquetFile(self.path, pre_buffer=False, buffer_size=1 << 20)
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
