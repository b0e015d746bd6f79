"""The statistics a profile holds: moments, histograms and column profiles, and how they merge."""

from __future__ import annotations

import numpy as np
import pytest

from mlci.data.sketch import QuantileSample
from mlci.data.stats import ColumnProfile, Histogram, Moments, histogram_from_sample, own_histogram


def test_moments_of_counts_equal_moments_of_the_rows() -> None:
    values, counts = np.array([-1.5, 2.0, 10.0]), np.array([3, 1, 2])
    rows = np.repeat(values, counts)
    a, b = Moments.of_counts(values, counts), Moments.of(rows)
    assert (
        (a.count, a.min, a.max, a.integral)
        == (b.count, b.min, b.max, b.integral)
        == (
            6,
            -1.5,
            10.0,
            False,
        )
    )
    assert a.mean == pytest.approx(b.mean) and a.m2 == pytest.approx(b.m2)


def test_merged_moments_equal_the_moments_of_all_rows() -> None:
    left, right = np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0])
    merged = Moments.of(left).merge(Moments.of(right))
    whole = Moments.of(np.concatenate([left, right]))
    assert (merged.count, merged.min, merged.max, merged.integral) == (5, 1.0, 20.0, True)
    assert merged.mean == pytest.approx(whole.mean) and merged.m2 == pytest.approx(whole.m2)
    assert merged.variance == pytest.approx(np.var([1, 2, 3, 10, 20], ddof=1))
    assert Moments().merge(merged) == merged and merged.merge(Moments()) == merged


def test_one_value_has_no_variance() -> None:
    one = Moments.of(np.array([4.0]))
    assert (one.variance, one.std) == (None, None)
    assert Moments.of(np.array([])) == Moments()


def test_histograms_merge_only_on_the_same_edges() -> None:
    a = Histogram((1.0, 2.0), (1.0, 2.0, 3.0), exact=True)
    b = Histogram((1.0, 2.0), (0.0, 1.0, 1.0), exact=False)
    assert a.merge(b) == Histogram((1.0, 2.0), (1.0, 3.0, 4.0), exact=False)
    with pytest.raises(ValueError, match="histograms on different edges do not merge"):
        a.merge(Histogram((0.0,), (1.0, 1.0), exact=True))


def test_a_histogram_from_a_sample_scales_to_the_rows() -> None:
    sample = QuantileSample(np.array([0.5, 1.5, 1.5, 3.0]), np.array([0.1, 0.2, 0.3, 0.4]))
    exact = histogram_from_sample(sample, (1.0, 2.0), total=4)
    assert exact == Histogram((1.0, 2.0), (1.0, 2.0, 1.0), exact=True)
    scaled = histogram_from_sample(sample, (1.0, 2.0), total=40)
    assert scaled == Histogram((1.0, 2.0), (10.0, 20.0, 10.0), exact=False)


def test_top_values_and_the_other_bucket() -> None:
    col = ColumnProfile("city", "string", rows=10, nulls=1, values={"b": 3, "a": 3, "c": 2, "d": 1})
    assert col.top(2) == ([("a", 3), ("b", 3)], 3)
    assert (col.present, col.distinct(), col.distinct_exact(), col.numeric) == (9, 4.0, True, False)
    many = ColumnProfile("id", "int", rows=10, nulls=0, values=None)
    assert many.top() == ([], 10)
    assert many.numeric and own_histogram(many) is None and many.quantiles() == {}


def test_own_histogram_uses_the_deciles_of_the_sample() -> None:
    values = np.arange(1.0, 101.0)
    sample = QuantileSample(values, np.linspace(0, 1, 100))
    col = ColumnProfile("x", "float", rows=100, nulls=0, quantile_sample=sample)
    histogram = own_histogram(col)
    assert histogram is not None and histogram.exact
    assert len(histogram.edges) == 9 and sum(histogram.counts) == 100
    assert col.quantiles([0.5]) == {"p50": 50.5}


def test_moments_from_a_given_total_are_bit_for_bit_those_from_the_values() -> None:
    values = np.random.default_rng(3).normal(1e6, 7.0, 100_003)
    given = Moments.of(values, total=float(values.sum()))
    assert given == Moments.of(values)
    assert given.mean == float(values.mean())


def test_moments_without_some_values_are_those_of_the_rest() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(50.0, 3.0, 10_000)
    gone = values[[3, 77, 4_000]]
    rest = np.delete(values, [3, 77, 4_000])
    kept = Moments.of(values).without(Moments.of(gone))
    expected = Moments.of(rest)
    assert kept is not None
    assert (kept.count, kept.min, kept.max) == (expected.count, expected.min, expected.max)
    assert kept.mean == pytest.approx(expected.mean, rel=1e-13)
    assert kept.m2 == pytest.approx(expected.m2, rel=1e-11)
    # the minimum taken out: the next one is not known, unless the caller knows it stays
    low = values[[int(np.argmin(values))]]
    assert Moments.of(values).without(Moments.of(low)) is None
    assert Moments.of(values).without(Moments.of(low), min_stays=True) is not None
    assert Moments.of(values).without(Moments.of(values)) is None  # nothing left


def test_moments_without_spread_keep_count_and_mean_only() -> None:
    values = np.random.default_rng(6).normal(3.0, 2.0, 1_000)
    full, light = Moments.of(values), Moments.of(values, spread=False)
    assert (light.count, light.mean, light.min, light.max) == (full.count, full.mean, None, None)
    assert np.isnan(light.m2) and light.std is not None and np.isnan(light.std)
    merged = light.merge(Moments.of(values[:10], spread=False))
    assert (merged.count, merged.min, np.isnan(merged.m2)) == (1_010, None, True)  # unknown
    assert light.merge(Moments.of(values[:10])).min is None  # one side without a range
    kept = light.without(Moments.of(values[:10], spread=False))
    assert kept is not None and kept.count == 990
    assert kept.mean == pytest.approx(float(values[10:].mean()), rel=1e-12)
