"""Data profiles: per-column statistics computed in one streaming pass, mergeable, versioned JSON.

A profile stands in for its data everywhere mlci needs reference data. What `merge(a, b)` gives:

- exact: rows, nulls, min, max, value counts (while a column has at most VALUES_CAP distinct
  values), histogram counts on the same bin edges, the number of number-like strings;
- exact up to floating-point rounding: mean and variance (Chan et al.'s pairwise update);
- sketches, within their stated error (mlci/data/sketch.py): quantiles, distinct count, duplicates.

Histogram edges are "fixed by the reference": a profile computed with `edges` (the reference's)
counts exactly on them; a profile computed without takes its own deciles as edges and estimates
their counts from its quantile sample (exact while the sample holds every value).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.cpus import usable_cpus
from mlci.data.accumulator import Accumulator
from mlci.data.profile_json import read_profile
from mlci.data.reader import (
    Advance,
    BatchStream,
    Part,
    auto_batch_rows,
    read_parts,
    read_stream,
)
from mlci.data.stats import (
    DECILES,
    QUANTILES,
    VALUES_CAP,
    ColumnProfile,
    Edges,
    Histogram,
    Moments,
    Profile,
    histogram_from_sample,
    own_histogram,
)
from mlci.data.types import column_type_of
from mlci.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "DECILES",
    "QUANTILES",
    "VALUES_CAP",
    "ColumnProfile",
    "Edges",
    "Histogram",
    "Moments",
    "Profile",
    "build_profile",
    "column_type_of",
    "merge",
    "merge_all",
    "profile_file",
    "profile_parts",
    "profile_table",
    "summary_lines",
    "with_edges_of",
]

# ----------------------------------------------------------------------------------- compute


def profile_file(
    path: Path,
    *,
    edges: Edges | None = None,
    batch_rows: int | None = None,
    advance: Advance | None = None,
) -> Profile:
    """Profile PATH in one streaming pass; memory is bounded by batch_rows, not the file size."""

    def consume(stream: BatchStream) -> Profile:
        with _column_pool() as pool:
            acc = Accumulator(stream.schema, edges or {}, pool)
            for batch in stream.batches:
                acc.add(batch)
            return acc.finish(source={"path": path.name})

    return read_stream(path, consume, batch_rows=batch_rows, advance=advance)


def profile_parts(
    parts: tuple[Part, ...],
    *,
    edges: Edges | None = None,
    batch_rows: int | None = None,
    advance: Advance | None = None,
    stream: int = 0,
    threads: int | None = None,
) -> Profile:
    """Profile Parquet PARTS as one table, in one streaming pass: the function both engines run,
    the local one on every part in turn, the dask one on each part (then merged). STREAM picks
    the random streams of the quantile sample, so that partitions draw independent samples.
    THREADS profile the columns of a batch (None: one per core; a dask worker passes 1)."""

    def consume(batches: BatchStream) -> Profile:
        with _column_pool(threads) as pool:
            acc = Accumulator(batches.schema, edges or {}, pool, stream=stream)
            for batch in batches.batches:
                acc.add(batch)
            return acc.finish(source={"path": parts[0].location.rsplit("/", 1)[-1]})

    return read_parts(parts, consume, batch_rows=batch_rows, advance=advance)


def profile_table(
    table: pa.Table, *, edges: Edges | None = None, batch_rows: int | None = None
) -> Profile:
    """Profile an in-memory Arrow table (the same accumulator the stream uses)."""
    with _column_pool() as pool:
        acc = Accumulator(table.schema, edges or {}, pool)
        rows = batch_rows or auto_batch_rows(table.num_columns)
        for batch in table.to_batches(max_chunksize=rows):
            acc.add(batch)
        return acc.finish(source={})


def _column_pool(threads: int | None = None) -> ThreadPoolExecutor:
    """Threads for the columns of a batch: numpy and pyarrow compute release the GIL on whole
    arrays, so columns profile side by side on every core (one thread per core: more measured
    no faster)."""
    return ThreadPoolExecutor(
        max_workers=threads or usable_cpus(), thread_name_prefix="mlci-profile"
    )


# ------------------------------------------------------------------------------------- merge


def merge(a: Profile, b: Profile) -> Profile:
    """The profile of the two tables one after the other (same columns, same types)."""
    if list(a.columns) != list(b.columns):
        raise InputError(
            f"profiles with different columns do not merge: {list(a.columns)} vs {list(b.columns)}"
        )
    columns = {name: _merge_column(col, b.columns[name]) for name, col in a.columns.items()}
    return Profile(
        rows=a.rows + b.rows,
        columns=columns,
        row_hashes=a.row_hashes.merge(b.row_hashes),
        source={"merged": [dict(a.source), dict(b.source)]},
        row_sample=(
            a.row_sample.merge(b.row_sample)
            if a.row_sample is not None and b.row_sample is not None
            else None
        ),
    )


def _span(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    """The smallest range holding both (None: neither has one)."""
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), max(a[1], b[1]))


def _merge_column(a: ColumnProfile, b: ColumnProfile) -> ColumnProfile:
    kind = a.type if b.type in (a.type, "null") else b.type if a.type == "null" else None
    if kind is None:
        raise InputError(f"column {a.name!r}: types {a.type} and {b.type} do not merge")
    values: dict[Any, int] | None = None
    if a.values is not None and b.values is not None:
        values = dict(a.values)
        for value, count in b.values.items():
            values[value] = values.get(value, 0) + count
        values = values if len(values) <= VALUES_CAP else None
    merged = ColumnProfile(
        name=a.name,
        type=kind,
        rows=a.rows + b.rows,
        nulls=a.nulls + b.nulls,
        hash_sample=a.hash_sample.merge(b.hash_sample),
        values=values,
        number_like=a.number_like + b.number_like,
        text_examples=tuple(dict.fromkeys(a.text_examples + b.text_examples))[:3],
        text_lengths=_span(a.text_lengths, b.text_lengths),
        time_range=_span(a.time_range, b.time_range),
        time_unit=a.time_unit or b.time_unit,
    )
    if a.moments is None or b.moments is None:
        return merged
    sample = None  # a pass may keep no quantile sample (the monitor's, where no drift reads one)
    if a.quantile_sample is not None and b.quantile_sample is not None:
        sample = a.quantile_sample.merge(b.quantile_sample)
    merged = replace(merged, moments=a.moments.merge(b.moments), quantile_sample=sample)
    if (
        a.histogram is not None
        and b.histogram is not None
        and a.histogram.edges == b.histogram.edges
    ):
        return replace(merged, histogram=a.histogram.merge(b.histogram))
    return replace(merged, histogram=own_histogram(merged))


def merge_all(*profiles: Profile) -> Profile:
    """PROFILES merged in order: one node of a merge tree."""
    result = profiles[0]
    for one in profiles[1:]:
        result = merge(result, one)
    return result


def with_edges_of(profile: Profile, reference: Profile) -> Profile:
    """PROFILE's histograms re-estimated on REFERENCE's edges from its sample (when it was not
    computed on them, e.g. a stored profile compared with another reference)."""
    columns = dict(profile.columns)
    for name, col in profile.columns.items():
        ref = reference.columns.get(name)
        if col.quantile_sample is None or ref is None or ref.histogram is None:
            continue
        if col.histogram is None or col.histogram.edges != ref.histogram.edges:
            columns[name] = replace(
                col,
                histogram=histogram_from_sample(
                    col.quantile_sample, ref.histogram.edges, col.present
                ),
            )
    return replace(profile, columns=columns)


def build_profile(
    sources: tuple[Path, ...] | list[Path],
    *,
    bins_from: Path | None = None,
    batch_rows: int | None = None,
) -> Profile:
    """One profile of SOURCES (data files streamed, profile JSON files read), merged in order."""
    from mlci.data.progress import ReadProgress

    edges = read_profile(bins_from).edges() if bins_from is not None else None
    result: Profile | None = None
    for source in sources:
        if source.suffix.lower() == ".json":
            one = read_profile(source)
            one = with_edges_of(one, read_profile(bins_from)) if bins_from is not None else one
        else:
            progress = ReadProgress(f"profiling {source.name}")
            try:
                one = profile_file(
                    source, edges=edges, batch_rows=batch_rows, advance=progress.advance
                )
            finally:
                progress.close()
        result = one if result is None else merge(result, one)
    if result is None:
        raise InputError("no data files or profiles to profile")
    return result


def summary_lines(profile: Profile) -> list[str]:
    """A plain table of the profile, one column per line."""
    cells = ("column", "type", "nulls", "distinct", "min", "mean", "max")
    head = _row(cells)
    lines = [head]
    for col in profile.columns.values():
        m = col.moments
        nums = [_short(x) for x in (m.min, m.mean, m.max)] if m is not None else ["", "", ""]
        approx = "" if col.distinct_exact() else "~"
        distinct = f"{approx}{col.distinct():,.0f}"
        lines.append(_row((col.name[:28], col.type, f"{col.nulls:,}", distinct, *nums)))
    return lines


def _row(cells: tuple[str, ...]) -> str:
    name, kind, *rest = cells
    return f"{name:<28} {kind:<9} " + " ".join(f"{c:>11}" for c in rest)


def _short(x: float | None) -> str:
    return "" if x is None else f"{x:.5g}"
