"""Buffers a column's state keeps across batches: reusable scratch arrays, and sketches fed
in bulk."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlci.data.sketch import HashSample, QuantileSample

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class Scratch:
    """Buffers a column reuses from batch to batch. A fresh array of a batch's size is fresh
    memory (malloc maps it anew above 128 KiB), and its first touch page-faults: writing
    temporaries into kept buffers measured several times faster."""

    def __init__(self) -> None:
        self.buffers: dict[str, npt.NDArray[Any]] = {}

    def get(self, name: str, n: int, dtype: Any) -> npt.NDArray[Any]:
        import numpy as np

        buffer = self.buffers.get(name)
        if buffer is None or len(buffer) < n:
            buffer = self.buffers[name] = np.empty(n, dtype=dtype)
        return buffer[:n]


class HashBuffer:
    """A HashSample fed in bulk: hashes wait in a list until they outnumber the sample, then are
    folded in at once (a fold sorts the sample; per batch, that was most of the cost)."""

    def __init__(self, sample: HashSample) -> None:
        self.sample = sample
        self.hashes: list[npt.NDArray[np.uint64]] = []
        self.counts: list[npt.NDArray[np.int64] | None] = []
        self.pending = 0

    @property
    def threshold(self) -> int:
        return self.sample.threshold  # may be stale (higher): a superset waits, never a loss

    def add(self, hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64] | None) -> None:
        """HASHES seen COUNTS times each (None: once each)."""
        import numpy as np

        if not self.sample.exact:  # nothing is above the threshold until the first fold
            below = hashes <= np.uint64(self.sample.threshold)
            hashes, counts = hashes[below], None if counts is None else counts[below]
        self.hashes.append(hashes)
        self.counts.append(counts)
        self.pending += len(hashes)
        if self.pending > self.sample.size:
            self._fold()

    def _fold(self) -> None:
        import numpy as np

        if len(self.hashes) == 1:
            self.sample = self.sample.add(self.hashes[0], self.counts[0])
        elif self.hashes:
            counts = None
            if any(c is not None for c in self.counts):
                counts = np.concatenate(
                    [
                        np.ones(len(h), np.int64) if c is None else c
                        for h, c in zip(self.hashes, self.counts, strict=True)
                    ]
                )
            self.sample = self.sample.add(np.concatenate(self.hashes), counts)
        self.hashes, self.counts, self.pending = [], [], 0

    def result(self) -> HashSample:
        self._fold()
        return self.sample


class SampleBuffer:
    """A QuantileSample fed in bulk, as HashBuffer."""

    def __init__(self, sample: QuantileSample) -> None:
        self.sample = sample
        self.values: list[npt.NDArray[np.float64]] = []
        self.priorities: list[npt.NDArray[np.float64]] = []
        self.pending = 0

    @property
    def threshold(self) -> float:
        return self.sample.threshold

    @property
    def size(self) -> int:
        return self.sample.size

    def add(self, values: npt.NDArray[np.float64], priorities: npt.NDArray[np.float64]) -> None:
        self.values.append(values)
        self.priorities.append(priorities)
        self.pending += len(values)
        if self.pending > self.sample.size:
            self._fold()

    def _fold(self) -> None:
        import numpy as np

        if self.values:
            batch = QuantileSample(
                np.concatenate(self.values), np.concatenate(self.priorities), self.sample.size
            )
            self.sample = self.sample.merge(batch)
        self.values, self.priorities, self.pending = [], [], 0

    def result(self) -> QuantileSample:
        self._fold()
        return self.sample
