"""Reading a window of inference logs: the files `monitor.data` names, streamed batch by batch.

Each batch is cut to the window (`monitor.timestamp` within `monitor.window` of now) and to the
rows the champion answered (`monitor.model_version`), then folded into mergeable profiles of the
features and of the predictions, on the baseline's bins, as validate profiles its data. Only the
figures a profile cannot hold are kept as arrays: latencies (for exact percentiles) and the
labelled rows' labels and predictions (for the metrics).
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.config import DaskConfig, MonitorConfig
from mlci.data.profile import Edges, Profile, merge
from mlci.data.reader import BatchStream, read_stream
from mlci.errors import InputError

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

SUFFIXES = (".parquet", ".pq", ".csv")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class Window:
    rows: int
    features: Profile | None
    predictions: Profile | None
    latencies_ms: npt.NDArray[Any]
    errors: int
    labels: npt.NDArray[Any]
    labelled_predictions: npt.NDArray[Any]
    first: str | None  # the window's earliest and latest log timestamps (ISO), when known
    last: str | None
    files: tuple[str, ...] = field(default_factory=tuple)
    labelled_scores: npt.NDArray[Any] | None = None  # with monitor.score: the positive class's


@dataclass(frozen=True)
class Wanted:
    """What to read and how to cut it: the columns by role, the window, the champion."""

    features: tuple[str, ...]
    config: MonitorConfig
    since: datetime | None
    version: str
    feature_edges: Edges
    prediction_edges: Edges


def parse_window(text: str) -> timedelta:
    """`24h`, `30m`, `7d`, `2w`, `90s` (the config pattern has already checked the form)."""
    return timedelta(**{_UNITS[text[-1]]: int(text[:-1])})


def log_files(spec: str, root: Path) -> tuple[Path, ...]:
    """A file, a directory (its Parquet/CSV files) or a glob, relative to mlci.yaml's folder."""
    path = Path(spec) if Path(spec).is_absolute() else root / spec
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
    elif any(ch in spec for ch in "*?["):
        # Path.glob takes no absolute patterns: the glob module's does (and `**`, recursive)
        found = sorted(Path(p) for p in glob.glob(str(path), recursive=True))  # noqa: PTH207
        found = [p for p in found if p.is_file() and p.suffix.lower() in SUFFIXES]
    else:
        found = [path] if path.is_file() else []
    if not found:
        raise InputError(f"monitor.data: {spec!r}: no Parquet or CSV log files found")
    return tuple(found)


def read_window(
    files: tuple[Path, ...],
    wanted: Wanted,
    *,
    engine: str = "local",
    dask: DaskConfig | None = None,
) -> Window:
    """Each file read and cut by the same function (`read_file`), here or on Dask workers
    (mlci/data/engine.py's map_parts), the parts combined in the files' order."""
    from mlci.data.engine import map_parts

    parts = map_parts(engine, dask or DaskConfig(), partial(read_file, wanted=wanted), files)
    return _combine(parts, files)


def read_file(path: Path, wanted: Wanted) -> Window:
    return read_stream(path, lambda stream: _consume(path, stream, wanted))


def _consume(path: Path, stream: BatchStream, wanted: Wanted) -> Window:
    """One accumulator per file for the features and one for the predictions, fed the kept rows
    of each Arrow batch as validate's stream feeds its own (a fresh profile per batch, merged
    after, was most of the monitor's time); only the other roles' columns go through pandas."""
    import pyarrow as pa

    from mlci.data.columns import Accumulator
    from mlci.data.profile import _column_pool

    _check_columns(path, stream.schema.names, wanted)
    cfg = wanted.config
    names = list(wanted.features)
    roles = (cfg.timestamp, cfg.model_version, cfg.prediction, cfg.label, cfg.score)
    others = list(dict.fromkeys(c for c in (*roles, cfg.latency.column, cfg.errors.column) if c))
    answered = pa.schema([pa.field("prediction", stream.schema.field(cfg.prediction).type)])
    parts = []
    with _column_pool() as pool:
        features = Accumulator(
            pa.schema([stream.schema.field(n) for n in names]), wanted.feature_edges, pool
        )
        predictions = Accumulator(answered, wanted.prediction_edges, pool)
        for batch in stream.batches:
            part, keep = _batch(batch.select(others).to_pandas(), wanted)
            if part.rows == 0:
                continue
            kept = batch if keep.all() else batch.filter(pa.array(keep))
            features.add(kept.select(names))
            predictions.add(pa.record_batch([kept.column(cfg.prediction)], schema=answered))
            parts.append(part)
        window = _combine(parts, (path,))
        if window.rows == 0:
            return window
        return replace(
            window, features=features.finish(source={}), predictions=predictions.finish(source={})
        )


def _check_columns(path: Path, names: list[str], wanted: Wanted) -> None:
    cfg = wanted.config
    roles = [(c, "monitor.features") for c in wanted.features]
    roles += [(cfg.prediction, "monitor.prediction")]
    roles += [
        (col, key)
        for col, key in (
            (cfg.timestamp, "monitor.timestamp"),
            (cfg.label, "monitor.label"),
            (cfg.score, "monitor.score"),
            (cfg.model_version, "monitor.model_version"),
            (cfg.latency.column, "monitor.latency.column"),
            (cfg.errors.column, "monitor.errors.column"),
        )
        if col is not None
    ]
    missing = [(c, key) for c, key in roles if c not in names]
    if missing:
        shown = ", ".join(f"{c!r} ({key})" for c, key in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputError(f"{path}: the logs lack the configured column(s) {shown}{more}")


def _batch(frame: pd.DataFrame, wanted: Wanted) -> tuple[Window, npt.NDArray[Any]]:
    """The figures of a batch's rows in the window (its profiles are the caller's), and which."""
    import numpy as np

    cfg = wanted.config
    keep = np.ones(len(frame), dtype=bool)
    stamps = None
    if cfg.timestamp is not None:
        stamps = _timestamps(frame[cfg.timestamp], cfg.timestamp)
        if wanted.since is not None:
            keep &= (stamps >= wanted.since).to_numpy()
    if cfg.model_version is not None:
        keep &= (frame[cfg.model_version].astype(str) == wanted.version).to_numpy()
    frame = frame[keep]
    if stamps is not None:
        stamps = stamps[keep]
    if len(frame) == 0:
        return _empty(), keep
    labels, predicted, scores = _labelled(frame, cfg)
    window = Window(
        rows=len(frame),
        features=None,
        predictions=None,
        latencies_ms=_latencies(frame, cfg),
        errors=_errors(frame, cfg),
        labels=labels,
        labelled_predictions=predicted,
        first=None if stamps is None else stamps.min().isoformat(),
        last=None if stamps is None else stamps.max().isoformat(),
        labelled_scores=scores,
    )
    return window, keep


def _timestamps(column: pd.Series[Any], name: str) -> pd.Series[Any]:
    import pandas as pd

    try:
        return pd.to_datetime(column, utc=True)
    except (ValueError, TypeError) as exc:
        raise InputError(f"monitor.timestamp: column {name!r} is not a timestamp: {exc}") from None


def _latencies(frame: pd.DataFrame, cfg: MonitorConfig) -> npt.NDArray[Any]:
    import numpy as np

    if cfg.latency.column is None:
        return np.empty(0)
    values: npt.NDArray[Any] = frame[cfg.latency.column].to_numpy(dtype=np.float64, na_value=np.nan)
    finite: npt.NDArray[Any] = values[np.isfinite(values)]
    return finite


def _errors(frame: pd.DataFrame, cfg: MonitorConfig) -> int:
    """A flag column (true, 1) or a message column (any non-empty text is an error)."""
    if cfg.errors.column is None:
        return 0
    column = frame[cfg.errors.column]
    if column.dtype == object:
        return int((column.notna() & (column.astype(str).str.strip() != "")).sum())
    return int(column.fillna(0).astype(bool).sum())


def _labelled(frame: pd.DataFrame, cfg: MonitorConfig) -> tuple[Any, Any, Any]:
    import numpy as np

    if cfg.label is None:
        return np.empty(0), np.empty(0), None
    known = frame[cfg.label].notna() & frame[cfg.prediction].notna()
    if cfg.score is None:
        return (
            frame.loc[known, cfg.label].to_numpy(),
            frame.loc[known, cfg.prediction].to_numpy(),
            None,
        )
    known &= frame[cfg.score].notna()
    try:
        scores = frame.loc[known, cfg.score].to_numpy(dtype=np.float64)
    except (ValueError, TypeError):
        raise InputError(
            f"monitor.score: column {cfg.score!r} is not numeric (expected the probability "
            "of the positive class)"
        ) from None
    if len(scores) and not (np.isfinite(scores).all() and scores.min() >= 0 and scores.max() <= 1):
        raise InputError(
            f"monitor.score: column {cfg.score!r} holds values outside [0, 1] (expected the "
            "probability of the positive class)"
        )
    labels, predicted = frame.loc[known, cfg.label].to_numpy(), frame.loc[known, cfg.prediction]
    return labels, predicted.to_numpy(), scores


def _empty() -> Window:
    import numpy as np

    none = np.empty(0)
    return Window(0, None, None, none, 0, none, none, None, None)


def _combine(parts: list[Window], files: tuple[Path, ...]) -> Window:
    import numpy as np

    full = [p for p in parts if p.rows]
    if not full:
        return _empty()
    firsts = [p.first for p in full if p.first]
    lasts = [p.last for p in full if p.last]
    return Window(
        rows=sum(p.rows for p in full),
        features=_merged([p.features for p in full]),
        predictions=_merged([p.predictions for p in full]),
        latencies_ms=np.concatenate([p.latencies_ms for p in full]),
        errors=sum(p.errors for p in full),
        labels=np.concatenate([p.labels for p in full]),
        labelled_predictions=np.concatenate([p.labelled_predictions for p in full]),
        first=min(firsts) if firsts else None,
        last=max(lasts) if lasts else None,
        files=tuple(str(f) for f in files),
        labelled_scores=_scores([p.labelled_scores for p in full]),
    )


def _scores(parts: list[npt.NDArray[Any] | None]) -> npt.NDArray[Any] | None:
    import numpy as np

    found = [p for p in parts if p is not None]
    return np.concatenate(found) if found else None


def _merged(profiles: list[Profile | None]) -> Profile | None:
    out: Profile | None = None
    for one in profiles:
        if one is not None:
            out = one if out is None else merge(out, one)
    return out
