"""The bounded row sample behind latency percentiles and the metrics: every row up to its size,
a uniform bottom-k sample above it, and parts that merge into the sample of the whole."""

from __future__ import annotations

import numpy as np

from mlci.monitor.sample import Keeper, Kept, file_seed, smallest


def fed(values: np.ndarray, size: int, batch: int, seed: int = 0) -> Kept:
    keeper = Keeper(size, 2, (seed,))
    for start in range(0, len(values), batch):
        part = values[start : start + batch]
        keeper.offer((part, part * 10))
    return keeper.result()


def test_up_to_its_size_every_row_is_kept_in_order_with_its_dtype() -> None:
    values = np.arange(5_000, dtype=np.int64)
    kept = fed(values, size=5_000, batch=700)
    assert (kept.rows, kept.offered, kept.complete) == (5_000, 5_000, True)
    assert kept.columns[0].tolist() == values.tolist() and kept.columns[0].dtype == np.int64
    assert kept.columns[1].tolist() == (values * 10).tolist()


def test_above_its_size_a_bounded_uniform_sample_with_the_rows_aligned() -> None:
    values = np.arange(200_000, dtype=np.int64)
    kept = fed(values, size=10_000, batch=30_000)
    assert (kept.rows, kept.offered, kept.complete) == (10_000, 200_000, False)
    assert (kept.columns[1] == kept.columns[0] * 10).all()  # one row's columns stay together
    assert len(np.unique(kept.columns[0])) == 10_000  # no row twice
    # uniform: the sample's mean and deciles are the population's within sampling error
    assert abs(kept.columns[0].mean() - values.mean()) < 3 * values.std() / np.sqrt(10_000)
    deciles = np.quantile(kept.columns[0], np.linspace(0.1, 0.9, 9)) / 200_000
    assert np.allclose(deciles, np.linspace(0.1, 0.9, 9), atol=0.02)
    assert kept.threshold == kept.priorities.max() and kept.priorities.max() < 1.0
    again = fed(values, size=10_000, batch=30_000)
    assert again.columns[0].tolist() == kept.columns[0].tolist()  # seeded: reproducible


def test_parts_merge_into_the_smallest_priorities_of_their_union() -> None:
    a = fed(np.arange(0, 50_000), size=4_000, batch=9_000, seed=1)
    b = fed(np.arange(50_000, 90_000), size=4_000, batch=9_000, seed=2)
    both = a.merge(b)
    union = np.concatenate([a.priorities, b.priorities])
    rows = np.concatenate([a.columns[0], b.columns[0]])
    expected = set(rows[np.argsort(union)[:4_000]].tolist())
    assert (both.rows, both.offered) == (4_000, 90_000)
    assert set(both.columns[0].tolist()) == expected
    assert set(b.merge(a).columns[0].tolist()) == expected  # either order


def test_smallest_and_the_files_own_streams() -> None:
    priorities = np.array([0.5, 0.1, 0.9, 0.3])
    assert smallest(priorities, 2) == 0.3  # the cut: the rows at or below it
    assert smallest(np.array([0.5, 0.1, 0.1, 0.3]), 1).tolist() == [1]  # a tie: positions
    assert file_seed("logs/day1/part-0.parquet") != file_seed("logs/day2/part-0.parquet")
    assert file_seed("logs/a.parquet") == file_seed("logs/a.parquet")


def test_a_bound_from_the_window_so_far_keeps_the_same_rows() -> None:
    """A reader that starts from the window's bound drops, as they arrive, rows that could not
    enter the window's sample: the window's sample is the one read without it, row for row."""
    first = fed(np.arange(0, 60_000), size=5_000, batch=7_000, seed=1)
    values = np.arange(60_000, 100_000)
    free = fed(values, size=5_000, batch=7_000, seed=2)
    bounded = Keeper(5_000, 2, (2,), bound=first.threshold)
    for start in range(0, len(values), 7_000):
        part = values[start : start + 7_000]
        bounded.offer((part, part * 10))
    held = bounded.result()
    assert held.rows < free.rows  # rows past the bound were dropped as they came
    assert held.offered == free.offered == 40_000
    window, again = first.merge(free), first.merge(held)
    assert (again.rows, again.offered) == (5_000, 100_000)
    assert sorted(again.columns[0].tolist()) == sorted(window.columns[0].tolist())
    assert (again.columns[1] == again.columns[0] * 10).all()


def test_samples_taken_from_elsewhere_fold_as_offered_rows_do() -> None:
    parts = [fed(np.arange(i * 20_000, (i + 1) * 20_000), 3_000, 6_000, seed=i) for i in range(4)]
    gathered = Keeper(3_000, 2, ())
    for part in parts:
        gathered.take(part)
    assert gathered.waiting < 3_000 * 2  # folded once it outnumbered the sample
    taken, merged = gathered.result(), parts[0].merge(*parts[1:])
    assert (taken.rows, taken.offered) == (3_000, 80_000)
    assert sorted(taken.columns[0].tolist()) == sorted(merged.columns[0].tolist())
