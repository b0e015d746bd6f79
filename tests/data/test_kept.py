"""A batch profiled without a few of its rows (the monitor's window edge): the dropped rows'
share taken back out gives the filtered batch's figures, ties on the min and max included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from mlci.data.arrow import mask
from mlci.data.columns import ColumnState
from mlci.data.kept import add_kept
from mlci.data.stats import ColumnProfile

EDGES = (10.0, 20.0, 30.0)


def state() -> ColumnState:
    # a drift-only pass (the monitor's): no hashes, no sample, values not counted
    return ColumnState("x", "float", EDGES, 0, hashes=False, values=False, samples=False)


def fed(batches: list[np.ndarray], keeps: list[np.ndarray], taken_back: bool) -> ColumnProfile:
    column = state()
    for values, keep in zip(batches, keeps, strict=True):
        array, dropped = pa.array(values), np.flatnonzero(~keep)
        if taken_back:
            add_kept(column, array, keep, dropped)
        else:
            column.add(array.filter(mask(keep)))
    return column.finish()


def same(a: ColumnProfile, b: ColumnProfile) -> None:
    assert (a.rows, a.nulls) == (b.rows, b.nulls)
    assert a.histogram == b.histogram
    assert a.moments is not None and b.moments is not None
    assert (a.moments.count, a.moments.min, a.moments.max) == (
        b.moments.count, b.moments.min, b.moments.max,
    )  # fmt: skip
    assert a.moments.mean == pytest.approx(b.moments.mean, rel=1e-12)
    assert a.moments.m2 == pytest.approx(b.moments.m2, rel=1e-10)


@pytest.mark.parametrize("distinct", [None, 7], ids=["continuous", "few values, ties"])
def test_taking_dropped_rows_back_out_gives_the_filtered_figures(
    distinct: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(3)
    batches = []
    for _ in range(6):
        values = rng.gamma(4.0, 5.0, 5_000)
        if distinct is not None:  # ties on every value, the min and the max included
            values = np.round(values / 8.0) * 8.0 + 0.5
        batches.append(values)
    keeps = [rng.random(5_000) > 0.003 for _ in batches]
    # a batch whose min is dropped (every copy of it: the next one is not known, so filtered)
    first = batches[2]
    keeps[2] = keeps[2] & (first != first.min())
    folded: list[int] = []
    fold = ColumnState.fold_kept

    def counted(self: ColumnState, rows: int, *rest: Any) -> None:
        folded.append(rows)
        fold(self, rows, *rest)

    monkeypatch.setattr(ColumnState, "fold_kept", counted)
    same(fed(batches, keeps, taken_back=True), fed(batches, keeps, taken_back=False))
    assert len(folded) == 5  # taken back out: every batch but the one that lost its minimum


def test_whole_numbers_stay_whole_when_the_one_fraction_is_dropped() -> None:
    """A float column of whole numbers whose only 0.5 is among the dropped rows: the kept rows
    are integral, as the filtered batch's are (the fractions are counted, not assumed)."""
    values = np.arange(1_000, dtype=np.float64)
    values[10] = 10.5
    keep = np.ones(1_000, dtype=bool)
    keep[10] = False
    taken, filtered = fed([values], [keep], True), fed([values], [keep], False)
    same(taken, filtered)
    assert taken.moments is not None and taken.moments.integral is True
    keep[10], keep[20] = True, False  # the fraction kept this time
    taken = fed([values], [keep], True)
    assert taken.moments is not None and taken.moments.integral is False


def test_what_cannot_be_taken_back_is_filtered() -> None:
    """NaN or a null in the batch, or a pass keeping a sample: the batch is filtered instead."""
    rng = np.random.default_rng(4)
    values = rng.normal(20.0, 5.0, 2_000)
    keep = rng.random(2_000) > 0.01
    with_nan = values.copy()
    with_nan[5] = np.nan
    for batch in (values, with_nan):
        whole = [values, batch]
        same(fed(whole, [keep, keep], True), fed(whole, [keep, keep], False))
    sampled = ColumnState("x", "float", EDGES, 0, hashes=False, values=False)
    assert not sampled.takes_back(pa.array(values))  # a quantile sample to keep


def test_a_kept_copy_of_the_minimum_is_found_past_the_first_rows() -> None:
    values = np.linspace(10.0, 40.0, 5_000) + 0.25
    values[[4_500, 4_800]] = -1.5  # the minimum, twice, past the rows looked at first
    keep = np.ones(5_000, dtype=bool)
    keep[4_500] = False  # one copy dropped, one kept
    taken = fed([values, values], [keep, keep], True)
    same(taken, fed([values, values], [keep, keep], False))
    assert taken.moments is not None and taken.moments.min == -1.5
    keep[4_800] = False  # both dropped: the next minimum is not known, so filtered
    taken = fed([values, values], [keep, keep], True)
    same(taken, fed([values, values], [keep, keep], False))
    assert taken.moments is not None and taken.moments.min == 10.25


def test_a_pass_without_spread_takes_rows_back_out_with_no_range_to_check() -> None:
    """The monitor's columns keep no spread nor range: taking back needs no extreme checked,
    and the counts, bins and mean are the filtered batch's."""
    rng = np.random.default_rng(8)
    values = np.round(rng.gamma(4.0, 5.0, 5_000)) + 0.5  # ties on the min and max
    keep = rng.random(5_000) > 0.01
    keep[int(np.argmin(values))] = False
    out = []
    for taken_back in (True, False):
        column = ColumnState("x", "float", EDGES, 0, hashes=False, values=False, samples=False,
                             spread=False)  # fmt: skip
        for _ in range(2):
            if taken_back:
                add_kept(column, pa.array(values), keep, np.flatnonzero(~keep))
            else:
                column.add(pa.array(values).filter(mask(keep)))
        out.append(column.finish())
    taken, filtered = out
    assert (taken.rows, taken.histogram) == (filtered.rows, filtered.histogram)
    assert taken.moments is not None and filtered.moments is not None
    assert (taken.moments.count, taken.moments.min) == (filtered.moments.count, None)
    assert taken.moments.mean == pytest.approx(filtered.moments.mean, rel=1e-12)
