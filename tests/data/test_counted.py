"""Counting a batch by its distinct values: dictionaries and small-span integers agree."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mlci.data.arrow import integers
from mlci.data.counted import from_dictionary, from_span


def test_dense_and_dictionary_counting_give_the_same_rows() -> None:
    array = pa.array([5, None, 7, 5, 5, -2, None, 7], type=pa.int32())
    dense = from_span(*integers(array))
    encoded = from_dictionary(pc.dictionary_encode(array))
    assert dense is not None
    for counted in (dense, encoded):
        by_code = counted.table(counted.uniques.astype(np.float64), np.nan)[counted.codes]
        assert dict(zip(counted.uniques.tolist(), counted.counts.tolist(), strict=True)) == {
            5: 3,
            7: 2,
            -2: 1,
        }
        assert counted.missing == 2
        assert np.array_equal(by_code, [5, np.nan, 7, 5, 5, -2, np.nan, 7], equal_nan=True)


def test_a_wide_span_is_not_counted_densely() -> None:
    assert from_span(np.array([0, 1 << 40], dtype=np.int64), None) is None
    assert from_span(np.array([np.iinfo(np.int64).min, 0], dtype=np.int64), None) is None
