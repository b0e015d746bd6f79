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

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mlci.data.arrow import (
    as_integers,
    floats,
    integers,
    primitive,
    take,
    text_offsets,
    validity,
    values,
)
from mlci.data.contract import ColumnType
from mlci.data.reader import NUMBER_PATTERN, is_number
from mlci.data.sketch import (
    HashSample,
    QuantileSample,
    bernoulli_rows,
    hash_numbers,
    hash_texts,
)
from mlci.data.stats import (
    VALUES_CAP,
    ColumnProfile,
    Edges,
    Histogram,
    Moments,
    Profile,
    own_histogram,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

_SEED = 20_240_601
NULL_HASH = 0x9E3779B97F4A7C15  # the row-hash stand-in for a missing value
# An integer batch whose max - min is below this is counted with one bincount (2 MiB of counts).
DENSE_SPAN = 1 << 18
_INTEGRAL = (ColumnType.INT.value, ColumnType.BOOL.value, ColumnType.DATETIME.value)


def column_type_of(arrow_type: pa.DataType) -> str:
    import pyarrow.types as pat

    if pat.is_dictionary(arrow_type):
        return ColumnType.CATEGORY.value
    checks: list[tuple[Callable[[pa.DataType], bool], str]] = [
        (pat.is_boolean, ColumnType.BOOL.value),
        (pat.is_integer, ColumnType.INT.value),
        (pat.is_floating, ColumnType.FLOAT.value),
        (pat.is_decimal, ColumnType.FLOAT.value),
        (pat.is_temporal, ColumnType.DATETIME.value),
        (pat.is_null, "null"),
    ]
    return next((kind for test, kind in checks if test(arrow_type)), ColumnType.STRING.value)


class Accumulator:
    """Mutable state of one streaming pass; finish() freezes it into a Profile."""

    def __init__(self, schema: pa.Schema, edges: Edges, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.rows = 0
        self.row_hashes = _HashBuffer(HashSample.empty(1 << 17))
        self.columns = [
            ColumnState(name, column_type_of(schema.field(name).type), edges.get(name), i)
            for i, name in enumerate(schema.names)
        ]

    def add(self, batch: pa.RecordBatch) -> None:
        import numpy as np

        self.rows += batch.num_rows
        row_hash = np.zeros(batch.num_rows, dtype=np.uint64)
        states = self.columns
        # One task per column; each state is touched by one thread at a time, and map() returns
        # the hashes in column order, so the result does not depend on scheduling. (Keeping two
        # batches in flight, so that no thread waits for a batch's slowest column, measured no
        # faster: the read-ahead thread already fills that gap.)
        for col_hash in self.pool.map(lambda i: states[i].add(batch.column(i)), range(len(states))):
            # Order-dependent combination, so that (a, b) and (b, a) are different rows.
            row_hash *= np.uint64(1_000_003)
            row_hash ^= col_hash
        self.row_hashes.add(row_hash, None)

    def finish(self, source: Mapping[str, Any]) -> Profile:
        columns = {state.name: state.finish() for state in self.columns}
        return Profile(
            rows=self.rows,
            columns=columns,
            row_hashes=self.row_hashes.result(),
            source=dict(source),
        )


@dataclass(frozen=True)
class Counted:
    """A batch of one column as distinct values: row r holds uniques[i] where codes[r] ==
    slots[i]; code 0 is a missing value. `size` bounds the codes (a lookup table's length)."""

    uniques: npt.NDArray[Any]
    counts: npt.NDArray[np.int64]
    slots: npt.NDArray[np.intp]
    codes: npt.NDArray[Any]
    size: int
    missing: int
    texts: pa.Array | None = None  # the uniques as an Arrow string/binary array, when at hand
    hashes: npt.NDArray[np.uint64] | None = None  # the uniques' hashes, when text

    def table(self, per_unique: npt.NDArray[Any], fill: Any) -> npt.NDArray[Any]:
        """A lookup table by code: per_unique at the slots, FILL elsewhere."""
        import numpy as np

        out = np.full(self.size, fill, dtype=per_unique.dtype)
        out[self.slots] = per_unique
        return out

    def without(self, drop: npt.NDArray[np.bool_]) -> Counted:
        """The same rows with the uniques where DROP is true counted as missing (NaN)."""
        keep = ~drop
        return replace(
            self,
            uniques=self.uniques[keep],
            counts=self.counts[keep],
            slots=self.slots[keep],
            missing=self.missing + int(self.counts[drop].sum()),
            texts=None,
            hashes=None if self.hashes is None else self.hashes[keep],
        )


def from_dictionary(encoded: pa.DictionaryArray) -> Counted:
    import numpy as np
    import pyarrow as pa

    codes = np.add(primitive(encoded.indices), 1, dtype=np.intp)
    valid = validity(encoded.indices)
    if valid is not None:
        codes[~valid] = 0
    dictionary = encoded.dictionary
    size = len(dictionary) + 1
    counts = np.bincount(codes, minlength=size).astype(np.int64)
    seen = np.flatnonzero(counts[1:])
    # A Parquet column read dictionary-encoded brings its row group's whole dictionary with
    # every batch: a big one is cut to the entries this batch uses before it is converted.
    whole = len(dictionary) <= max(1_024, 4 * len(seen))
    chosen = dictionary if whole else take(dictionary, seen)
    kind = chosen.type
    text = any(
        test(kind)
        for test in (
            pa.types.is_string,
            pa.types.is_large_string,
            pa.types.is_binary,
            pa.types.is_large_binary,
        )
    )
    hashes = hash_texts(*text_offsets(chosen)) if text else None
    uniques = values(chosen)
    if whole:
        uniques, hashes = uniques[seen], None if hashes is None else hashes[seen]
    return Counted(
        uniques,
        counts[1:][seen],
        seen + 1,
        codes,
        size,
        int(counts[0]),
        texts=chosen if text and not whole else None,
        hashes=hashes,
    )


def from_span(ints: npt.NDArray[np.int64], valid: npt.NDArray[np.bool_] | None) -> Counted | None:
    """Integers counted by one bincount over [min, max], or None when the span is too wide."""
    import numpy as np

    present = ints if valid is None else ints[valid]
    if len(present) and int(present.min()) == np.iinfo(np.int64).min:
        return None  # the code arithmetic below would overflow
    if len(present) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Counted(
            empty, empty, empty.astype(np.intp), np.zeros(len(ints), np.intp), 1, len(ints)
        )
    low, high = int(present.min()), int(present.max())
    if high - low >= DENSE_SPAN:
        return None
    # Rows outside [low, high] are missing ones and are set to code 0 just after.
    codes = (ints - np.int64(low - 1)).astype(np.intp, copy=False)
    if valid is not None:
        codes[~valid] = 0
    counts = np.bincount(codes, minlength=high - low + 2).astype(np.int64)
    seen = np.flatnonzero(counts[1:])
    missing = len(ints) - len(present)
    return Counted(seen + low, counts[1:][seen], seen + 1, codes, high - low + 2, missing)


def _many_values(array: pa.Array) -> bool:
    """Whether the array's head alone has more than VALUES_CAP distinct values: then encoding
    the whole batch as a dictionary (the costliest step of a first batch) would be wasted."""
    import numpy as np
    import pyarrow as pa

    if len(array) <= 8 * VALUES_CAP:
        return False
    head = array.slice(0, 8 * VALUES_CAP)
    numbers, valid = integers(head) if pa.types.is_integer(head.type) else floats(head)
    ordered = np.sort(numbers if valid is None else numbers[valid])
    # (not np.unique: without return_counts it imports numpy.ma, 40 ms, on its first call)
    return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1])) > VALUES_CAP


class ColumnState:
    def __init__(self, name: str, kind: str, edges: tuple[float, ...] | None, index: int) -> None:
        import numpy as np

        # A stream of its own per column: samples do not depend on which thread ran first.
        self.rng = np.random.default_rng([_SEED, index])
        self.name = name
        self.kind = kind
        self.edges = None if edges is None else np.asarray(edges, dtype=np.float64)
        self.rows = 0
        self.nulls = 0
        self.moments = Moments()
        self.sample = _SampleBuffer(QuantileSample.empty())
        self.hashes = _HashBuffer(HashSample.empty())
        self.values: dict[Any, int] | None = {}
        self.hist = None if edges is None else np.zeros(len(edges) + 1, dtype=np.float64)
        self.number_like = 0
        self.examples: list[str] = []
        self.scratch = Scratch()  # one thread at a time uses a column's state

    @property
    def numeric(self) -> bool:
        return self.kind in (ColumnType.INT.value, ColumnType.FLOAT.value)

    def add(self, array: pa.Array) -> npt.NDArray[np.uint64]:
        """Update with one batch's column; returns each row's value hash (for duplicate rows)."""
        import pyarrow as pa

        self.rows += len(array)
        if pa.types.is_decimal(array.type):
            array = array.cast(pa.float64())
        if self.kind == ColumnType.DATETIME.value:
            if pa.types.is_dictionary(array.type):
                array = array.dictionary_decode()
            array = as_integers(array)
        counted = self._counted(array)
        return self._add_raw(array) if counted is None else self._add_counted(counted)

    def _counted(self, array: pa.Array) -> Counted | None:
        import pyarrow as pa

        if pa.types.is_dictionary(array.type):
            return from_dictionary(array)
        if self.kind in _INTEGRAL and not pa.types.is_uint64(array.type):
            counted = from_span(*integers(array))
            if counted is not None:
                return counted
        if self.kind in (*_INTEGRAL, ColumnType.FLOAT.value):
            if self.values is not None and _many_values(array):
                self.values = None
            if self.values is None:
                return None
        import pyarrow.compute as pc  # here only: its import alone takes 0.15 s

        return from_dictionary(pc.dictionary_encode(array))

    # --------------------------------------------------------------------------- counted path

    def _add_counted(self, batch: Counted) -> npt.NDArray[np.uint64]:
        import numpy as np

        numbers = None
        if self.numeric:
            numbers = batch.uniques.astype(np.float64)
            nan = np.isnan(numbers)
            batch = batch.without(nan)
            numbers = numbers[~nan]
        elif self.kind == ColumnType.BOOL.value:
            batch = replace(batch, uniques=batch.uniques.astype(bool))
        hashes = _hashes_of(batch, numbers)
        self.nulls += batch.missing
        self.hashes.add(hashes, batch.counts)
        counted_before = self.values is not None  # then _count_values reads the texts
        self._count_values(batch.uniques, batch.counts)
        if numbers is not None:
            self._numbers_counted(batch, numbers)
        elif self.kind == ColumnType.STRING.value and not counted_before:
            self._texts(batch.uniques, batch.counts, batch.texts)
        by_row: npt.NDArray[np.uint64] = batch.table(hashes, np.uint64(NULL_HASH))[batch.codes]
        return by_row

    def _numbers_counted(self, batch: Counted, numbers: npt.NDArray[np.float64]) -> None:
        import numpy as np

        finite = np.isfinite(numbers)
        values, counts = numbers[finite], batch.counts[finite]
        self.moments = self.moments.merge(
            Moments.of_counts(values, counts, integral=self._integral())
        )
        if self.edges is not None and self.hist is not None:
            bins = np.searchsorted(self.edges, values, side="left")
            self.hist += np.bincount(bins, weights=counts, minlength=len(self.hist))
        rows, priorities = bernoulli_rows(
            len(batch.codes), self.sample.threshold, self.rng, self.sample.sample.size
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
            import pyarrow.compute as pc  # many values: worth its import

            number = primitive(pc.match_substring_regex(texts, NUMBER_PATTERN))
        else:
            number = np.array([is_number(str(value)) for value in uniques.tolist()], dtype=bool)
        self.number_like += int(counts[number].sum())
        if len(self.examples) >= 3:
            return
        for value in uniques[~number][:6].tolist():
            if len(self.examples) < 3 and str(value) not in self.examples:
                self.examples.append(str(value))

    # ------------------------------------------------------------------------------- raw path

    def _add_raw(self, array: pa.Array) -> npt.NDArray[np.uint64]:
        """A numeric batch with many distinct values over a wide span (or a wide timestamp)."""
        import numpy as np

        numbers: npt.NDArray[np.float64] | None = None
        values: npt.NDArray[Any]
        if self.numeric:
            numbers, valid = floats(array)
            values = numbers
        else:
            values, valid = integers(array)
        hashes = hash_numbers(values, self.scratch.get("hash", len(values), np.uint64))
        below = hashes <= np.uint64(self.hashes.threshold)
        if valid is not None:
            below &= valid
        self.hashes.add(hashes[below], None)
        self.nulls += 0 if valid is None else len(values) - int(np.count_nonzero(valid))
        if numbers is not None:
            self._numbers_raw(numbers if valid is None else numbers[valid])
        if valid is not None:
            np.copyto(hashes, np.uint64(NULL_HASH), where=~valid)
        return hashes

    def _numbers_raw(self, values: npt.NDArray[np.float64]) -> None:
        import numpy as np

        # +-inf would make the mean and the JSON profile meaningless; they count as values
        # (rows, distinct) but stay out of the statistics. A finite sum proves there are none.
        with np.errstate(invalid="ignore"):  # inf + -inf is NaN: still "not finite"
            total = values.sum()
        if not np.isfinite(total):
            values = values[np.isfinite(values)]
        deviations = self.scratch.get("deviations", len(values), np.float64)
        self.moments = self.moments.merge(
            Moments.of(values, integral=self._integral(), scratch=deviations)
        )
        if self.edges is not None and self.hist is not None:
            # Cumulative counts at each edge (bins are (e[i-1], e[i]]): a compare-and-count per
            # edge is several times cheaper than placing every value with searchsorted.
            below = [np.count_nonzero(values <= edge) for edge in self.edges]
            self.hist += np.diff(np.array([0, *below, len(values)], dtype=np.float64))
        rows, priorities = bernoulli_rows(
            len(values), self.sample.threshold, self.rng, self.sample.sample.size
        )
        self.sample.add(values[rows], priorities)

    def _integral(self) -> bool | None:
        """An int column is integral by its type; a float one, until a batch shows otherwise."""
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
        )
        if not self.numeric:
            return col
        hist = None
        if self.hist is not None and self.edges is not None:
            counts = tuple(float(c) for c in self.hist)
            hist = Histogram(tuple(float(e) for e in self.edges), counts, exact=True)
        col = replace(col, moments=self.moments, quantile_sample=self.sample.result())
        return replace(col, histogram=hist or own_histogram(col))


def _hashes_of(batch: Counted, numbers: npt.NDArray[np.float64] | None) -> npt.NDArray[np.uint64]:
    """The hash of each distinct value: numbers as float64 (as on the raw path), integers,
    booleans and timestamps as int64, text by its bytes."""
    import numpy as np

    if numbers is not None:
        return hash_numbers(numbers)
    if batch.hashes is not None:
        return batch.hashes
    uniques = batch.uniques
    if uniques.dtype.kind in "biu":
        return hash_numbers(uniques.astype(np.int64))
    if uniques.dtype.kind == "f":
        return hash_numbers(uniques.astype(np.float64))
    encoded = [str(value).encode("utf-8") for value in uniques.tolist()]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return hash_texts(offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8))


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


class _HashBuffer:
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


class _SampleBuffer:
    """A QuantileSample fed in bulk, as _HashBuffer."""

    def __init__(self, sample: QuantileSample) -> None:
        self.sample = sample
        self.values: list[npt.NDArray[np.float64]] = []
        self.priorities: list[npt.NDArray[np.float64]] = []
        self.pending = 0

    @property
    def threshold(self) -> float:
        return self.sample.threshold

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
