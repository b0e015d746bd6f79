"""Buffers a column keeps across batches: scratch arrays, and sketches fed in bulk."""

from __future__ import annotations

import numpy as np

from mlci.data.buffers import HashBuffer, SampleBuffer, Scratch
from mlci.data.sketch import HashSample, QuantileSample


def test_scratch_reuses_a_buffer_big_enough_and_grows_when_not() -> None:
    scratch = Scratch()
    first = scratch.get("dev", 100, np.float64)
    smaller = scratch.get("dev", 10, np.float64)
    assert len(smaller) == 10 and np.shares_memory(first, smaller)
    bigger = scratch.get("dev", 1000, np.float64)
    assert len(bigger) == 1000 and not np.shares_memory(first, bigger)
    assert scratch.get("other", 5, np.int64).dtype == np.int64


def test_a_hash_buffer_holds_every_distinct_hash_below_its_threshold_with_its_count() -> None:
    rng = np.random.default_rng(0)
    batches = [rng.integers(0, 2**63, 300, dtype=np.uint64) for _ in range(20)]
    counts = [None if i % 2 else np.full(300, 2, np.int64) for i in range(20)]
    buffer = HashBuffer(HashSample.empty(size=512))
    for hashes, c in zip(batches, counts, strict=True):
        buffer.add(hashes, c)
    got = buffer.result()
    assert not got.exact and len(got.hashes) <= 512
    # the sketch's invariant, whatever the batching: exactly the hashes at or below the threshold
    every = np.concatenate(batches)
    weight = np.concatenate([np.ones(300, np.int64) if c is None else c for c in counts])
    below = every <= np.uint64(got.threshold)
    expected, inverse = np.unique(every[below], return_inverse=True)
    assert got.hashes.tolist() == expected.tolist()
    assert got.counts.tolist() == np.bincount(inverse, weights=weight[below]).astype(int).tolist()


def test_few_hashes_stay_exact_with_their_counts() -> None:
    buffer = HashBuffer(HashSample.empty(size=100))
    buffer.add(np.array([5, 3], dtype=np.uint64), None)
    buffer.add(np.array([3], dtype=np.uint64), np.array([4], dtype=np.int64))
    assert buffer.pending == 3  # below the sample's size: nothing folded yet
    got = buffer.result()
    assert (got.exact, got.hashes.tolist(), got.counts.tolist()) == (True, [3, 5], [5, 1])


def test_a_sample_buffer_keeps_the_smallest_priorities_of_every_batch() -> None:
    rng = np.random.default_rng(1)
    values, priorities = rng.normal(size=1000), rng.random(1000)
    buffer = SampleBuffer(QuantileSample.empty(size=64))
    for start in range(0, 1000, 50):
        buffer.add(values[start : start + 50], priorities[start : start + 50])
    got = buffer.result()
    keep = np.argsort(priorities)[:64]
    assert sorted(got.priorities.tolist()) == sorted(priorities[keep].tolist())
    assert sorted(got.values.tolist()) == sorted(values[keep].tolist())
    assert buffer.size == 64 and buffer.threshold == float(priorities[keep].max())
