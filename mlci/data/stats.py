"""The statistics a profile holds, as immutable values that merge: moments, histograms, one
column's profile and a table's (mlci/data/profile.py computes them and reads and writes them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlci.data.rowsample import RowSample
from mlci.data.sketch import HashSample, QuantileSample
from mlci.data.types import ColumnType

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

VALUES_CAP = 1_000
DECILES = [i / 10 for i in range(1, 10)]
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]

Edges = Mapping[str, tuple[float, ...]]


@dataclass(frozen=True)
class Moments:
    """count, mean and M2 (sum of squared deviations) of the non-null numbers, plus min/max."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    min: float | None = None
    max: float | None = None
    integral: bool = True

    @property
    def variance(self) -> float | None:
        return self.m2 / (self.count - 1) if self.count > 1 else None

    @property
    def std(self) -> float | None:
        var = self.variance
        return None if var is None else math.sqrt(var)

    def without(
        self, part: Moments, *, min_stays: bool = False, max_stays: bool = False
    ) -> Moments | None:
        """These moments with PART's values taken back out (merge in reverse); None when that
        is not known exactly: PART holds this min or max and the caller does not know that
        another value equal to it stays (MIN_STAYS, MAX_STAYS), or PART is all of the values.
        For a few values out of many the rounding is merge's."""
        if part.count == 0:
            return self
        n = self.count - part.count
        if n <= 0:
            return None
        ranged = None not in (self.min, self.max, part.min, part.max)  # else no range kept
        if ranged and (
            (part.min <= self.min and not min_stays)  # type: ignore[operator]
            or (part.max >= self.max and not max_stays)  # type: ignore[operator]
        ):
            return None
        mean = (self.count * self.mean - part.count * part.mean) / n
        delta = part.mean - mean
        m2 = self.m2 - part.m2 - delta * delta * n * part.count / self.count
        low, high = (self.min, self.max) if ranged else (None, None)
        return Moments(n, mean, max(m2, 0.0), low, high, self.integral)

    def merge(self, other: Moments) -> Moments:
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        delta = other.mean - self.mean
        return Moments(
            count=n,
            mean=self.mean + delta * other.count / n,
            m2=self.m2 + other.m2 + delta * delta * self.count * other.count / n,
            min=_either(min, self.min, other.min),
            max=_either(max, self.max, other.max),
            integral=self.integral and other.integral,
        )

    @classmethod
    def of(
        cls,
        values: npt.NDArray[np.float64],
        integral: bool | None = None,
        scratch: npt.NDArray[np.float64] | None = None,
        total: float | None = None,
        spread: bool = True,
    ) -> Moments:
        """Moments of finite values; `integral` when already known (an int column); SCRATCH, a
        buffer of at least len(values) for the deviations (see buffers.Scratch); TOTAL, their
        sum when already computed (values.mean() is that sum over the count, bit for bit).
        SPREAD=False: neither M2 (NaN, so that no variance is read from it) nor min and max
        (None), four passes fewer, for a pass whose only reader is drift's "mean a → b" (the
        monitor's window).

        Sums of products go through einsum, not np.dot: dot calls OpenBLAS, whose threads
        spin while they wait and, beside the profiling threads, burned half the CPU."""
        import numpy as np

        if len(values) == 0:
            return cls()
        mean = float(values.sum() if total is None else total) / len(values)
        integral = _integral(values) if integral is None else integral
        if not spread:
            return cls(len(values), mean, math.nan, None, None, integral)
        out = None if scratch is None else scratch[: len(values)]
        deviations = np.subtract(values, mean, out=out)
        return cls(
            count=len(values),
            mean=mean,
            m2=float(np.einsum("i,i->", deviations, deviations)),
            min=float(values.min()),
            max=float(values.max()),
            integral=integral,
        )

    @classmethod
    def of_counts(
        cls,
        values: npt.NDArray[np.float64],
        counts: npt.NDArray[np.int64],
        integral: bool | None = None,
    ) -> Moments:
        """Moments of distinct finite VALUES seen COUNTS times each (all counts > 0)."""
        import numpy as np

        n = int(counts.sum())
        if n == 0:
            return cls()
        weights = counts.astype(np.float64)
        mean = float(np.einsum("i,i->", values, weights) / n)
        deviations = values - mean
        return cls(
            count=n,
            mean=mean,
            m2=float(np.einsum("i,i,i->", deviations, deviations, weights)),
            min=float(values.min()),
            max=float(values.max()),
            integral=_integral(values) if integral is None else integral,
        )


def _either(pick: Any, a: float | None, b: float | None) -> float | None:
    """min or max of two bounds; None when either side kept none (Moments.of(spread=False))."""
    return None if a is None or b is None else pick(a, b)


def _integral(values: npt.NDArray[np.float64]) -> bool:
    import numpy as np

    return bool(np.array_equal(values, np.floor(values)))


@dataclass(frozen=True)
class Histogram:
    """Counts on bins (-inf, e1], (e1, e2], ..., (ek, inf) given by the interior edges."""

    edges: tuple[float, ...]
    counts: tuple[float, ...]
    exact: bool

    def merge(self, other: Histogram) -> Histogram:
        if self.edges != other.edges:
            raise ValueError("histograms on different edges do not merge")
        counts = tuple(a + b for a, b in zip(self.counts, other.counts, strict=True))
        return Histogram(self.edges, counts, self.exact and other.exact)


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str  # a ColumnType value, or "null" for a column with no values at all
    rows: int
    nulls: int
    moments: Moments | None = None
    histogram: Histogram | None = None
    quantile_sample: QuantileSample | None = None
    hash_sample: HashSample = field(default_factory=HashSample.empty)
    # value -> count while the column has at most VALUES_CAP distinct values, else None
    values: Mapping[Any, int] | None = field(default_factory=dict)
    number_like: int = 0  # text values that read as numbers (for the mixed-types check)
    text_examples: tuple[str, ...] = ()  # a few text values that do not
    text_lengths: tuple[int, int] | None = None  # shortest and longest text value, in bytes
    # a date or timestamp column's oldest and newest value, as counts of time_unit since 1970
    time_range: tuple[int, int] | None = None
    time_unit: str | None = None  # "s", "ms", "us", "ns" or "D" (days)

    @property
    def numeric(self) -> bool:
        return self.type in (ColumnType.INT.value, ColumnType.FLOAT.value)

    @property
    def present(self) -> int:
        return self.rows - self.nulls

    def distinct(self) -> float:
        return float(len(self.values)) if self.values is not None else self.hash_sample.distinct()

    def distinct_exact(self) -> bool:
        return self.values is not None or self.hash_sample.exact

    def quantiles(self, qs: list[float] = QUANTILES) -> dict[str, float]:
        if self.quantile_sample is None:
            return {}
        return {
            f"p{round(q * 100)}": v
            for q, v in zip(qs, self.quantile_sample.quantiles(qs), strict=False)
        }

    def top(self, k: int = 10) -> tuple[list[tuple[Any, int]], int]:
        """The k most frequent values and the count of all others (the "other" bucket)."""
        if self.values is None:
            return [], self.present
        ranked = sorted(self.values.items(), key=lambda kv: (-kv[1], str(kv[0])))
        return ranked[:k], sum(c for _, c in ranked[k:])


@dataclass(frozen=True)
class Profile:
    rows: int
    columns: Mapping[str, ColumnProfile]
    row_hashes: HashSample
    source: Mapping[str, Any] = field(default_factory=dict)
    row_sample: RowSample | None = None  # None: a profile written before mlci kept one

    def edges(self) -> dict[str, tuple[float, ...]]:
        return {
            name: col.histogram.edges
            for name, col in self.columns.items()
            if col.histogram is not None
        }

    def duplicates(self) -> float:
        return self.row_hashes.repeats()


def own_histogram(col: ColumnProfile) -> Histogram | None:
    """Deciles of the column's own sample as edges, counts estimated from the sample."""

    sample = col.quantile_sample
    if sample is None or len(sample.values) == 0:
        return None
    edges = tuple(sorted(set(sample.quantiles(DECILES))))
    return histogram_from_sample(sample, edges, col.present)


def histogram_from_sample(
    sample: QuantileSample, edges: tuple[float, ...], total: int
) -> Histogram:
    import numpy as np

    binned = np.bincount(
        np.searchsorted(np.asarray(edges), sample.values, side="left"), minlength=len(edges) + 1
    )
    exact = len(sample.values) == total
    scale = 1.0 if exact else total / max(len(sample.values), 1)
    return Histogram(edges, tuple(float(b) * scale for b in binned), exact=exact)
