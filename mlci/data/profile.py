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
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.data.contract import ColumnType
from mlci.data.reader import DEFAULT_BATCH_ROWS, Advance, BatchStream, is_number, read_stream
from mlci.data.sketch import HashSample, QuantileSample
from mlci.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

FORMAT = "mlci-profile"
VERSION = 1
VALUES_CAP = 1_000
DECILES = [i / 10 for i in range(1, 10)]
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
_SEED = 20_240_601
_NULL_HASH = 0x9E3779B97F4A7C15  # the row-hash stand-in for a missing value

Edges = Mapping[str, tuple[float, ...]]


@dataclass(frozen=True)
class Moments:
    """count, mean and M2 (sum of squared deviations) of the non-null numbers, plus min/max."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    min: float | None = None
    max: float | None = None
    integral: bool = True

    @property
    def variance(self) -> float | None:
        return self.m2 / (self.count - 1) if self.count > 1 else None

    @property
    def std(self) -> float | None:
        var = self.variance
        return None if var is None else math.sqrt(var)

    def merge(self, other: Moments) -> Moments:
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        delta = other.mean - self.mean
        return Moments(
            count=n,
            mean=self.mean + delta * other.count / n,
            m2=self.m2 + other.m2 + delta * delta * self.count * other.count / n,
            min=min(self.min, other.min),  # type: ignore[type-var]
            max=max(self.max, other.max),  # type: ignore[type-var]
            integral=self.integral and other.integral,
        )

    @classmethod
    def of(cls, values: npt.NDArray[np.float64], integral: bool | None = None) -> Moments:
        """Moments of finite values; `integral` when already known (an int column)."""
        import numpy as np

        if len(values) == 0:
            return cls()
        mean = float(values.mean())
        return cls(
            count=len(values),
            mean=mean,
            m2=float(np.square(values - mean).sum()),
            min=float(values.min()),
            max=float(values.max()),
            integral=bool(np.all(values == np.floor(values))) if integral is None else integral,
        )


@dataclass(frozen=True)
class Histogram:
    """Counts on bins (-inf, e1], (e1, e2], ..., (ek, inf) given by the interior edges."""

    edges: tuple[float, ...]
    counts: tuple[float, ...]
    exact: bool

    def merge(self, other: Histogram) -> Histogram:
        if self.edges != other.edges:
            raise ValueError("histograms on different edges do not merge")
        counts = tuple(a + b for a, b in zip(self.counts, other.counts, strict=True))
        return Histogram(self.edges, counts, self.exact and other.exact)


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str  # a ColumnType value, or "null" for a column with no values at all
    rows: int
    nulls: int
    moments: Moments | None = None
    histogram: Histogram | None = None
    quantile_sample: QuantileSample | None = None
    hash_sample: HashSample = field(default_factory=HashSample.empty)
    # value -> count while the column has at most VALUES_CAP distinct values, else None
    values: Mapping[Any, int] | None = field(default_factory=dict)
    number_like: int = 0  # text values that read as numbers (for the mixed-types check)
    text_examples: tuple[str, ...] = ()  # a few text values that do not

    @property
    def numeric(self) -> bool:
        return self.type in (ColumnType.INT.value, ColumnType.FLOAT.value)

    @property
    def present(self) -> int:
        return self.rows - self.nulls

    def distinct(self) -> float:
        return float(len(self.values)) if self.values is not None else self.hash_sample.distinct()

    def distinct_exact(self) -> bool:
        return self.values is not None or self.hash_sample.exact

    def quantiles(self, qs: list[float] = QUANTILES) -> dict[str, float]:
        if self.quantile_sample is None:
            return {}
        return {
            f"p{round(q * 100)}": v
            for q, v in zip(qs, self.quantile_sample.quantiles(qs), strict=False)
        }

    def top(self, k: int = 10) -> tuple[list[tuple[Any, int]], int]:
        """The k most frequent values and the count of all others (the "other" bucket)."""
        if self.values is None:
            return [], self.present
        ranked = sorted(self.values.items(), key=lambda kv: (-kv[1], str(kv[0])))
        return ranked[:k], sum(c for _, c in ranked[k:])


@dataclass(frozen=True)
class Profile:
    rows: int
    columns: Mapping[str, ColumnProfile]
    row_hashes: HashSample
    source: Mapping[str, Any] = field(default_factory=dict)

    def edges(self) -> dict[str, tuple[float, ...]]:
        return {
            name: col.histogram.edges
            for name, col in self.columns.items()
            if col.histogram is not None
        }

    def duplicates(self) -> float:
        return self.row_hashes.repeats()


# ----------------------------------------------------------------------------------- compute


def profile_file(
    path: Path,
    *,
    edges: Edges | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    advance: Advance | None = None,
) -> Profile:
    """Profile PATH in one streaming pass; memory is bounded by batch_rows, not the file size."""

    def consume(stream: BatchStream) -> Profile:
        with _column_pool() as pool:
            acc = _Accumulator(stream.schema, edges or {}, pool)
            for batch in stream.batches:
                acc.add(batch)
            return acc.finish(source={"path": path.name})

    return read_stream(path, consume, batch_rows=batch_rows, advance=advance)


def profile_table(
    table: pa.Table, *, edges: Edges | None = None, batch_rows: int = DEFAULT_BATCH_ROWS
) -> Profile:
    """Profile an in-memory Arrow table (the same accumulator the stream uses)."""
    with _column_pool() as pool:
        acc = _Accumulator(table.schema, edges or {}, pool)
        for batch in table.to_batches(max_chunksize=batch_rows):
            acc.add(batch)
        return acc.finish(source={})


def _column_pool() -> ThreadPoolExecutor:
    """Threads for the columns of a batch: numpy, pandas' hashing and pyarrow compute release the
    GIL on whole arrays, so columns profile side by side on every core."""
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="mlci-profile")


def column_type_of(arrow_type: pa.DataType) -> str:
    import pyarrow.types as pat

    if pat.is_dictionary(arrow_type):
        return ColumnType.CATEGORY.value
    checks: list[tuple[Callable[[pa.DataType], bool], str]] = [
        (pat.is_boolean, ColumnType.BOOL.value),
        (pat.is_integer, ColumnType.INT.value),
        (pat.is_floating, ColumnType.FLOAT.value),
        (pat.is_decimal, ColumnType.FLOAT.value),
        (pat.is_temporal, ColumnType.DATETIME.value),
        (pat.is_null, "null"),
    ]
    return next((kind for test, kind in checks if test(arrow_type)), ColumnType.STRING.value)


class _Accumulator:
    """Mutable state of one streaming pass; finish() freezes it into a Profile."""

    def __init__(self, schema: pa.Schema, edges: Edges, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.rows = 0
        self.row_hashes = HashSample.empty(1 << 17)
        self.columns = {
            name: _ColumnState(name, column_type_of(schema.field(name).type), edges.get(name), i)
            for i, name in enumerate(schema.names)
        }

    def add(self, batch: pa.RecordBatch) -> None:
        import numpy as np

        self.rows += batch.num_rows
        row_hash = np.zeros(batch.num_rows, dtype=np.uint64)
        states = list(self.columns.values())
        # One task per column; each state is touched by one thread at a time, and map() returns
        # the hashes in column order, so the result does not depend on scheduling.
        for col_hash in self.pool.map(lambda i: states[i].add(batch.column(i)), range(len(states))):
            # Order-dependent combination, so that (a, b) and (b, a) are different rows.
            row_hash = row_hash * np.uint64(1_000_003) ^ col_hash
        unique, counts = np.unique(
            row_hash[row_hash <= np.uint64(self.row_hashes.threshold)], return_counts=True
        )
        self.row_hashes = self.row_hashes.add(unique, counts.astype(np.int64))

    def finish(self, source: Mapping[str, Any]) -> Profile:
        columns = {name: state.finish() for name, state in self.columns.items()}
        return Profile(
            rows=self.rows, columns=columns, row_hashes=self.row_hashes, source=dict(source)
        )


class _ColumnState:
    def __init__(self, name: str, kind: str, edges: tuple[float, ...] | None, index: int) -> None:
        import numpy as np

        # A stream of its own per column: samples do not depend on which thread ran first.
        self.rng = np.random.default_rng([_SEED, index])
        self.name = name
        self.kind = kind
        self.edges = edges
        self.rows = 0
        self.nulls = 0
        self.moments = Moments()
        self.sample = QuantileSample.empty()
        self.hashes = HashSample.empty()
        self.values: dict[Any, int] | None = {}
        self.hist: list[float] | None = [0.0] * (len(edges) + 1) if edges is not None else None
        self.number_like = 0
        self.examples: list[str] = []

    @property
    def numeric(self) -> bool:
        return self.kind in (ColumnType.INT.value, ColumnType.FLOAT.value)

    def add(self, array: pa.Array) -> npt.NDArray[np.uint64]:
        """Update with one batch's column; returns each row's value hash (for duplicate rows)."""
        rng = self.rng
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        self.rows += len(array)
        if self.kind == ColumnType.DATETIME.value:
            array = (
                pc.cast(array, pa.int64())
                if not pa.types.is_timestamp(array.type)
                else array.cast(pa.int64())
            )
        if self.numeric and self.values is None:
            return self._many_numbers(array, rng)
        encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
        uniques = encoded.dictionary.to_numpy(zero_copy_only=False)
        indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        counts = np.bincount(indices[indices >= 0], minlength=len(uniques)).astype(np.int64)
        nan = np.zeros(len(uniques), dtype=bool)
        hashed = uniques
        if self.numeric and len(uniques):
            hashed = uniques.astype(np.float64)  # hashed as floats, as in _many_numbers
            nan = np.isnan(hashed)
        hashes = pd.util.hash_array(hashed) if len(uniques) else np.empty(0, dtype=np.uint64)
        present = (counts > 0) & ~nan
        self.nulls += int((indices < 0).sum() + counts[nan].sum())
        self.hashes = self.hashes.add(hashes[present], counts[present])
        self._count_values(uniques[present], counts[present])
        if self.numeric:
            self._numbers(array, rng)
        elif self.kind == ColumnType.STRING.value:
            self._texts(uniques[present], counts[present])
        if not len(hashes):
            return np.full(len(indices), _NULL_HASH, dtype=np.uint64)
        return np.where(indices >= 0, hashes[np.maximum(indices, 0)], np.uint64(_NULL_HASH))

    def _many_numbers(self, array: pa.Array, rng: np.random.Generator) -> npt.NDArray[np.uint64]:
        """A numeric column past VALUES_CAP distinct values: no dictionary encoding (it would
        cost more than everything else), hash the values themselves."""
        import numpy as np
        import pandas as pd

        values = array.to_numpy(zero_copy_only=False).astype(np.float64)
        missing = np.isnan(values)
        self.nulls += int(missing.sum())
        hashes = pd.util.hash_array(values)
        kept = hashes[~missing]
        kept = kept[kept <= np.uint64(self.hashes.threshold)]
        unique, counts = np.unique(kept, return_counts=True)
        self.hashes = self.hashes.add(unique, counts.astype(np.int64))
        self._numbers(array, rng, values[~missing])
        return np.where(missing, np.uint64(_NULL_HASH), hashes)

    def _count_values(self, uniques: npt.NDArray[Any], counts: npt.NDArray[np.int64]) -> None:
        if self.values is None:
            return
        if len(uniques) > VALUES_CAP:
            self.values = None
            return
        for value, count in zip(uniques.tolist(), counts.tolist(), strict=True):
            self.values[value] = self.values.get(value, 0) + count
        if len(self.values) > VALUES_CAP:
            self.values = None

    def _numbers(
        self,
        array: pa.Array,
        rng: np.random.Generator,
        present: npt.NDArray[np.float64] | None = None,
    ) -> None:
        import numpy as np

        values = present
        if values is None:
            values = array.drop_null().to_numpy(zero_copy_only=False).astype(np.float64)
            values = values[~np.isnan(values)]
        # +-inf would make the mean and the JSON profile meaningless; they count as values
        # (rows, distinct) but stay out of the statistics.
        values = values[np.isfinite(values)]
        # an int column is integral by its type; a float one, until a batch shows otherwise
        known = (
            True
            if self.kind == ColumnType.INT.value
            else (None if self.moments.integral else False)
        )
        self.moments = self.moments.merge(Moments.of(values, integral=known))
        self.sample = self.sample.add(values, rng)
        if self.edges is not None and self.hist is not None:
            binned = np.bincount(
                np.searchsorted(np.asarray(self.edges), values, side="left"),
                minlength=len(self.hist),
            )
            self.hist = [a + float(b) for a, b in zip(self.hist, binned, strict=True)]

    def _texts(self, uniques: npt.NDArray[Any], counts: npt.NDArray[np.int64]) -> None:
        for value, count in zip(uniques.tolist(), counts.tolist(), strict=True):
            if is_number(str(value)):
                self.number_like += count
            elif len(self.examples) < 3 and value not in self.examples:
                self.examples.append(str(value))

    def finish(self) -> ColumnProfile:
        kind = (
            self.kind
            if not (self.kind == "null" and self.rows > self.nulls)
            else ColumnType.STRING.value
        )
        col = ColumnProfile(
            name=self.name,
            type=kind,
            rows=self.rows,
            nulls=self.nulls,
            hash_sample=self.hashes,
            values=self.values,
            number_like=self.number_like,
            text_examples=tuple(self.examples),
        )
        if not self.numeric:
            return col
        hist = None
        if self.hist is not None and self.edges is not None:
            hist = Histogram(tuple(self.edges), tuple(self.hist), exact=True)
        col = replace(col, moments=self.moments, quantile_sample=self.sample)
        return replace(col, histogram=hist or _own_histogram(col))


def _own_histogram(col: ColumnProfile) -> Histogram | None:
    """Deciles of the column's own sample as edges, counts estimated from the sample."""

    sample = col.quantile_sample
    if sample is None or len(sample.values) == 0:
        return None
    edges = tuple(sorted(set(sample.quantiles(DECILES))))
    return _histogram_from_sample(sample, edges, col.present)


def _histogram_from_sample(
    sample: QuantileSample, edges: tuple[float, ...], total: int
) -> Histogram:
    import numpy as np

    binned = np.bincount(
        np.searchsorted(np.asarray(edges), sample.values, side="left"), minlength=len(edges) + 1
    )
    exact = len(sample.values) == total
    scale = 1.0 if exact else total / max(len(sample.values), 1)
    return Histogram(edges, tuple(float(b) * scale for b in binned), exact=exact)


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
    )


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
    )
    if (
        a.moments is None
        or b.moments is None
        or a.quantile_sample is None
        or b.quantile_sample is None
    ):
        return merged
    merged = replace(
        merged,
        moments=a.moments.merge(b.moments),
        quantile_sample=a.quantile_sample.merge(b.quantile_sample),
    )
    if (
        a.histogram is not None
        and b.histogram is not None
        and a.histogram.edges == b.histogram.edges
    ):
        return replace(merged, histogram=a.histogram.merge(b.histogram))
    return replace(merged, histogram=_own_histogram(merged))


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
            f"(this mlci reads {VERSION})"
        )
    try:
        columns = {
            str(name): _column_from_json(str(name), col) for name, col in doc["columns"].items()
        }
        return Profile(
            rows=int(doc["rows"]),
            columns=columns,
            row_hashes=HashSample.from_json(doc["row_hashes"]),
            source=doc.get("source") or {},
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
        hash_sample=HashSample.from_json(doc["sketches"]["hash"]),
        values=values,
        number_like=int(doc.get("number_like", 0)),
        text_examples=tuple(doc.get("text_examples", ())),
    )


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
                histogram=_histogram_from_sample(
                    col.quantile_sample, ref.histogram.edges, col.present
                ),
            )
    return replace(profile, columns=columns)


def build_profile(
    sources: tuple[Path, ...] | list[Path],
    *,
    bins_from: Path | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
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
