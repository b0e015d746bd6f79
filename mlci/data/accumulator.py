"""One streaming pass over record batches: every column's state fed batch by batch (a thread per
column), the rows' hashes combined for duplicates and the row sample, frozen into a Profile.

The per-column kernels are mlci/data/columns.py's `ColumnState`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any

from mlci.data.buffers import HashBuffer
from mlci.data.columns import SEED, ColumnState
from mlci.data.rowsample import RowSampler
from mlci.data.sketch import HashSample
from mlci.data.stats import Edges, Profile
from mlci.data.types import column_type_of, time_unit_of

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa


class Accumulator:
    """Mutable state of one streaming pass; finish() freezes it into a Profile."""

    def __init__(
        self,
        schema: pa.Schema,
        edges: Edges,
        pool: ThreadPoolExecutor,
        *,
        stream: int = 0,
        hashes: bool = True,
        values: Collection[str] | None = None,
        samples: Collection[str] | None = None,
        spread: bool = True,
    ) -> None:
        """For a pass that only judges distributions (the monitor's drift), three savings:
        HASHES=False hashes no values (no distinct-count or duplicate sketches, no row sample);
        VALUES names the numeric columns whose distinct values are counted one by one (None:
        all, up to VALUES_CAP), the others take the raw path from the first batch, since
        counting a float column's values is a hash-table pass that drift on bins never reads;
        SAMPLES names the columns that keep a quantile sample (None: all), which only
        Wasserstein drift reads; SPREAD=False keeps no M2 (Moments.of): drift reads the current
        data's mean alone."""
        self.pool = pool
        self.rows = 0
        self.hashed = hashes
        self.row_hashes = HashBuffer(HashSample.empty(1 << 17))
        self.row_sample = RowSampler(list(schema.names)) if hashes else None
        self.columns = [
            ColumnState(
                name,
                column_type_of(schema.field(name).type),
                edges.get(name),
                i,
                hashes=hashes,
                values=values is None or name in values,
                samples=samples is None or name in samples,
                spread=spread,
            )
            for i, name in enumerate(schema.names)
        ]
        for state, name in zip(self.columns, schema.names, strict=True):
            state.time_unit = time_unit_of(schema.field(name).type)
        if stream:
            # Partitions of one dataset (mlci/data/engine.py) profiled apart: independent
            # samples, or every partition would keep the rows at the same positions.
            import numpy as np

            for i, state in enumerate(self.columns):
                state.rng = np.random.default_rng([SEED, i, stream])

    def add(self, batch: pa.RecordBatch) -> None:
        self.submit(batch)()

    def submit(
        self, batch: pa.RecordBatch, keep: npt.NDArray[np.bool_] | None = None
    ) -> Callable[[], None]:
        """Start the batch's column tasks and return what waits for them: the caller can do its
        own work on the batch meanwhile (the monitor's figures and samples). The returned
        function must be called before the next batch is submitted. KEEP: only the rows it
        marks, each column cut by its own task (mlci/data/kept.py), so that the cut runs on
        every core, not on the caller's thread (hashed passes take whole batches)."""
        import numpy as np

        from mlci.data.kept import FEW, add_kept

        assert keep is None or not self.hashed  # the row hashes would need the cut batch
        states = self.columns
        task: Callable[[int], Any]
        if keep is None:
            self.rows += batch.num_rows
            task = lambda i: states[i].add(batch.column(i))  # noqa: E731
        else:
            dropped = np.flatnonzero(~keep)
            self.rows += len(keep) - len(dropped)
            few = dropped if len(dropped) <= FEW * len(keep) else None
            task = lambda i: add_kept(states[i], batch.column(i), keep, few)  # noqa: E731
        # One task per column; each state is touched by one thread at a time, and map() returns
        # the hashes in column order, so the result does not depend on scheduling. (Keeping two
        # batches in flight, so that no thread waits for a batch's slowest column, measured no
        # faster: the read-ahead thread already fills that gap.)
        hashes = self.pool.map(task, range(len(states)))
        return partial(self._finish_batch, batch, hashes)

    def _finish_batch(
        self, batch: pa.RecordBatch, hashes: Iterator[npt.NDArray[np.uint64] | None]
    ) -> None:
        import numpy as np

        if not self.hashed:
            for _ in hashes:  # every column done (and a column's error raised) before returning
                pass
            return
        row_hash = np.zeros(batch.num_rows, dtype=np.uint64)
        for col_hash in hashes:
            # Order-dependent combination, so that (a, b) and (b, a) are different rows.
            row_hash *= np.uint64(1_000_003)
            assert col_hash is not None  # every state of a hashed pass returns its hashes
            row_hash ^= col_hash
        self.row_hashes.add(row_hash, None)
        if self.row_sample is not None:
            self.row_sample.add(batch, row_hash)

    def finish(self, source: Mapping[str, Any]) -> Profile:
        columns = {state.name: state.finish() for state in self.columns}
        return Profile(
            rows=self.rows,
            columns=columns,
            row_hashes=self.row_hashes.result(),
            source=dict(source),
            row_sample=None if self.row_sample is None else self.row_sample.sample,
        )
