"""What every engine shares: the dataset it is given and the protocol it implements.

A leaf: `engine.py` (the local engine, finding files, the step's entry points) and
`engine_dask.py` both import it, and neither imports the other except `make_engine`'s one lazy
import of the dask engine, so the dependency runs one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from mlci.data.reader import Advance, Part

if TYPE_CHECKING:
    from mlci.data.stats import Edges, Profile


@dataclass(frozen=True)
class ParquetInfo:
    """One file of a dataset and the row counts of its row groups (from its footer)."""

    location: str
    group_rows: tuple[int, ...]

    @property
    def rows(self) -> int:
        return sum(self.group_rows)


@dataclass(frozen=True)
class Dataset:
    """What `data.path` names: the Parquet files of a dataset (none for a single CSV file)."""

    location: str
    files: tuple[ParquetInfo, ...]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def whole_files(self) -> tuple[Part, ...]:
        return tuple(Part(f.location, None, f.rows) for f in self.files)

    def partitions(self, target_rows: int = 1) -> tuple[Part, ...]:
        """Runs of consecutive row groups of one file, each run as long as it stays within
        TARGET_ROWS (a row group larger than that is a part alone; 1: one part per row group).
        Parquet's row group is the unit of reading, so a part is read in batches and a worker's
        memory is bounded by its batch and row group, whatever the part's rows; a part of
        several row groups pays a task's fixed costs (its first batch, its partial profile and
        its merge) once for all of them."""
        parts: list[Part] = []
        for f in self.files:
            start, rows = 0, 0
            for i, n in enumerate(f.group_rows):
                if i > start and rows + n > target_rows:
                    parts.append(Part(f.location, tuple(range(start, i)), rows))
                    start, rows = i, 0
                rows += n
            if f.group_rows:
                parts.append(Part(f.location, tuple(range(start, len(f.group_rows))), rows))
        return tuple(parts)


class Engine(Protocol):
    """Profile a Parquet dataset; the Profile's rows must be the dataset's (`check_complete`)."""

    def profile(
        self,
        dataset: Dataset,
        *,
        edges: Edges | None,
        batch_rows: int | None,
        advance: Advance | None,
    ) -> Profile: ...
