"""Reading a window of inference logs: the files `monitor.data` names, streamed batch by batch.

Each batch is cut to the window (`monitor.timestamp` within `monitor.window` of now) and to the
rows the champion answered (`monitor.model_version`), then folded into mergeable profiles of the
features and of the predictions, on the baseline's bins, as validate profiles its data. Only the
figures a profile cannot hold are kept as arrays: latencies (for exact percentiles) and the
labelled rows' labels and predictions (for the metrics).
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
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

    from mlci.monitor.cut import Figures
    from mlci.monitor.sample import Kept

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
    # Read from files, the arrays above are bounded samples (mlci/monitor/sample.py): these
    # hold them with their priorities, so windows merge, and how many rows were offered
    # (None: a window built by hand, its arrays every row).
    latency_kept: Kept | None = None
    labelled_kept: Kept | None = None

    @property
    def labelled_rows(self) -> int:
        """Every labelled row of the window, sampled or not."""
        return self.labelled_kept.offered if self.labelled_kept is not None else len(self.labels)


@dataclass(frozen=True)
class Wanted:
    """What to read and how to cut it: the columns by role, the window, the champion."""

    features: tuple[str, ...]
    config: MonitorConfig
    since: datetime | None
    version: str
    feature_edges: Edges
    prediction_edges: Edges
    # the numeric columns whose drift reads their distinct values (None: every column's counted)
    counted: frozenset[str] | None = None
    # the columns whose drift reads a quantile sample (None: every column keeps one)
    sampled: frozenset[str] | None = None


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

    if engine != "dask":
        return _read_local(files, wanted)
    parts = map_parts(engine, dask or DaskConfig(), partial(read_file, wanted=wanted), files)
    return _combine(parts, files)


def _read_local(files: tuple[Path, ...], wanted: Wanted) -> Window:
    """File after file, the profiles folded as each file ends. The files' samples gather in two
    keepers, folded once they outnumber the sample (folding the window's sample at every file
    moved its million rows once per file), and each file starts from their bounds: past the
    first files most rows cannot enter the window's sample and are dropped as they are read."""
    from mlci.monitor.sample import Keeper

    size = wanted.config.sample_rows
    gathered = (Keeper(size, 1, ()), Keeper(size, _labelled_width(wanted.config), ()))
    window = _empty()
    for path in files:
        part = read_file(path, wanted, (gathered[0].bound, gathered[1].bound))
        if part.rows:
            gathered[0].take(_sample(part.latency_kept))
            gathered[1].take(_sample(part.labelled_kept))
            # the samples so far (folded or not), until the last file's
            window = _combine([window, part], files, samples=(gathered[0].kept, gathered[1].kept))
    if not window.rows:
        return window
    return _combine([window], files, samples=(gathered[0].result(), gathered[1].result()))


def read_file(path: Path, wanted: Wanted, bounds: tuple[float, float] = (1.0, 1.0)) -> Window:
    """One file's window. BOUNDS: the latency and labelled samples' priority bounds of the
    window read so far (rows at or above them cannot enter it): the same samples, less work."""
    return read_stream(path, lambda stream: _consume(path, stream, wanted, bounds))


def _labelled_width(cfg: MonitorConfig) -> int:
    """The labelled sample's columns: labels, predictions and, with monitor.score, scores."""
    return 2 if cfg.score is None else 3


def _consume(
    path: Path, stream: BatchStream, wanted: Wanted, bounds: tuple[float, float]
) -> Window:
    """One accumulator per file for the features and one for the predictions, fed the kept rows
    of each Arrow batch as validate's stream feeds its own (a fresh profile per batch, merged
    after, was most of the monitor's time). Drift needs distributions only, so the accumulators
    hash no values (no distinct counts, duplicates or row sample) and keep no spread or range
    (drift reads the window's mean, the baseline's spread)."""
    import pyarrow as pa

    from mlci.data.accumulator import Accumulator
    from mlci.data.profile import _column_pool
    from mlci.monitor.cut import figures, kept, stamps_of
    from mlci.monitor.sample import Keeper, file_seed

    check_columns(path, stream.schema.names, wanted.features, wanted.config)
    cfg = wanted.config
    names = list(wanted.features)
    answered = pa.schema([pa.field("prediction", stream.schema.field(cfg.prediction).type)])
    seed = file_seed(str(path))
    latencies = Keeper(cfg.sample_rows, 1, (*seed, 0), bounds[0])
    labelled = Keeper(cfg.sample_rows, _labelled_width(cfg), (*seed, 1), bounds[1])
    rows = errors = 0
    stamped: list[str] = []  # each batch's first and last stamp
    with _column_pool() as pool:
        features = Accumulator(
            pa.schema([stream.schema.field(n) for n in names]),
            wanted.feature_edges,
            pool,
            hashes=False,
            values=wanted.counted,
            samples=wanted.sampled,
            spread=False,
        )
        predictions = Accumulator(
            answered,
            wanted.prediction_edges,
            pool,
            hashes=False,
            values=_answered(wanted.counted),
            samples=_answered(wanted.sampled),
            spread=False,
        )
        for batch in stream.batches:
            stamps = stamps_of(batch, cfg)
            keep = kept(batch, cfg, wanted.since, wanted.version, stamps)
            if keep is not None and not keep.any():
                continue
            # the accumulators' tasks cut their own columns; this thread, the few it reads
            answers = pa.record_batch([batch.column(cfg.prediction)], schema=answered)
            waits = (
                predictions.submit(answers, keep),
                features.submit(batch.select(names), keep),
            )
            # the batch's own figures and samples on this thread while the columns profile
            found = figures(batch, cfg, stamps, keep)
            latencies.offer((found.latencies_ms,))
            labelled.offer(_labelled(found))
            for wait in waits:
                wait()
            rows, errors = rows + found.rows, errors + found.errors
            stamped += [t for t in (found.first, found.last) if t is not None]
        if rows == 0:
            return _empty()
        return _window(
            rows=rows,
            errors=errors,
            stamps=stamped,
            files=(path,),
            features=features.finish(source={}),
            predictions=predictions.finish(source={}),
            latencies=latencies.result(),
            labelled=labelled.result(),
        )


def _answered(names: frozenset[str] | None) -> frozenset[str] | None:
    return None if names is None else frozenset({"prediction"} & names)


def _labelled(found: Figures) -> tuple[npt.NDArray[Any], ...]:
    pair = (found.labels, found.labelled_predictions)
    return pair if found.labelled_scores is None else (*pair, found.labelled_scores)


def _window(
    *,
    rows: int,
    errors: int,
    stamps: list[str],
    files: tuple[Path, ...],
    features: Profile | None,
    predictions: Profile | None,
    latencies: Kept,
    labelled: Kept,
) -> Window:
    """A window read from files: counts and stamps of every row, the row-wise figures from the
    samples (kept with them, so that windows merge)."""
    labels, predicted, *scores = labelled.columns
    return Window(
        rows=rows,
        features=features,
        predictions=predictions,
        latencies_ms=latencies.columns[0],
        errors=errors,
        labels=labels,
        labelled_predictions=predicted,
        first=min(stamps) if stamps else None,
        last=max(stamps) if stamps else None,
        files=tuple(str(f) for f in files),
        labelled_scores=scores[0] if scores else None,
        latency_kept=latencies,
        labelled_kept=labelled,
    )


def check_columns(
    path: Path, names: list[str], features: tuple[str, ...], cfg: MonitorConfig
) -> None:
    """Every configured column (and FEATURES) is in the file's columns NAMES."""
    roles = [(c, "monitor.features") for c in features]
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


def _empty() -> Window:
    import numpy as np

    none = np.empty(0)
    return Window(0, None, None, none, 0, none, none, None, None)


def _combine(
    parts: list[Window], files: tuple[Path, ...], samples: tuple[Kept, Kept] | None = None
) -> Window:
    """Windows read from files (each with its samples) as one, in the files' order. SAMPLES:
    the window's latency and labelled samples when gathered apart (else the parts' merged)."""
    full = [p for p in parts if p.rows]
    if not full:
        return _empty()
    if samples is None:
        latency, *more_latency = [_sample(p.latency_kept) for p in full]
        labelled, *more_labelled = [_sample(p.labelled_kept) for p in full]
        samples = (latency.merge(*more_latency), labelled.merge(*more_labelled))
    return _window(
        rows=sum(p.rows for p in full),
        errors=sum(p.errors for p in full),
        stamps=[t for p in full for t in (p.first, p.last) if t is not None],
        files=files,
        features=_merged([p.features for p in full]),
        predictions=_merged([p.predictions for p in full]),
        latencies=samples[0],
        labelled=samples[1],
    )


def _sample(kept: Kept | None) -> Kept:
    assert kept is not None  # every non-empty window read from a file carries its samples
    return kept


def _merged(profiles: list[Profile | None]) -> Profile | None:
    out: Profile | None = None
    for one in profiles:
        if one is not None:
            out = one if out is None else merge(out, one)
    return out
