"""One pass over the evaluation rows: both models on each batch in turn, then what they said.

The models take turns on every batch, so they see the same rows under the same machine load;
only the label, the slice columns and each model's outputs are kept per row (the features of one
batch at a time), so the pass's peak is flat in rows (docs/regression.md, "Memory at scale").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlci.adapters.mlflow_registry import LocalModel, load_pyfunc
from mlci.config import ModelConfig
from mlci.errors import InputError
from mlci.model.checks import size_mb
from mlci.model.evaldata import EvalFile
from mlci.model.predict import Predictor, Raw

if TYPE_CHECKING:
    import numpy.typing as npt

LATENCY_ROWS = 1_000


@dataclass(frozen=True)
class Streamed:
    """Everything read and predicted in the one pass over the evaluation rows."""

    label: npt.NDArray[Any]
    slices: Mapping[str, npt.NDArray[Any]]
    raws: tuple[Raw, ...]  # candidate first, then the champion if there is one
    names: tuple[str, ...]  # "candidate URI", "champion URI": how errors name them
    batch_rows: int
    sizes_mb: tuple[float, ...]


def models(
    candidate: LocalModel, champion: LocalModel | None
) -> tuple[tuple[LocalModel, str], ...]:
    """The models with their roles, candidate first."""
    return ((candidate, "candidate"),) + (((champion, "champion"),) if champion else ())


def stream(
    source: EvalFile, models: Sequence[tuple[LocalModel, str]], cfg: ModelConfig, label: str
) -> Streamed:
    """Both models on each batch in turn, so they see the same rows under the same load."""
    import numpy as np

    predictors = [
        Predictor.load(load_pyfunc(m, role), cfg.task, f"{role} {m.uri}") for m, role in models
    ]
    columns = tuple(c for c in source.columns() if c != label)
    slice_names = tuple(dict.fromkeys(s.column for s in cfg.slices))
    labels: list[npt.NDArray[Any]] = []
    slices: dict[str, list[npt.NDArray[Any]]] = {c: [] for c in slice_names}
    first = None
    for batch in source.batches(cfg.batch_size):
        if first is None:
            first = batch
            for p in predictors:
                p.prepare(batch, columns, str(source.path))
        labels.append(batch[label].to_numpy())
        for c in slice_names:
            slices[c].append(batch[c].to_numpy())
        features = batch.drop(columns=[label])
        for p in predictors:
            p.run(features, timed=len(batch) == cfg.batch_size)
    if first is None:
        raise InputError(f"{source.path}: the evaluation data has no rows")
    batch_rows = _time_latency(predictors, first.drop(columns=[label]), cfg)
    return Streamed(
        label=np.concatenate(labels),
        slices={c: np.concatenate(parts) for c, parts in slices.items()},
        raws=tuple(p.finish() for p in predictors),
        names=tuple(p.name for p in predictors),
        batch_rows=batch_rows,
        sizes_mb=tuple(size_mb(m.path) for m, _ in models),
    )


def _time_latency(predictors: Sequence[Predictor], first: Any, cfg: ModelConfig) -> int:
    """Too few full batches to time: time a fixed small batch, the models taking turns."""
    if all(len(p.timings) >= cfg.latency.min_samples for p in predictors):
        return cfg.batch_size
    sample = first.iloc[:LATENCY_ROWS]
    for p in predictors:
        p.timings.clear()
    for _ in range(cfg.latency.min_samples):
        for p in predictors:
            p.run(sample, timed=True, keep=False)
    return len(sample)
