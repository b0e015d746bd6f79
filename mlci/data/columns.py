"""The streaming pass behind a profile: per-column kernels over Arrow record batches.

Each batch of a column takes one of two paths, whichever is cheaper for it:

- counted: the batch as its distinct values, their counts and a code per row. Dictionary arrays
  (Parquet text columns are read dictionary-encoded) come that way; integers and booleans whose
  span is small take one `bincount`; other columns are dictionary-encoded while they have at most
  VALUES_CAP distinct values, and text always. Moments and histograms are then computed on the
  distinct values weighted by their counts, and hashes on the distinct values only.
- raw: numbers with many distinct values and a wide span. One pass each for the moments, the
  histogram's cumulative counts and the hashes.

Either way the quantile sample draws only the rows it keeps (sketch.bernoulli_rows), and sketch
updates are buffered and folded in once the buffer outgrows the sketch, not at every batch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mlci.data.arrow import (
    as_integers,
    cast,
    compute,
    decoded,
    floats_summed,
    integers,
    matches,
    primitive,
)
from mlci.data.buffers import HashBuffer, SampleBuffer, Scratch
from mlci.data.counted import Counted, from_dictionary, from_span, hashes_of, many_values
from mlci.data.reader import NUMBER_PATTERN, is_number
from mlci.data.sketch import HashSample, QuantileSample, bernoulli_rows, hash_numbers
from mlci.data.stats import (
    VALUES_CAP,
    ColumnProfile,
    Histogram,
    Moments,
    own_histogram,
)
from mlci.data.types import ColumnType

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

SEED = 20_240_601
NULL_HASH = 0x9E3779B97F4A7C15  # the row-hash stand-in for a missing value
_INTEGRAL = (ColumnType.INT.value, ColumnType.BOOL.value, ColumnType.DATETIME.value)


class ColumnState:
    def __init__(
        self,
        name: str,
        kind: str,
        edges: tuple[float, ...] | None,
        index: int,
        *,
        hashes: bool = True,
        values: bool = True,
        samples: bool = True,
        spread: bool = True,
    ) -> None:
        import numpy as np

        self.hashed = hashes
        self.sampled = samples  # False: no quantile sample (only Wasserstein drift reads one)
        self.spread = spread  # False: moments without M2 (Moments.of)
        # A stream of its own per column: samples do not depend on which thread ran first.
        self.rng = np.random.default_rng([SEED, index])
        self.name = name
        self.kind = kind
        self.edges = None if edges is None else np.asarray(edges, dtype=np.float64)
        self.rows = 0
        self.nulls = 0
        self.moments = Moments()
        self.sample = SampleBuffer(QuantileSample.empty())
        self.hashes = HashBuffer(HashSample.empty())
        self.values: dict[Any, int] | None = {} if values or not self.numeric else None
        self.hist = None if edges is None else np.zeros(len(edges) + 1, dtype=np.float64)
        self.number_like = 0
        self.examples: list[str] = []
        self.lengths: tuple[int, int] | None = None
        self.time_unit: str | None = None
        self.time_range: tuple[int, int] | None = None
        self.scratch = Scratch()  # one thread at a time uses a column's state

    @property
    def numeric(self) -> bool:
        return self.kind in (ColumnType.INT.value, ColumnType.FLOAT.value)

    def add(self, array: pa.Array) -> npt.NDArray[np.uint64] | None:
        """Update with one batch's column; returns each row's value hash (for duplicate rows),
        or None when the state keeps no hashes."""
        import pyarrow as pa

        self.rows += len(array)
        if pa.types.is_decimal(array.type):
            array = cast(array, pa.float64())
        if self.kind == ColumnType.DATETIME.value:
            if pa.types.is_dictionary(array.type):
                array = decoded(array)
            array = as_integers(array)
            if self.time_unit is not None:
                self._times(array)
        counted = self._counted(array)
        return self._add_raw(array) if counted is None else self._add_counted(counted)

    def _times(self, array: pa.Array) -> None:
        """The oldest and newest value (one min/max pass: freshness needs them)."""
        ints, valid = integers(array)
        present = ints if valid is None else ints[valid]
        if not len(present):
            return
        low, high = int(present.min()), int(present.max())
        if self.time_range is not None:
            low, high = min(low, self.time_range[0]), max(high, self.time_range[1])
        self.time_range = (low, high)

    def _counted(self, array: pa.Array) -> Counted | None:
        import pyarrow as pa

        if pa.types.is_dictionary(array.type):
            return from_dictionary(array)
        if self.kind in _INTEGRAL and not pa.types.is_uint64(array.type):
            counted = from_span(*integers(array))
            if counted is not None:
                return counted
        if self.kind in (*_INTEGRAL, ColumnType.FLOAT.value):
            if self.values is not None and many_values(array):
                self.values = None
            if self.values is None:
                return None
        return from_dictionary(compute("dictionary_encode", array))

    # --------------------------------------------------------------------------- counted path

    def _add_counted(self, batch: Counted) -> npt.NDArray[np.uint64] | None:
        import numpy as np

        numbers = None
        if self.numeric:
            numbers = batch.uniques.astype(np.float64)
            nan = np.isnan(numbers)
            batch = batch.without(nan)
            numbers = numbers[~nan]
        elif self.kind == ColumnType.BOOL.value:
            batch = replace(batch, uniques=batch.uniques.astype(bool))
        self.nulls += batch.missing
        hashes = None
        if self.hashed:
            hashes = hashes_of(batch, numbers)
            self.hashes.add(hashes, batch.counts)
        counted_before = self.values is not None  # then _count_values reads the texts
        self._count_values(batch.uniques, batch.counts)
        if numbers is not None:
            self._numbers_counted(batch, numbers)
        elif self.kind == ColumnType.STRING.value and not counted_before:
            self._texts(batch.uniques, batch.counts, batch.texts)
        if batch.lengths is not None and len(batch.lengths):
            low, high = int(batch.lengths.min()), int(batch.lengths.max())
            if self.lengths is not None:
                low, high = min(low, self.lengths[0]), max(high, self.lengths[1])
            self.lengths = (low, high)
        if hashes is None:
            return None
        by_row: npt.NDArray[np.uint64] = batch.table(hashes, np.uint64(NULL_HASH))[batch.codes]
        return by_row

    def _numbers_counted(self, batch: Counted, numbers: npt.NDArray[np.float64]) -> None:
        import numpy as np

        finite = np.isfinite(numbers)
        values, counts = numbers[finite], batch.counts[finite]
        self.moments = self.moments.merge(
            Moments.of_counts(values, counts, integral=self.integral_so_far())
        )
        if self.edges is not None and self.hist is not None:
            bins = np.searchsorted(self.edges, values, side="left")
            self.hist += np.bincount(bins, weights=counts, minlength=len(self.hist))
        if not self.sampled:
            return
        rows, priorities = bernoulli_rows(
            len(batch.codes), self.sample.threshold, self.rng, self.sample.size
        )
        by_code = batch.table(np.where(finite, numbers, np.nan), np.nan)
        drawn = by_code[batch.codes[rows]]
        kept = ~np.isnan(drawn)
        self.sample.add(drawn[kept], priorities[kept])

    def _count_values(self, uniques: npt.NDArray[Any], counts: npt.NDArray[np.int64]) -> None:
        """Exact counts while there are at most VALUES_CAP distinct values; text values are
        checked for numbers once, from these counts, for as long as they are kept."""
        if self.values is None:
            return
        if len(uniques) <= VALUES_CAP:
            for value, count in zip(uniques.tolist(), counts.tolist(), strict=True):
                self.values[value] = self.values.get(value, 0) + count
            if len(self.values) <= VALUES_CAP:
                return
        if self.kind == ColumnType.STRING.value:
            self._texts_of_values()
            if len(uniques) > VALUES_CAP:
                self._texts(uniques, counts, None)
        self.values = None

    def _texts_of_values(self) -> None:
        import numpy as np

        if self.values:
            uniques = np.array(list(self.values), dtype=object)
            self._texts(uniques, np.array(list(self.values.values()), dtype=np.int64), None)

    def _texts(
        self, uniques: npt.NDArray[Any], counts: npt.NDArray[np.int64], texts: pa.Array | None
    ) -> None:
        """Count the text values that read as numbers; keep a few examples of those that do not.
        TEXTS (the uniques as Arrow strings) lets pyarrow run the pattern on all at once."""
        import numpy as np
        import pyarrow as pa

        if not len(uniques):
            return
        if texts is not None and pa.types.is_string(texts.type):
            number = primitive(matches(texts, NUMBER_PATTERN))
        else:
            number = np.array([is_number(str(value)) for value in uniques.tolist()], dtype=bool)
        self.number_like += int(counts[number].sum())
        if len(self.examples) >= 3:
            return
        for value in uniques[~number][:6].tolist():
            if len(self.examples) < 3 and str(value) not in self.examples:
                self.examples.append(str(value))

    # ------------------------------------------------------------------------------- raw path

    def _add_raw(self, array: pa.Array) -> npt.NDArray[np.uint64] | None:
        """A numeric batch with many distinct values over a wide span (or a wide timestamp)."""
        import numpy as np

        numbers: npt.NDArray[np.float64] | None = None
        values: npt.NDArray[Any]
        total = None
        if self.numeric:
            numbers, valid, total = floats_summed(array)
            values = numbers
        else:
            values, valid = integers(array)
        self.nulls += 0 if valid is None else len(values) - int(np.count_nonzero(valid))
        if numbers is not None:
            self._numbers_raw(numbers if valid is None else numbers[valid], total)
        if not self.hashed:
            return None
        # NaN and null rows are masked below, so their hashes need not be right; the result is
        # a kept buffer, read by Accumulator.add before this column's next batch
        hashes = hash_numbers(
            values,
            self.scratch.get("hash", len(values), np.uint64),
            out=self.scratch.get("hashes", len(values), np.uint64),
            nan=False,
        )
        below = hashes <= np.uint64(self.hashes.threshold)
        if valid is not None:
            below &= valid
        self.hashes.add(hashes[below], None)
        if valid is not None:
            np.copyto(hashes, np.uint64(NULL_HASH), where=~valid)
        return hashes

    def _numbers_raw(self, values: npt.NDArray[np.float64], total: float | None = None) -> None:
        """VALUES: the batch's present values; TOTAL, their sum when known (arrow.floats_summed)."""
        import numpy as np

        # +-inf would make the mean and the JSON profile meaningless; they count as values
        # (rows, distinct) but stay out of the statistics. A finite sum proves there are none.
        if total is None:
            with np.errstate(invalid="ignore"):  # inf + -inf is NaN: still "not finite"
                total = values.sum()
        finite = bool(np.isfinite(total))
        if not finite:
            values = values[np.isfinite(values)]
        deviations = self.scratch.get("deviations", len(values), np.float64)
        self.moments = self.moments.merge(
            Moments.of(
                values,
                integral=self.integral_so_far(),
                scratch=deviations,
                total=float(total) if finite else None,
                spread=self.spread,
            )
        )
        if self.edges is not None and self.hist is not None:
            self.hist += self.bins_of(values)
        if not self.sampled:
            return
        rows, priorities = bernoulli_rows(
            len(values), self.sample.threshold, self.rng, self.sample.size
        )
        self.sample.add(values[rows], priorities)

    def bins_of(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """How many of VALUES fall in each bin. Cumulative counts at each edge (bins are
        (e[i-1], e[i]]): a compare-and-count per edge is several times cheaper than placing
        every value with searchsorted."""
        import numpy as np

        assert self.edges is not None
        below = [np.count_nonzero(values <= edge) for edge in self.edges]
        counts: npt.NDArray[np.float64] = np.diff(
            np.array([0, *below, len(values)], dtype=np.float64)
        )
        return counts

    def takes_back(self, array: pa.Array) -> bool:
        """Whether this batch may be profiled whole and some rows taken back out after
        (mlci/data/kept.py): a float batch on the raw path, in a pass that keeps no hashes nor
        sample."""
        import pyarrow as pa

        return (
            not self.hashed
            and not self.sampled
            and self.kind == ColumnType.FLOAT.value
            and self.values is None
            and pa.types.is_float64(array.type)
        )

    def fold_kept(self, rows: int, moments: Moments, bins: npt.NDArray[np.float64] | None) -> None:
        """Count ROWS present values (no nulls) with their MOMENTS and BINS (kept.py)."""
        self.rows += rows
        self.moments = self.moments.merge(moments)
        if bins is not None and self.hist is not None:
            self.hist += bins

    def integral_so_far(self) -> bool | None:
        """An int column is integral by its type; a float one, until a batch shows otherwise
        (False then; None: to be checked)."""
        if self.kind == ColumnType.INT.value:
            return True
        return None if self.moments.integral else False

    # ---------------------------------------------------------------------------------- finish

    def finish(self) -> ColumnProfile:
        if self.kind == ColumnType.STRING.value and self.values is not None:
            self._texts_of_values()
        kind = (
            self.kind
            if not (self.kind == "null" and self.rows > self.nulls)
            else ColumnType.STRING.value
        )
        col = ColumnProfile(
            name=self.name,
            type=kind,
            rows=self.rows,
            nulls=self.nulls,
            hash_sample=self.hashes.result(),
            values=self.values,
            number_like=self.number_like,
            text_examples=tuple(self.examples),
            text_lengths=self.lengths,
            time_range=self.time_range,
            time_unit=self.time_unit if self.time_range is not None else None,
        )
        if not self.numeric:
            return col
        hist = None
        if self.hist is not None and self.edges is not None:
            counts = tuple(float(c) for c in self.hist)
            hist = Histogram(tuple(float(e) for e in self.edges), counts, exact=True)
        sample = self.sample.result() if self.sampled else None
        col = replace(col, moments=self.moments, quantile_sample=sample)
        return replace(col, histogram=hist or own_histogram(col))
