"""Sketches: the fast union gives exactly what the plain definition gives."""

from __future__ import annotations

import numpy as np
import pytest

from mlci.data.sketch import HashSample, QuantileSample, hash_numbers


def plain_union(
    sample: HashSample, hashes: np.ndarray, counts: np.ndarray
) -> tuple[list[int], list[int], int]:
    """The definition: every distinct hash at or below the threshold with its summed count; past
    `size` of them, the smallest half, and a threshold just below the first one dropped."""
    totals: dict[int, int] = {}
    for h, c in zip(
        [*sample.hashes.tolist(), *hashes.tolist()],
        [*sample.counts.tolist(), *counts.tolist()],
        strict=True,
    ):
        if h <= sample.threshold:
            totals[h] = totals.get(h, 0) + c
    ordered = sorted(totals)
    threshold = sample.threshold
    if len(ordered) > sample.size:
        threshold = ordered[sample.size // 2] - 1
        ordered = ordered[: sample.size // 2]
    return ordered, [totals[h] for h in ordered], threshold


@pytest.mark.parametrize(
    ("batches", "distinct", "weighted"),
    [(5, 50, False), (5, 3_000, False), (8, 400, True), (3, 100_000, False), (3, 100_000, True)],
)
def test_hash_sample_add_is_the_plain_union(batches: int, distinct: int, weighted: bool) -> None:
    rng = np.random.default_rng(distinct + batches)
    pool = rng.integers(0, 2**63, distinct, dtype=np.uint64) * np.uint64(2)
    sample = HashSample.empty(size=1_024)
    for _ in range(batches):
        hashes = rng.choice(pool, size=20_000)
        counts = rng.integers(1, 5, len(hashes)) if weighted else np.ones(len(hashes), np.int64)
        expected = plain_union(sample, hashes, counts)
        sample = sample.add(hashes, counts.astype(np.int64) if weighted else None)
        assert (sample.hashes.tolist(), sample.counts.tolist(), sample.threshold) == expected


def test_quantile_sample_keeps_the_smallest_priorities() -> None:
    rng = np.random.default_rng(2)
    values, priorities = rng.normal(size=30_000), rng.random(30_000)
    sample = QuantileSample.empty(size=512)
    for start in range(0, 30_000, 7_000):
        part = slice(start, start + 7_000)
        sample = sample.merge(QuantileSample(values[part], priorities[part], 512))
    best = np.argsort(priorities)[:512]
    assert sorted(sample.values.tolist()) == sorted(values[best].tolist())


def test_hash_numbers_into_a_buffer_without_nan_gives_every_other_value_its_hash() -> None:
    """The raw path's call: -0.0 still hashes as 0.0, subnormals and infinities keep their own
    hashes, the result is written into OUT; only NaN's hash is left as it falls."""
    values = np.array([0.0, -0.0, 5e-324, -5e-324, np.inf, -np.inf, 1.5, np.nan, -2.0])
    out = np.zeros(len(values) + 3, dtype=np.uint64)
    fast = hash_numbers(values, np.empty(len(values), np.uint64), out=out, nan=False)
    plain = hash_numbers(values)
    assert np.shares_memory(fast, out)
    finite = ~np.isnan(values)
    assert fast[finite].tolist() == plain[finite].tolist()
    assert plain[0] == plain[1] and plain[0] != plain[2]
    assert plain[7] == hash_numbers(np.array([-np.nan]))[0]  # every NaN is the same NaN
