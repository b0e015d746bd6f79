"""A batch profiled without some of its rows: the monitor's rows outside its window.

Filtering a column copies it. When only a few rows go (logs whose timestamps are not in order
cut a few rows off nearly every batch at the window's edge), a float column is profiled whole
and the dropped rows' share taken back out: their bins subtracted, their moments un-merged
(Moments.without). That reads the few dropped values instead of writing a filtered copy of the
batch. Counts and bins are exact either way; the moments differ from a filtered batch's only in
rounding; whether the kept values are all whole numbers is counted, as are ties on the min and
max. Anything else (text, nulls, NaN or inf, a sample to keep, a dropped row holding every copy
of the batch's min or max) is filtered, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlci.data.arrow import filtered, floats_summed
from mlci.data.columns import ColumnState
from mlci.data.stats import Moments

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

# At most this share of a batch dropped: taken back out, not filtered. The break-even: taking
# back costs the kernel over the whole batch plus the dropped share again (K(1 + f) per row),
# filtering a copy of every row plus the kernel over the rest (C + K(1 - f)); with the kernel
# at about three times a filter's copy, f below about 1/6. A tenth leaves a margin.
FEW = 1 / 10


def add_kept(
    state: ColumnState,
    array: pa.Array,
    keep: npt.NDArray[Any],
    dropped: npt.NDArray[Any] | None,
) -> None:
    """STATE fed the rows of ARRAY that KEEP marks; DROPPED, the other rows' positions when
    they are few enough to take back out (None: filter)."""
    if dropped is None or not state.takes_back(array) or not _taken_back(state, array, dropped):
        state.add(filtered(array, keep))


def _taken_back(state: ColumnState, array: pa.Array, dropped: npt.NDArray[Any]) -> bool:
    numbers, _, total = floats_summed(array)
    if total is None:  # nulls, NaN or inf in the batch
        return False
    gone = numbers[dropped]
    integral = state.integral_so_far()
    if integral is None:  # are the kept values all whole? (a dropped 0.5 may be the only one)
        integral = _count_fractional(numbers) == _count_fractional(gone)
    scratch = state.scratch.get("deviations", len(numbers), numbers.dtype)
    whole = Moments.of(
        numbers, integral=integral, scratch=scratch, total=total, spread=state.spread
    )
    kept = whole.without(
        Moments.of(gone, integral=integral, spread=state.spread),
        min_stays=_stays(numbers, dropped, gone, whole.min),
        max_stays=_stays(numbers, dropped, gone, whole.max),
    )
    if kept is None:
        return False
    bins = None
    if state.edges is not None:
        bins = state.bins_of(numbers) - state.bins_of(gone)
    state.fold_kept(len(numbers) - len(gone), kept, bins)
    return True


def _stays(
    numbers: npt.NDArray[Any],
    dropped: npt.NDArray[Any],
    gone: npt.NDArray[Any],
    extreme: float | None,
) -> bool:
    """Whether a value equal to EXTREME (the batch's min or max) is among the rows kept: the
    dropped rows rarely hold it, but columns of few distinct values tie on it often, and then
    a copy of it is usually among the first rows (looked for there before the whole batch)."""
    import numpy as np

    if extreme is None or not np.any(gone == extreme):
        return False  # not dropped: Moments.without keeps it without asking
    for rows in dict.fromkeys((min(len(numbers), _HEAD), len(numbers))):
        held = int(np.count_nonzero(numbers[:rows] == extreme))
        lost = int(np.count_nonzero((dropped < rows) & (gone == extreme)))
        if held > lost:
            return True
    return False


_HEAD = 4_096  # the rows looked at first for a kept copy of an extreme


def _count_fractional(values: npt.NDArray[Any]) -> int:
    import numpy as np

    return int(np.count_nonzero(values != np.floor(values)))
