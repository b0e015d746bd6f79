"""A batch of one column as its distinct values, their counts and a code per row: how the
profile handles dictionaries, small-span integers and any column with few values (see
mlci/data/columns.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mlci.data.arrow import floats, integers, primitive, take, text_offsets, validity, values
from mlci.data.sketch import hash_numbers, hash_texts
from mlci.data.stats import VALUES_CAP

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

# An integer batch whose max - min is below this is counted with one bincount (2 MiB of counts).
DENSE_SPAN = 1 << 18


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
    lengths: npt.NDArray[np.int64] | None = None  # the uniques' lengths in bytes, when text

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
            lengths=None if self.lengths is None else self.lengths[keep],
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
    offsets = text_offsets(chosen) if text else None
    hashes = hash_texts(*offsets) if offsets is not None else None
    lengths = np.diff(offsets[0]) if offsets is not None else None
    uniques = values(chosen)
    if whole:
        uniques, hashes = uniques[seen], None if hashes is None else hashes[seen]
        lengths = None if lengths is None else lengths[seen]
    return Counted(
        uniques,
        counts[1:][seen],
        seen + 1,
        codes,
        size,
        int(counts[0]),
        texts=chosen if text and not whole else None,
        hashes=hashes,
        lengths=lengths,
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


def hashes_of(batch: Counted, numbers: npt.NDArray[np.float64] | None) -> npt.NDArray[np.uint64]:
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


def many_values(array: pa.Array) -> bool:
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
