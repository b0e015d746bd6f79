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

    def partitions(self) -> tuple[Part, ...]:
        """One part per row group: Parquet's unit of reading, so a part's memory is bounded
        by its row group whatever the size of the file."""
        return tuple(
            Part(f.location, (i,), rows) for f in self.files for i, rows in enumerate(f.group_rows)
        )


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
