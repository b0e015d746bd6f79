"""A bounded uniform sample of whole rows, for the joint drift check (mlci/data/joint.py).

Bottom-k by a seeded hash of each row's content: every row gets the priority mix(row hash ^
seed), and the sample keeps the ROW_SAMPLE rows with the smallest priorities. The priority
depends on the row only, not on where it was read, so merging two samples (keep the smallest of
the union) gives exactly the sample of the concatenated tables, in any order or partitioning.
Per batch the cost is one hash and one compare per row; only the rows kept are converted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from mlci.data.sketch import hash_numbers

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

ROW_SAMPLE = 2_048
_SEED = 0x5851F42D4C957F2D
_FULL = (1 << 64) - 1


@dataclass(frozen=True)
class RowSample:
    """Rows by ascending priority: priorities[i] is row i's, columns[name][i] its value."""

    priorities: npt.NDArray[np.uint64]
    columns: Mapping[str, tuple[Any, ...]]
    size: int = ROW_SAMPLE

    @classmethod
    def empty(cls, names: list[str], size: int = ROW_SAMPLE) -> RowSample:
        import numpy as np

        return cls(np.empty(0, dtype=np.uint64), dict.fromkeys(names, ()), size)

    def __len__(self) -> int:
        return len(self.priorities)

    @property
    def threshold(self) -> int:
        """Rows with a larger priority can no longer enter the sample."""
        return int(self.priorities[-1]) if len(self) >= self.size else _FULL

    def merge(self, other: RowSample) -> RowSample:
        import numpy as np

        if list(self.columns) != list(other.columns):
            raise ValueError("row samples of different columns do not merge")
        both = np.concatenate([self.priorities, other.priorities])
        order = np.argsort(both, kind="stable")[: self.size].tolist()
        pick = _picker(order)
        columns = {name: pick(mine + other.columns[name]) for name, mine in self.columns.items()}
        return RowSample(both[order], columns, self.size)

    def to_json(self) -> dict[str, Any]:
        from mlci.data.sketch import _pack

        return {
            "size": self.size,
            "priorities": _pack(self.priorities),
            "columns": {name: [_json(v) for v in vs] for name, vs in self.columns.items()},
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> RowSample:
        from mlci.data.sketch import _unpack

        columns = {str(name): tuple(values) for name, values in doc["columns"].items()}
        return cls(_unpack(doc["priorities"], "u8"), columns, int(doc["size"]))


def _json(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


class RowSampler:
    """The mutable side: fed each batch with its row hashes (mlci/data/columns.py)."""

    def __init__(self, names: list[str], size: int = ROW_SAMPLE) -> None:
        self.sample = RowSample.empty(names, size)

    def add(self, batch: pa.RecordBatch, row_hash: npt.NDArray[np.uint64]) -> None:
        import numpy as np

        seeded = row_hash ^ np.uint64(_SEED)
        priorities = hash_numbers(seeded.view(np.int64), out=seeded)
        rows = np.flatnonzero(priorities <= np.uint64(self.sample.threshold))
        if len(rows) > self.sample.size:
            rows = rows[np.argpartition(priorities[rows], self.sample.size - 1)[: self.sample.size]]
        if not len(rows):
            return
        order = rows[np.argsort(priorities[rows], kind="stable")]
        columns = {
            name: _python(batch.column(i), order) for i, name in enumerate(self.sample.columns)
        }
        self.sample = self.sample.merge(RowSample(priorities[order], columns, self.sample.size))


def _python(array: pa.Array, rows: npt.NDArray[np.intp]) -> tuple[Any, ...]:
    """The values at ROWS as JSON-able Python values: dates and times as their integer counts,
    decimals as floats, NaN as None."""
    import pyarrow as pa

    from mlci.data.arrow import as_integers, cast, decoded, take

    picked: npt.NDArray[np.intp] | None = rows
    if pa.types.is_dictionary(array.type):
        # the sampled rows first, then decoded: decoding the whole batch's column cost a text
        # column more than the rest of its row sample
        array, picked = decoded(take(array, rows)), None
    if pa.types.is_temporal(array.type):
        array = as_integers(array)
    if pa.types.is_decimal(array.type):
        array = cast(array, pa.float64())
    listed = (array if picked is None else take(array, picked)).to_pylist()
    if pa.types.is_floating(array.type):
        return tuple(None if v is None or not math.isfinite(v) else v for v in listed)
    return tuple(listed)


def _picker(order: list[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A function that takes the values at ORDER from a tuple (itemgetter: in C, not a loop)."""
    if not order:
        return lambda values: ()
    if len(order) == 1:
        return lambda values: (values[order[0]],)
    return itemgetter(*order)
