"""What `mlci init` can tell from the repository: its tables, the label, the task, the model.

Guesses only: every one is shown (and asked for, on a terminal) before anything is written.
Tables are found by name (train -> reference, eval/valid/test -> evaluation rows, new/current/
batch -> the data under test); the label by a conventional name, else the last column; the task
from the label's values in the first block of the evaluation rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "mlartifacts", ".dvc", ".mlci", "mlruns"}
TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
LABELS = ("target", "label", "y", "class", "outcome")
MAX_CLASSES = 20  # more distinct labels than this reads as a regression target
_ROLES = {
    "reference": ("train",),
    "eval_data": ("eval", "valid", "test", "holdout"),
    "data": ("new", "current", "batch", "incoming", "serving", "prod", "score"),
}


@dataclass(frozen=True)
class Answers:
    """Everything `mlci init` writes is derived from these (paths relative to the repository)."""

    data: str
    reference: str | None
    eval_data: str
    label: str
    task: str
    name: str
    candidate: str
    tracking_uri: str = "sqlite:///mlflow.db"

    def with_overrides(self, **given: str | None) -> Answers:
        """GIVEN over the guesses; an unset (None) value keeps the guess, `reference: none`
        means no reference."""
        kept = {k: v for k, v in given.items() if v is not None and k != "reference"}
        new = replace(self, **kept)
        ref = given.get("reference")
        if ref is None:
            return new
        return replace(new, reference=None if ref.lower() in ("none", "") else ref)


def guess(root: Path) -> Answers:
    """The paths alone; label and task follow from the evaluation rows (`guess_label_task`)."""
    tables = find_tables(root)
    picked = {role: _pick(tables, words) for role, words in _ROLES.items()}
    eval_data = picked["eval_data"] or picked["data"] or picked["reference"] or "data/eval.csv"
    data = picked["data"] or eval_data
    return Answers(
        data=data,
        reference=picked["reference"] if picked["reference"] != data else None,
        eval_data=eval_data,
        label="target",
        task="binary",
        name=model_name(root.resolve().name),
        candidate=find_model(root) or "models/candidate",
    )


def find_tables(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in _files(root) if p.suffix.lower() in TABLE_SUFFIXES
    )


def find_model(root: Path) -> str | None:
    """An MLflow model directory (one holding an MLmodel file), `models/candidate` first."""
    found = sorted(
        p.parent.relative_to(root).as_posix() for p in _files(root) if p.name == "MLmodel"
    )
    preferred = [f for f in found if f.endswith("candidate")]
    return next(iter(preferred or found), None)


def _files(root: Path) -> Iterable[Path]:
    for path in root.iterdir():
        if path.is_dir() and path.name not in SKIP_DIRS:
            yield from _files(path)
        elif path.is_file():
            yield path


def _pick(tables: list[str], words: tuple[str, ...]) -> str | None:
    for word in words:
        for table in tables:
            if word in Path(table).stem.lower():
                return table
    return None


def model_name(text: str) -> str:
    """A registry name from the folder's: no spaces, slashes, colons or @ (model.name)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.").lower()
    return name or "model"


def guess_label_task(path: Path, label: str | None) -> tuple[str, str]:
    """The label (given, a conventional name, or the last column) and the task its values
    suggest, from the first block of PATH."""
    from mlci.data.reader import read_stream

    if not path.is_file():  # init_repository names the flag to fix
        return label or "target", "binary"

    def first(stream: Any) -> Any:
        return next(iter(stream.batches), None)

    batch = read_stream(path, first)
    names = [] if batch is None else list(batch.schema.names)
    if label is None:
        lowered = {n.lower(): n for n in names}
        label = next((lowered[c] for c in LABELS if c in lowered), names[-1] if names else "target")
    if batch is None or label not in names:
        return label, "binary"
    return label, _task(batch.column(names.index(label)).to_pylist())


def _task(values: list[Any]) -> str:
    present = {v for v in values if v is not None}
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
    if numeric and any(isinstance(v, float) and not v.is_integer() for v in present):
        return "regression"
    if len(present) <= 2:
        return "binary"
    return "multiclass" if len(present) <= MAX_CLASSES or not numeric else "regression"
