"""A profile as versioned JSON (`mlci profile`'s files, the baselines stored with a champion),
and back. Hash samples read from JSON decode their arrays only when used."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlci.data.rowsample import RowSample
from mlci.data.sketch import HashSample, QuantileSample
from mlci.data.stats import ColumnProfile, Histogram, Moments, Profile
from mlci.data.types import ColumnType
from mlci.errors import InputError

FORMAT = "mlci-profile"
VERSION = 2  # 2: text hashed by mlci itself (mlci/data/sketch.py), not by pandas


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
        spread = not math.isnan(m.m2)  # NaN: kept no spread (Moments.of(spread=False))
        doc["stats"] = {
            "count": m.count,
            "min": m.min,
            "max": m.max,
            "mean": m.mean,
            "m2": m.m2 if spread else None,
            "std": m.std if spread else None,
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
            math.nan if s["m2"] is None else float(s["m2"]),
            s["min"],
            s["max"],
            bool(s["integral"]),
        )
        quantile = doc["sketches"].get("quantile")  # none kept: a monitor's profile
        sample = None if quantile is None else QuantileSample.from_json(quantile)
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
