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

import json
import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.data.accumulator import Accumulator
from mlci.data.columns import column_type_of
from mlci.data.reader import (
    Advance,
    BatchStream,
    Part,
    auto_batch_rows,
    read_parts,
    read_stream,
)
from mlci.data.rowsample import RowSample
from mlci.data.sketch import HashSample, QuantileSample
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
from mlci.data.types import ColumnType
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
    "from_json",
    "merge",
    "merge_all",
    "profile_file",
    "profile_parts",
    "profile_table",
    "read_profile",
    "summary_lines",
    "to_json",
    "with_edges_of",
    "write_profile",
]

FORMAT = "mlci-profile"
VERSION = 2  # 2: text hashed by mlci itself (mlci/data/sketch.py), not by pandas


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
        max_workers=threads or os.cpu_count() or 1, thread_name_prefix="mlci-profile"
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


# -------------------------------------------------------------------------------------- JSON


def to_json(profile: Profile) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "rows": profile.rows,
        "source": dict(profile.source),
        "duplicate_rows": round(profile.duplicates(), 3),
        "row_hashes": profile.row_hashes.to_json(),
        "columns": {name: _column_json(col) for name, col in profile.columns.items()},
        "row_sample": None if profile.row_sample is None else profile.row_sample.to_json(),
    }


def _column_json(col: ColumnProfile) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": col.type,
        "rows": col.rows,
        "nulls": col.nulls,
        "distinct": round(col.distinct(), 3),
        "distinct_exact": col.distinct_exact(),
    }
    if col.moments is not None:
        m = col.moments
        doc["stats"] = {
            "count": m.count,
            "min": m.min,
            "max": m.max,
            "mean": m.mean,
            "m2": m.m2,
            "std": m.std,
            "integral": m.integral,
        }
        doc["quantiles"] = col.quantiles()
    if col.histogram is not None:
        h = col.histogram
        doc["histogram"] = {"edges": list(h.edges), "counts": list(h.counts), "exact": h.exact}
    top, other = col.top()
    doc["top"] = [{"value": _json_value(v), "count": c} for v, c in top]
    doc["other"] = other
    # Value lists are stored as [value, count] pairs: JSON keys would turn 1 and "1" into one.
    doc["values"] = (
        None if col.values is None else [[_json_value(v), c] for v, c in col.values.items()]
    )
    if col.type == ColumnType.STRING.value:
        doc["number_like"] = col.number_like
        doc["text_examples"] = list(col.text_examples)
    if col.text_lengths is not None:
        doc["text_lengths"] = list(col.text_lengths)
    if col.time_range is not None:
        doc["time_range"] = {"oldest": col.time_range[0], "newest": col.time_range[1]}
        doc["time_unit"] = col.time_unit
    doc["sketches"] = {"hash": col.hash_sample.to_json()}
    if col.quantile_sample is not None:
        doc["sketches"]["quantile"] = col.quantile_sample.to_json()
    return doc


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, float) and not math.isfinite(value) else value


def from_json(doc: Mapping[str, Any], origin: str = "profile") -> Profile:
    if doc.get("format") != FORMAT:
        raise InputError(f'{origin}: not an mlci profile (expected "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise InputError(
            f"{origin}: profile version {doc.get('version')!r} is not supported "
            f"(this mlci reads {VERSION}): write it again with `mlci profile`"
        )
    try:
        columns = {
            str(name): _column_from_json(str(name), col) for name, col in doc["columns"].items()
        }
        return Profile(
            rows=int(doc["rows"]),
            columns=columns,
            row_hashes=PackedHashSample.of(doc["row_hashes"]),
            source=doc.get("source") or {},
            row_sample=RowSample.from_json(doc["row_sample"]) if doc.get("row_sample") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{origin}: malformed profile ({type(exc).__name__}: {exc})") from None


def _column_from_json(name: str, doc: Mapping[str, Any]) -> ColumnProfile:
    moments = sample = hist = None
    if "stats" in doc:
        s = doc["stats"]
        moments = Moments(
            int(s["count"]),
            float(s["mean"]),
            float(s["m2"]),
            s["min"],
            s["max"],
            bool(s["integral"]),
        )
        sample = QuantileSample.from_json(doc["sketches"]["quantile"])
    if doc.get("histogram"):
        h = doc["histogram"]
        hist = Histogram(tuple(h["edges"]), tuple(h["counts"]), bool(h["exact"]))
    numeric = doc["type"] in (ColumnType.INT.value, ColumnType.FLOAT.value)
    values = None
    if doc.get("values") is not None:
        # a numeric column's +-inf is stored as the text "inf"/"-inf" (JSON has no infinity)
        values = {
            (float(v) if numeric and isinstance(v, str) else v): int(c) for v, c in doc["values"]
        }
    return ColumnProfile(
        name=name,
        type=str(doc["type"]),
        rows=int(doc["rows"]),
        nulls=int(doc["nulls"]),
        moments=moments,
        histogram=hist,
        quantile_sample=sample,
        hash_sample=PackedHashSample.of(doc["sketches"]["hash"]),
        values=values,
        number_like=int(doc.get("number_like", 0)),
        text_examples=tuple(doc.get("text_examples", ())),
        text_lengths=_pair(doc.get("text_lengths")),
        time_range=_pair(
            None
            if "time_range" not in doc
            else [doc["time_range"][k] for k in ("oldest", "newest")]
        ),
        time_unit=doc.get("time_unit"),
    )


def _pair(values: list[Any] | None) -> tuple[int, int] | None:
    return None if values is None else (int(values[0]), int(values[1]))


class PackedHashSample(HashSample):
    """A hash sample as read from JSON, its arrays decoded on first use. validate never looks at
    most of a stored reference's: the row hashes and the hash samples of columns whose values
    are listed are most of its bytes (5 of a 7 MB profile), and decoding them was a sixth of
    start-up."""

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> PackedHashSample:
        sample = cls.__new__(cls)
        # frozen dataclass: fields are set as its own __init__ would
        object.__setattr__(sample, "threshold", int(doc["threshold"]))
        object.__setattr__(sample, "size", int(doc["size"]))
        object.__setattr__(sample, "_packed", (str(doc["hashes"]), str(doc["counts"])))
        return sample

    def __getattr__(self, name: str) -> Any:
        # only reached for the arrays not decoded yet (hashes, counts)
        if name not in ("hashes", "counts") or "_packed" not in self.__dict__:
            raise AttributeError(name)
        hashes, counts = self.__dict__["_packed"]
        full = HashSample.from_json(
            {"hashes": hashes, "counts": counts, "threshold": "0", "size": 0}
        )
        object.__setattr__(self, "hashes", full.hashes)
        object.__setattr__(self, "counts", full.counts)
        return getattr(self, name)


def write_profile(profile: Profile, path: Path) -> None:
    path.write_text(
        json.dumps(to_json(profile), indent=1, allow_nan=False) + "\n", encoding="utf-8"
    )


def read_profile(path: Path) -> Profile:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: profile not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read profile JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not an mlci profile (expected a JSON object)")
    return from_json(doc, origin=str(path))


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
