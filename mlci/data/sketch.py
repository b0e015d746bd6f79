"""Mergeable sketches for data profiles: a random row sample for quantiles, and a hash sample
for distinct counts and duplicates. Both are exact while the data fits in them.

QuantileSample keeps the `size` values with the smallest random priorities (bottom-k sampling):
a uniform sample of the rows, so a quantile's rank error has a standard deviation of at most
0.5/sqrt(size) (0.55% at the default 8,192). Merging keeps the smallest priorities of the union,
which is again a uniform sample of the union.

HashSample keeps every distinct value whose 64-bit hash is below a threshold, with its exact
count (the KMV idea, with multiplicities). Distinct values and duplicated occurrences are
estimated by dividing what was kept by the share of the hash space kept; the relative error of
the distinct count is about 1/sqrt(kept) (1.1% at the default 16,384).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

QUANTILE_SAMPLE = 8_192
HASH_SAMPLE = 16_384
_FULL = (1 << 64) - 1


@dataclass(frozen=True)
class QuantileSample:
    values: npt.NDArray[np.float64]
    priorities: npt.NDArray[np.float64]
    size: int = QUANTILE_SAMPLE

    @classmethod
    def empty(cls, size: int = QUANTILE_SAMPLE) -> QuantileSample:
        import numpy as np

        return cls(np.empty(0), np.empty(0), size)

    @property
    def threshold(self) -> float:
        return float(self.priorities.max()) if len(self.priorities) >= self.size else 1.0

    def merge(self, other: QuantileSample) -> QuantileSample:
        return self._union(other.values, other.priorities)

    def _union(
        self, values: npt.NDArray[np.float64], priorities: npt.NDArray[np.float64]
    ) -> QuantileSample:
        import numpy as np

        v = np.concatenate([self.values, values])
        p = np.concatenate([self.priorities, priorities])
        if len(p) > self.size:
            keep = np.argpartition(p, self.size - 1)[: self.size]
            v, p = v[keep], p[keep]
        return QuantileSample(v, p, self.size)

    def quantiles(self, qs: list[float]) -> list[float]:
        import numpy as np

        if len(self.values) == 0:
            return []
        return [float(x) for x in np.quantile(self.values, qs)]

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "values": _pack(self.values),
            "priorities": _pack(self.priorities),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> QuantileSample:
        return cls(_unpack(doc["values"], "f8"), _unpack(doc["priorities"], "f8"), int(doc["size"]))


@dataclass(frozen=True)
class HashSample:
    """Distinct hashes at or below `threshold` (sorted) and how often each was seen."""

    hashes: npt.NDArray[np.uint64]
    counts: npt.NDArray[np.int64]
    threshold: int = _FULL
    size: int = HASH_SAMPLE

    @classmethod
    def empty(cls, size: int = HASH_SAMPLE) -> HashSample:
        import numpy as np

        return cls(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), _FULL, size)

    @property
    def exact(self) -> bool:
        return self.threshold == _FULL

    def add(
        self, hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64] | None = None
    ) -> HashSample:
        """HASHES seen COUNTS times each (None: once each)."""
        return self._union(hashes, counts, self.threshold)

    def merge(self, other: HashSample) -> HashSample:
        return self._union(other.hashes, other.counts, min(self.threshold, other.threshold))

    def _union(
        self, hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64] | None, threshold: int
    ) -> HashSample:
        import numpy as np

        new, new_counts = _smallest_distinct(hashes, counts, threshold, self.size)
        half = self.size // 2
        overflow = len(new) > self.size
        if overflow:
            # More distinct hashes than the sample holds: only the smallest half can stay (and
            # the next one, which sets the threshold), so the rest need not be merged.
            new, new_counts = new[: half + 1], new_counts[: half + 1]
        h = np.concatenate([self.hashes, new])
        c = np.concatenate([self.counts, new_counts])
        # Two sorted runs: a stable sort (timsort) merges them in linear time.
        order = np.argsort(h, kind="stable")
        unique, total = _sum_runs(h[order], c[order])
        keep = unique <= np.uint64(threshold)
        unique, total = unique[keep], total[keep]
        if overflow or len(unique) > self.size:
            # Keep the smaller half: a new threshold just below the first hash dropped.
            threshold = int(unique[half]) - 1
            unique, total = unique[:half], total[:half]
        return HashSample(unique, total, threshold, self.size)

    @property
    def _share(self) -> float:
        return (self.threshold + 1) / float(1 << 64)

    def distinct(self) -> float:
        """Distinct values (exact while the sample holds them all)."""
        return float(len(self.hashes)) if self.exact else len(self.hashes) / self._share

    def repeats(self) -> float:
        """Occurrences beyond the first of each value: duplicated rows for a row hash."""
        extra = float(self.counts.sum() - len(self.counts))
        return extra if self.exact else extra / self._share

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "threshold": str(self.threshold),
            "hashes": _pack(self.hashes),
            "counts": _pack(self.counts),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> HashSample:
        return cls(
            _unpack(doc["hashes"], "u8"),
            _unpack(doc["counts"], "i8"),
            int(doc["threshold"]),
            int(doc["size"]),
        )


def hash_numbers(
    values: npt.NDArray[Any],
    scratch: npt.NDArray[np.uint64] | None = None,
    *,
    out: npt.NDArray[np.uint64] | None = None,
    nan: bool = True,
) -> npt.NDArray[np.uint64]:
    """pandas.util.hash_array of a float64 or int64 array, bit for bit (so that profiles keep
    their hashes whether pandas computed them or not), without importing pandas. SCRATCH and
    OUT: buffers of at least len(values) to reuse (see buffers.Scratch), OUT for the result.
    NAN false: the caller ignores the hashes of NaN values, so they need not be the one NaN's."""
    import numpy as np

    bits = np.empty(len(values), np.uint64) if out is None else out[: len(values)]
    if values.dtype.kind == "f":
        # one hash per value: -0.0 is 0.0 (adding 0.0 keeps every other value's bits: one
        # pass, where comparing and masking took two), and every NaN is the same NaN
        np.add(values, 0.0, out=bits.view(np.float64))
        if nan:
            bits[np.isnan(values)] = np.array(np.nan).view(np.uint64)
    else:
        np.copyto(bits, values.view(np.uint64))
    return _mix(bits, None if scratch is None else scratch[: len(bits)])


def hash_texts(
    offsets: npt.NDArray[np.int64], data: npt.NDArray[np.uint8]
) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each text (or bytes) value given by OFFSETS into DATA: the sum of a mixed
    (position, byte) key over its bytes (tabulation hashing, vectorised over all the values at
    once), mixed with its length."""
    import numpy as np

    starts, lengths = offsets[:-1] - offsets[0], np.diff(offsets)
    sums = np.zeros(len(lengths), dtype=np.uint64)
    total = int(offsets[-1] - offsets[0])
    if total:
        owner_start = np.repeat(starts, lengths)
        keys = (np.arange(total, dtype=np.uint64) - owner_start.astype(np.uint64)) << np.uint64(8)
        keys |= data[int(offsets[0]) : int(offsets[-1])].astype(np.uint64)
        mixed = _mix(keys + np.uint64(0x243F6A8885A308D3))
        filled = lengths > 0
        sums[filled] = np.add.reduceat(mixed, starts[filled])
    return _mix(sums ^ _mix(lengths.astype(np.uint64) + np.uint64(0x13198A2E03707344)))


def _mix(
    bits: npt.NDArray[np.uint64], scratch: npt.NDArray[np.uint64] | None = None
) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser, in place (pandas' hash_array ends with the same steps)."""
    import numpy as np

    if scratch is None:
        scratch = np.empty_like(bits)
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None)):
        np.right_shift(bits, np.uint64(shift), out=scratch)
        np.bitwise_xor(bits, scratch, out=bits)
        if factor is not None:
            np.multiply(bits, np.uint64(factor), out=bits)
    return bits


def _smallest_distinct(
    hashes: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int64] | None,
    threshold: int,
    limit: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The distinct hashes at or below THRESHOLD (sorted, counts summed; COUNTS None: once
    each): all of them, or, when there are more than LIMIT, at least the LIMIT + 1 smallest. A
    partition finds a cut that keeps enough of them without sorting the rest (a first batch
    hashes every row)."""
    import numpy as np

    if threshold != _FULL:
        kept = hashes <= np.uint64(threshold)
        hashes, counts = hashes[kept], None if counts is None else counts[kept]
    if len(hashes) > 2 * limit:
        cut = np.partition(hashes, 2 * limit)[2 * limit]
        head = hashes <= cut
        found, found_counts = _distinct(hashes[head], None if counts is None else counts[head])
        if len(found) > limit:  # every hash below the cut is in; those above it are larger
            return found, found_counts
    return _distinct(hashes, counts)


def _distinct(
    hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64] | None
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The distinct hashes, sorted, with their summed counts (COUNTS None: once each, which
    needs only a sort, several times cheaper than the argsort counts need)."""
    import numpy as np

    if counts is None:
        unique, seen = np.unique(hashes, return_counts=True)
        return unique, seen.astype(np.int64)
    order = np.argsort(hashes)
    return _sum_runs(hashes[order], counts[order])


def _sum_runs(
    hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Sorted HASHES collapsed to distinct ones, COUNTS summed over each run."""
    import numpy as np

    if not len(hashes):
        return hashes, counts
    first = np.ones(len(hashes), dtype=bool)
    np.not_equal(hashes[1:], hashes[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return hashes[starts], np.add.reduceat(counts, starts).astype(np.int64)


def bernoulli_rows(
    n: int, rate: float, rng: np.random.Generator, keep: int | None = None
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """The rows of 0..n-1 whose random priority falls below RATE, with those priorities; or,
    when far more than KEEP would, only the KEEP with the smallest priorities (all that a
    bottom-KEEP sample can ever use).

    Drawing a priority for every row and keeping those below RATE is the same, in distribution,
    as drawing how many are kept (binomial), which rows (uniformly), and their priorities
    (uniform below RATE): the second costs what is kept, not n. QuantileSample's rate falls as
    8,192 / rows seen, so past the first rows little is drawn. Likewise the KEEP smallest of n
    priorities: the next one up is Beta(KEEP + 1, n - KEEP), and below it they are uniform.
    """
    import numpy as np

    if keep is not None and n * rate > 4 * keep:
        cut = float(rng.beta(keep + 1, n - keep))
        # cut >= rate would mean fewer than KEEP + 1 rows below RATE, with 4 * KEEP expected:
        # never seen in practice (probability below 1e-1000 at KEEP = 8,192), drawn in full then
        if cut < rate:
            rows = np.sort(rng.choice(n, size=keep, replace=False, shuffle=False))
            return rows, rng.random(keep) * cut
    if rate >= 0.05:
        priorities = rng.random(n)
        rows = np.flatnonzero(priorities < rate)
        return rows, priorities[rows]
    kept = int(rng.binomial(n, rate))
    rows = np.sort(rng.choice(n, size=kept, replace=False, shuffle=False))
    return rows, rng.random(kept) * rate


def _pack(array: npt.NDArray[Any]) -> str:
    import base64

    return base64.b64encode(array.astype(array.dtype.newbyteorder("<")).tobytes()).decode("ascii")


def _unpack(text: str, dtype: str) -> Any:
    import base64

    import numpy as np

    return np.frombuffer(base64.b64decode(text), dtype=np.dtype(dtype).newbyteorder("<")).astype(
        dtype
    )
