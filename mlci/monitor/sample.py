"""A bounded, uniform sample of a window's rows, for the figures that need rows and not bins:
latency percentiles and the performance metrics on labelled rows.

Bottom-k sampling, as validate's quantile sample (mlci/data/sketch.py): every row offered gets
a random priority and the sample is the `size` rows with the smallest ones. So a sample does not
depend on how the rows were split into batches or files, parts merge into the sample the whole
window would have given, and memory is bounded whatever the rows (ten million labelled rows kept
whole took 1.4 GiB of a monitor's 1.9 GiB peak). Up to `size` rows every row is kept: the
figures are then exact. Each file draws from its own seeded stream, so a run is reproducible and
the local and dask engines, which read the same files, keep the same rows.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlci.data.sketch import bernoulli_rows

if TYPE_CHECKING:
    import numpy.typing as npt

_SEED = 20_261_201


@dataclass(frozen=True)
class Kept:
    """At most SIZE of the OFFERED rows (those of smallest priority), columns aligned."""

    size: int
    offered: int
    priorities: npt.NDArray[Any]
    columns: tuple[npt.NDArray[Any], ...]

    @classmethod
    def empty(cls, size: int, width: int) -> Kept:
        import numpy as np

        none = np.empty(0)
        return cls(size, 0, none, tuple(none for _ in range(width)))

    @property
    def rows(self) -> int:
        return len(self.priorities)

    @property
    def complete(self) -> bool:
        """Every row offered is in the sample (the figures on it are exact)."""
        return self.rows == self.offered

    @property
    def threshold(self) -> float:
        """Rows at or above this priority can no longer enter."""
        return 1.0 if self.rows < self.size else float(self.priorities.max())

    def merge(self, *others: Kept) -> Kept:
        """This sample and OTHERS as one: the SIZE smallest priorities of them all."""
        parts = (self, *others)
        priorities = _concatenate(*(p.priorities for p in parts))
        keep = smallest(priorities, self.size)
        columns = tuple(
            _concatenate(*(p.columns[i] for p in parts))[keep] for i in range(len(self.columns))
        )
        return Kept(self.size, sum(p.offered for p in parts), priorities[keep], columns)


def smallest(priorities: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    """The positions of the SIZE smallest priorities, in no particular order (a sample's rows
    are a set: no figure depends on their order, and sorting them cost more than the fold);
    the same inputs give the same positions."""
    import numpy as np

    if len(priorities) <= size:
        return np.arange(len(priorities))
    found: npt.NDArray[Any] = np.argpartition(priorities, size - 1)[:size]
    return found


def _concatenate(*arrays: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """As np.concatenate, but an empty array (an empty sample's float placeholder) does not
    change the others' dtype."""
    import numpy as np

    full = [a for a in arrays if len(a)]
    if len(full) == 1:
        return full[0]
    joined: npt.NDArray[Any] = np.concatenate(full or [arrays[0]])
    return joined


class Keeper:
    """A Kept fed batch by batch; candidates are buffered and folded in once they outnumber
    the sample, as the profile's sample buffers are."""

    def __init__(self, size: int, width: int, seed: Sequence[int]) -> None:
        import numpy as np

        self.rng = np.random.default_rng([_SEED, *seed])
        self.kept = Kept.empty(size, width)
        self.bound = self.kept.threshold  # the folded sample's, kept: a max over it per batch
        self.pending: list[Kept] = []
        self.waiting = 0

    def offer(self, columns: tuple[npt.NDArray[Any], ...]) -> None:
        """Offer these rows (COLUMNS aligned, one array per column)."""
        n = len(columns[0])
        if not n:
            return
        # the folded sample's bound: rows at or above it cannot enter (the pending candidates
        # would tighten it, at the cost of a fold per batch)
        rows, priorities = bernoulli_rows(n, self.bound, self.rng, self.kept.size)
        picked = tuple(c[rows] for c in columns)
        self.pending.append(Kept(self.kept.size, n, priorities, picked))
        self.waiting += len(rows)
        if self.waiting > self.kept.size:
            self._fold()

    def _fold(self) -> None:
        if self.pending:
            self.kept = self.kept.merge(*self.pending)
            self.bound = self.kept.threshold
        self.pending, self.waiting = [], 0

    def result(self) -> Kept:
        self._fold()
        return self.kept


def file_seed(name: str) -> tuple[int]:
    """A file's own stream: the same file gives the same draws wherever it is read."""
    return (zlib.crc32(name.encode()),)
