"""One batch of inference logs, cut to the window and the champion's rows, and its figures, read
from the Arrow batch itself.

A pandas round trip of the role columns cost more than profiling the features (a 10M-row day:
the model-version column became ten million Python strings to compare). Arrow types are read
directly: timestamps as integers in their unit (naive ones taken as UTC, as
`pd.to_datetime(utc=True)` takes them), text and integer versions compared in Arrow, numbers as
numpy. What Arrow cannot say cheaply (timestamps written as text, a float version column, an
error message column) goes through pandas, column by column, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mlci.config import MonitorConfig
from mlci.data.arrow import (
    compute,
    decoded,
    floats,
    floats_summed,
    integers,
    is_primitive,
    primitive,
    take,
    text_offsets,
    validity,
)
from mlci.errors import InputError, first_line

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


@dataclass(frozen=True)
class Figures:
    """What a batch's kept rows add to the window besides the profiles."""

    rows: int
    latencies_ms: npt.NDArray[Any]
    errors: int
    labels: npt.NDArray[Any]
    labelled_predictions: npt.NDArray[Any]
    labelled_scores: npt.NDArray[Any] | None
    first: str | None
    last: str | None


def stamps_of(batch: pa.RecordBatch, cfg: MonitorConfig) -> npt.NDArray[Any] | None:
    """The batch's timestamps in nanoseconds (None without monitor.timestamp): read once, for
    the cut and for the window's first and last stamp (text stamps are parsed by pandas)."""
    if cfg.timestamp is None:
        return None
    return _stamps_ns(batch.column(cfg.timestamp), cfg.timestamp)


def kept(
    batch: pa.RecordBatch,
    cfg: MonitorConfig,
    since: datetime | None,
    version: str,
    stamps: npt.NDArray[Any] | None = None,
) -> Any:
    """The rows in the window answered by VERSION: a boolean mask, or None for every row.
    STAMPS: the batch's `stamps_of`, when the caller has them."""
    import numpy as np

    keep = None
    if cfg.timestamp is not None and since is not None:
        stamps = stamps_of(batch, cfg) if stamps is None else stamps
        assert stamps is not None
        keep = stamps >= _ns_of(since)
    if cfg.model_version is not None:
        same = _same_version(batch.column(cfg.model_version), version)
        keep = same if keep is None else keep & same
    return None if keep is None or bool(np.all(keep)) else keep


def figures(
    batch: pa.RecordBatch,
    cfg: MonitorConfig,
    stamps: npt.NDArray[Any] | None = None,
    keep: npt.NDArray[Any] | None = None,
) -> Figures:
    """The figures of a batch's rows in the window: KEEP marks them (None: every row; at least
    one). STAMPS: the batch's `stamps_of`, when the caller has them. The cut is applied to the
    numpy arrays read, not by copying the batch (which also imported pyarrow.compute)."""
    import numpy as np

    labels, predicted, scores = _labelled(batch, cfg, keep)
    first = last = None
    stamps = stamps_of(batch, cfg) if stamps is None else stamps
    if stamps is not None:
        present = stamps if keep is None else stamps[keep]
        present = present[present != _NAT]
        if len(present):
            first, last = iso_of(int(present.min())), iso_of(int(present.max()))
    return Figures(
        rows=batch.num_rows if keep is None else int(np.count_nonzero(keep)),
        latencies_ms=_latencies(batch, cfg, keep),
        errors=_errors(batch, cfg, keep),
        labels=labels,
        labelled_predictions=predicted,
        labelled_scores=scores,
        first=first,
        last=last,
    )


_NAT = -(2**63)  # numpy's NaT as an int64


def _stamps_ns(column: pa.Array, name: str) -> npt.NDArray[Any]:
    """Nanoseconds since the epoch (UTC), NaT (the int64 minimum) for a missing stamp."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = decoded(column)
    if pa.types.is_timestamp(column.type):
        ints, valid = integers(column)
        factor = _NS[column.type.unit]
        scaled: npt.NDArray[Any] = ints if factor == 1 else ints * factor  # ns: read in place
        return scaled if valid is None else np.where(valid, scaled, _NAT)
    import pandas as pd

    text = column.to_pandas()
    try:
        parsed = pd.to_datetime(text, utc=True)
    except (ValueError, TypeError) as exc:
        try:  # pandas infers one format from the first value: ISO stamps of mixed precision
            parsed = pd.to_datetime(text, utc=True, format="ISO8601")
        except (ValueError, TypeError):
            raise InputError(
                f"monitor.timestamp: column {name!r} is not a timestamp: {first_line(exc)}"
            ) from None
    naive = parsed.dt.tz_localize(None)  # UTC wall time
    as_ns: npt.NDArray[Any] = naive.to_numpy(dtype="datetime64[ns]").view(np.int64)
    return as_ns


def _ns_of(when: datetime) -> int:
    delta = when.astimezone(timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1_000


def iso_of(ns: int) -> str:
    """As pandas writes a UTC Timestamp: microseconds when there are some, nanoseconds when
    there are some, `+00:00`."""
    seconds, rest = divmod(ns, 10**9)
    when = datetime.fromtimestamp(seconds, timezone.utc)
    if rest % 1_000:
        return f"{when.isoformat()[:-6]}.{rest:09d}+00:00"
    return when.replace(microsecond=rest // 1_000).isoformat()


def _same_version(column: pa.Array, version: str) -> npt.NDArray[Any]:
    """Which rows name VERSION, compared as text (a version 3 logged as the integer 3 counts)."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        same = _same_version(column.dictionary, version)
        codes, valid = integers(column.indices)
        hits: npt.NDArray[Any] = same[codes] if len(same) else np.zeros(len(codes), dtype=bool)
        return hits if valid is None else hits & valid
    if pa.types.is_integer(column.type):
        ints, valid = integers(column)
        equal: npt.NDArray[Any] = (
            ints == int(version) if version.isdigit() else np.zeros(len(ints), dtype=bool)
        )
        return equal if valid is None else equal & valid
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return _same_text(column, version.encode())
    text = column.to_pandas().astype(str)
    same_text: npt.NDArray[Any] = (text == version).to_numpy()
    return same_text


def _same_text(column: pa.Array, wanted: bytes) -> npt.NDArray[Any]:
    """Which values of a string array are exactly WANTED, from its offsets and bytes (versions
    are a few characters: one comparison per character, over the rows of the right length)."""
    import numpy as np

    offsets, data = text_offsets(column)
    starts = offsets[:-1]
    equal: npt.NDArray[Any] = (offsets[1:] - starts) == len(wanted)
    for k, byte in enumerate(wanted):
        rows = np.flatnonzero(equal)
        equal[rows] = data[starts[rows] + k] == byte
    valid = validity(column)
    return equal if valid is None else equal & valid


def _numeric(column: pa.Array) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(column.type) or pa.types.is_floating(column.type))


def _latencies(
    batch: pa.RecordBatch, cfg: MonitorConfig, keep: npt.NDArray[Any] | None
) -> npt.NDArray[Any]:
    import numpy as np

    if cfg.latency.column is None:
        return np.empty(0)
    column = batch.column(cfg.latency.column)
    finite = _finite(column)
    if finite is None:
        raise InputError(
            f"monitor.latency.column: column {cfg.latency.column!r} is not numeric "
            f"({column.type}; expected milliseconds)"
        )
    values, where = finite
    where = _both(where, keep)
    return values if where is None else values[where]


def _finite(column: pa.Array) -> tuple[npt.NDArray[Any], npt.NDArray[Any] | None] | None:
    """A numeric column as float64 and where its values are finite (None: everywhere, read in
    place from a sum, arrow.floats_summed); None when the column is not numeric."""
    import numpy as np

    if not _numeric(column):
        return None
    values, valid, total = floats_summed(column)
    if total is not None:
        return values, None
    finite = np.isfinite(values)
    return values, finite if valid is None else finite & valid


def _errors(batch: pa.RecordBatch, cfg: MonitorConfig, keep: npt.NDArray[Any] | None) -> int:
    """A flag column (true, 1) or a message column (any non-empty text is an error)."""
    import pyarrow as pa

    if cfg.errors.column is None:
        return 0
    column = batch.column(cfg.errors.column)
    if pa.types.is_boolean(column.type):
        return _count(primitive(column), validity(column), keep)
    if _numeric(column):
        numbers, valid = floats(column)  # valid: not null, not NaN
        return _count(numbers != 0, valid, keep)
    text = column.to_pandas()
    return _count((text.notna() & (text.astype(str).str.strip() != "")).to_numpy(), keep)


def _count(flags: npt.NDArray[Any], *masks: npt.NDArray[Any] | None) -> int:
    """How many rows FLAGS and every mask given (None: every row) mark."""
    import numpy as np

    for where in masks:
        flags = flags if where is None else flags & where
    return int(np.count_nonzero(flags))


def _labelled(
    batch: pa.RecordBatch, cfg: MonitorConfig, keep: npt.NDArray[Any] | None
) -> tuple[Any, Any, Any]:
    """The labelled rows' labels, predictions and (with monitor.score) positive-class scores,
    of the rows KEEP marks (None: every row)."""
    import numpy as np

    if cfg.label is None:
        return np.empty(0), np.empty(0), None
    label, predicted = batch.column(cfg.label), batch.column(cfg.prediction)
    known = _both(_both(_valid(label), _valid(predicted)), keep)
    scores = None
    if cfg.score is not None:
        raw = batch.column(cfg.score)
        if not _numeric(raw):
            raise InputError(
                f"monitor.score: column {cfg.score!r} is not numeric (expected the probability "
                "of the positive class)"
            )
        scores, present, _ = floats_summed(raw)  # present: not null, not NaN (None: every row)
        known = _both(known, present)
        scores = scores if known is None else scores[known]
        if len(scores) and not (scores.min() >= 0 and scores.max() <= 1):
            raise InputError(
                f"monitor.score: column {cfg.score!r} holds values outside [0, 1] (expected the "
                "probability of the positive class)"
            )
    if known is None:
        return _values(label), _values(predicted), scores
    return _picked(label, known), _picked(predicted, known), scores


def _picked(column: pa.Array, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """_values of the ROWS (a mask) of COLUMN: numbers and flags picked in numpy, anything else
    taken in Arrow first (text would become objects for every row)."""
    import numpy as np

    if is_primitive(column.type):
        picked: npt.NDArray[Any] = primitive(column)[rows]
        return picked
    return _values(take(column, np.flatnonzero(rows)))


def _both(a: npt.NDArray[Any] | None, b: npt.NDArray[Any] | None) -> npt.NDArray[Any] | None:
    """Two masks as one (None: every row)."""
    return a if b is None else b if a is None else a & b


def _valid(column: pa.Array) -> npt.NDArray[Any] | None:
    """Where a value is present (not null, and not NaN in a float column); None: everywhere."""
    import pyarrow as pa

    if pa.types.is_floating(column.type):
        return floats(column)[1]
    return validity(column)


def _values(column: pa.Array) -> npt.NDArray[Any]:
    """A column of present values as numpy: numbers and flags read in place, text as objects
    through its distinct values. (`to_numpy(zero_copy_only=False)` goes through Arrow's pandas
    conversion, which imports pandas: half a second of a monitor run.)"""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        codes = integers(column.indices)[0]
        return _values(column.dictionary)[codes]
    if is_primitive(column.type):
        return primitive(column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        encoded = compute("dictionary_encode", column)
        distinct = np.array(encoded.dictionary.to_pylist(), dtype=object)
        return distinct[integers(encoded.indices)[0]]
    return np.asarray(column.to_numpy(zero_copy_only=False))
