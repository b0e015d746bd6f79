"""The bounded row sample of the joint drift check: bottom-k by a hash of each row's content."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from mlci.data.rowsample import RowSample, RowSampler


def batch(start: int, n: int) -> pa.RecordBatch:
    ids = list(range(start, start + n))
    return pa.record_batch(
        {"id": ids, "x": [float(i) / 2 for i in ids], "city": [f"c{i % 3}" for i in ids]}
    )


def hashes(start: int, n: int) -> np.ndarray:
    # a stand-in for the row hash of mlci/data/columns.py: any fixed function of the row
    return (np.arange(start, start + n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (
        np.uint64(12345)
    )


def sampled(parts: list[tuple[int, int]], size: int) -> RowSample:
    sampler = RowSampler(["id", "x", "city"], size)
    for start, n in parts:
        sampler.add(batch(start, n), hashes(start, n))
    return sampler.sample


def test_the_sample_does_not_depend_on_how_the_rows_were_batched() -> None:
    one = sampled([(0, 500)], 64)
    many = sampled([(300, 200), (0, 100), (100, 200)], 64)
    assert len(one) == 64
    assert one.priorities.tolist() == many.priorities.tolist()
    assert one.columns == many.columns
    assert list(one.priorities) == sorted(one.priorities)
    assert one.threshold == int(one.priorities[-1])


def test_merging_two_samples_is_the_sample_of_both_tables() -> None:
    merged = sampled([(0, 250)], 32).merge(sampled([(250, 250)], 32))
    assert merged.columns == sampled([(0, 500)], 32).columns


def test_a_sample_not_yet_full_takes_every_row() -> None:
    sample = sampled([(0, 5)], 64)
    assert len(sample) == 5 and sample.threshold == (1 << 64) - 1
    assert sorted(sample.columns["id"]) == [0, 1, 2, 3, 4]


def test_samples_of_other_columns_do_not_merge() -> None:
    with pytest.raises(ValueError, match="row samples of different columns do not merge"):
        RowSample.empty(["a"]).merge(RowSample.empty(["b"]))


def test_json_round_trip_writes_nan_as_null() -> None:
    sample = RowSample(np.array([1, 2], dtype=np.uint64), {"x": (math.nan, 1.5)}, 10)
    doc = sample.to_json()
    assert doc["columns"] == {"x": [None, 1.5]} and doc["size"] == 10
    back = RowSample.from_json(doc)
    assert back.priorities.tolist() == [1, 2] and back.columns == {"x": (None, 1.5)}


def test_dictionary_and_float_columns_come_back_as_python_values() -> None:
    city = pa.array(["a", "b", "a"]).dictionary_encode()
    data = pa.record_batch({"city": city, "x": pa.array([1.0, float("nan"), None])})
    sampler = RowSampler(["city", "x"], 10)
    sampler.add(data, np.array([1, 2, 3], dtype=np.uint64))
    rows = sorted(zip(*sampler.sample.columns.values(), strict=True), key=str)
    assert rows == [("a", 1.0), ("a", None), ("b", None)]
