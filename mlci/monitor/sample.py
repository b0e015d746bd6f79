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
        """This sample and OTHERS as one: the SIZE smallest priorities of them all. Each part's
        rows are picked from it in place (in order) straight into the joined arrays: joining
        every column whole first, then gathering, moved each row twice."""
        offered = sum(p.offered for p in (self, *others))
        parts = [p for p in (self, *others) if p.rows] or [self]
        priorities = _concatenate(*(p.priorities for p in parts))
        if len(priorities) <= self.size:
            joined = tuple(_concatenate(*(p.columns[i] for p in parts)) for i in self._width)
            return Kept(self.size, offered, priorities, joined)
        masks = _masks(priorities, self.size, [p.rows for p in parts])
        return Kept(
            self.size,
            offered,
            _gather([p.priorities for p in parts], masks, self.size),
            tuple(_gather([p.columns[i] for p in parts], masks, self.size) for i in self._width),
        )

    @property
    def _width(self) -> range:
        return range(len(self.columns))


def _masks(priorities: npt.NDArray[Any], size: int, lengths: list[int]) -> list[Any]:
    """For parts of LENGTHS whose priorities are PRIORITIES end to end, which of each part's
    rows are among the SIZE smallest, a mask per part."""
    import numpy as np

    chosen = smallest(priorities, size)
    if isinstance(chosen, float):
        picked = priorities <= chosen
    else:
        picked = np.zeros(len(priorities), dtype=bool)
        picked[chosen] = True
    return np.split(picked, np.cumsum(lengths)[:-1])


def _gather(arrays: list[npt.NDArray[Any]], masks: list[Any], size: int) -> npt.NDArray[Any]:
    """The rows MASKS pick from ARRAYS, in order, written once into an array of SIZE."""
    import numpy as np

    out: npt.NDArray[Any] = np.empty(size, dtype=np.result_type(*arrays))
    start = 0
    for array, mask in zip(arrays, masks, strict=True):
        count = int(np.count_nonzero(mask))
        np.compress(mask, array, out=out[start : start + count])
        start += count
    return out


def smallest(priorities: npt.NDArray[Any], size: int) -> Any:
    """Which of PRIORITIES (more than SIZE) are the SIZE smallest: the SIZE-th smallest value
    (those at or below it), found by a partition of the priorities alone, which is half an
    argpartition's time and lets every column be read in order, not by scattered positions.
    On a tie at that value (random doubles: practically never) the positions, ascending."""
    import numpy as np

    cut = float(np.partition(priorities, size - 1)[size - 1])
    if int(np.count_nonzero(priorities <= cut)) == size:
        return cut
    return np.sort(np.argpartition(priorities, size - 1)[:size])


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
    the sample, as the profile's sample buffers are.

    Every row offered draws its priority (one uniform double), whatever the bound: so a row's
    priority depends only on its file and its place in it, and the sample is the same whichever
    BOUND a reader starts from. The local engine, reading file after file, passes the window's
    sample bound so far (rows at or above it can never enter the window's sample): past the
    first file most rows are then rejected on arrival instead of copied and merged away."""

    def __init__(self, size: int, width: int, seed: Sequence[int], bound: float = 1.0) -> None:
        import numpy as np

        self.rng = np.random.default_rng([_SEED, *seed])
        self.kept = Kept.empty(size, width)
        self.bound = bound  # rows at or above it cannot enter: checked per batch
        self.pending: list[Kept] = []
        self.waiting = 0

    def offer(self, columns: tuple[npt.NDArray[Any], ...]) -> None:
        """Offer these rows (COLUMNS aligned, one array per column)."""
        import numpy as np

        n = len(columns[0])
        if not n:
            return
        priorities = self.rng.random(n)
        if self.bound >= 1.0:  # nothing can be rejected yet: the rows as they are, no copy
            self.pending.append(Kept(self.kept.size, n, priorities, columns))
            self.waiting += n
        else:
            rows = np.flatnonzero(priorities < self.bound)
            picked = tuple(c[rows] for c in columns)
            self.pending.append(Kept(self.kept.size, n, priorities[rows], picked))
            self.waiting += len(rows)
        if self.waiting > self.kept.size:
            self._fold()

    def take(self, part: Kept) -> None:
        """Add a sample kept elsewhere (a file's, with its own draws) to this one. A full part
        bounds the whole at once: a row at or above its threshold is outnumbered already."""
        self.pending.append(part)
        self.bound = min(self.bound, part.threshold)
        self.waiting += part.rows
        if self.waiting > self.kept.size:
            self._fold()

    def _fold(self) -> None:
        if self.pending:
            self.kept = self.kept.merge(*self.pending)
            self.bound = min(self.bound, self.kept.threshold)
        self.pending, self.waiting = [], 0

    def result(self) -> Kept:
        self._fold()
        return self.kept


def file_seed(name: str) -> tuple[int]:
    """A file's own stream: the same file gives the same draws wherever it is read."""
    return (zlib.crc32(name.encode()),)
