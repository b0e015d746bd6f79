"""The regress step: the candidate against the registry's champion on the same evaluation rows.

Read top to bottom: fetch both models, stream the evaluation rows through both in the same
batches (mlci.model.stream), then the checks (mlci.model.evaluate: prediction sanity, each metric
with its interval and rule, McNemar, each slice, latency and size), then the notes. The evaluation
is logged as an MLflow run so it shows in the MLflow UI.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.adapters.mlflow_registry import LocalModel, scratch_dir
from mlci.config import MetricRule, ModelConfig
from mlci.config_load import LoadedConfig
from mlci.errors import ConfigError, InputError
from mlci.model.catalogue import DEFAULT_METRICS, unknown_metric_message
from mlci.model.evaldata import EvalFile
from mlci.model.evaluate import evaluate
from mlci.model.metrics import METRICS, Metric
from mlci.model.rules import FIRST_MODEL
from mlci.model.slices import slice_notes
from mlci.model.stream import Streamed, models, stream
from mlci.results import CheckResult, ModelRef, StepResult

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

__all__ = ["FIRST_MODEL", "RegressOutcome", "run_regress", "unknown_metric_message"]


@dataclass(frozen=True)
class RegressOutcome:
    step: StepResult
    candidate: ModelRef
    champion: ModelRef | None
    eval_digest: str
    run_id: str | None = None  # the MLflow run the evaluation was logged as
    # Seconds per phase (open, models, predict, score, log), for benchmarks/regress.py: wall
    # time, and CPU time of the process (all threads), which a shared machine disturbs less.
    timings: Mapping[str, float] = field(default_factory=dict)
    cpu_timings: Mapping[str, float] = field(default_factory=dict)


def run_regress(
    *, loaded: LoadedConfig, registry: ModelRegistry, progress: Callable[[str], None] | None = None
) -> RegressOutcome:
    """Predict with both models, score the configured metrics, apply their rules. PROGRESS
    hears of each phase that can take seconds (a first regress spends ~12 s before a result)."""
    say = progress or (lambda _: None)
    clock = _Clock()
    cfg = loaded.require_model()
    label = _label(loaded)
    rules = _rules(loaded)
    source = EvalFile.open(cfg.eval_data)
    _check_columns(loaded, source, label)
    clock.lap("open")
    with scratch_dir() as tmp:
        say("regress: fetching the candidate and the champion")
        candidate = registry.fetch(cfg.candidate, Path(tmp) / "candidate")
        found = registry.by_alias(cfg.name, loaded.config.registry.champion_alias)
        champion = registry.fetch(found.uri, Path(tmp) / "champion") if found else None
        clock.lap("models")
        say(f"regress: loading the models and predicting {source.path.name}")
        with blas_threads(cfg.blas_threads):
            streamed = stream(source, models(candidate, champion), cfg, label)
        clock.lap("predict")
    source.ensure_unchanged()  # the digest in the report is of the rows both models saw
    say(f"regress: scoring (bootstrap, {cfg.bootstrap.resamples:,} resamples)")
    with blas_threads(cfg.blas_threads):
        checks = evaluate(cfg, rules, streamed, label)
    clock.lap("score")
    notes = _notes(cfg, streamed, champion, checks)
    registered = registry.find_by_digest(cfg.name, candidate.digest)
    cand_ref = ModelRef(
        name=cfg.name,
        uri=cfg.candidate,
        version=candidate.version or (registered.version if registered else None),
        digest=candidate.digest,
    )
    step = StepResult(name="regress", checks=checks, seconds=clock.total(), notes=notes)
    outcome = RegressOutcome(
        step=step, candidate=cand_ref, champion=_ref(cfg.name, champion), eval_digest=source.digest
    )
    if cfg.log_evaluation:
        say("regress: logging the evaluation to MLflow")
        outcome = _logged(loaded, registry, outcome)
        clock.lap("log")
    return replace(outcome, timings=clock.laps, cpu_timings=clock.cpu_laps)


@contextmanager
def blas_threads(threads: int | None) -> Iterator[None]:
    """At most THREADS BLAS threads inside, the libraries' default when None. OpenBLAS threads
    spin-wait after every call: on 50,000-row batches a logistic regression's small products
    cost twice the CPU with two threads than with one (benchmarks/README.md, third round)."""
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=threads, user_api="blas"):
        yield


class _Clock:
    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.last_cpu = time.process_time()
        self.laps: dict[str, float] = {}
        self.cpu_laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.laps[name], self.cpu_laps[name] = now - self.last, cpu - self.last_cpu
        self.last, self.last_cpu = now, cpu

    def total(self) -> float:
        return time.perf_counter() - self.started


# --- configuration ---------------------------------------------------------------------------


def _label(loaded: LoadedConfig) -> str:
    label = loaded.config.data.label
    if label is None:
        raise ConfigError(
            f"{loaded.path.name}: data.label: required by regress (the target column)"
        )
    return label


def _rules(loaded: LoadedConfig) -> tuple[tuple[Metric, MetricRule], ...]:
    cfg = loaded.require_model()
    configured = dict(cfg.metrics) or {n: MetricRule() for n in DEFAULT_METRICS[cfg.task]}
    # load_config refused unknown metric names already
    return tuple((METRICS[cfg.task][name], rule) for name, rule in configured.items())


def _check_columns(loaded: LoadedConfig, source: EvalFile, label: str) -> None:
    columns = source.columns()
    if label not in columns:
        raise InputError(
            f"{source.path}: label column {label!r} (data.label) not found in the evaluation data"
        )
    for i, s in enumerate(loaded.require_model().slices):
        if s.column not in columns:
            raise InputError(
                f"{loaded.path.name}: model.slices.{i}.column: {s.column!r} "
                f"is not a column of {source.path}"
            )


# --- notes, refs, logging ----------------------------------------------------------------------


def _notes(
    cfg: ModelConfig, streamed: Streamed, champion: LocalModel | None, checks: Sequence[CheckResult]
) -> tuple[str, ...]:
    rows = len(streamed.label)
    b = cfg.bootstrap
    if champion is None:
        notes = [FIRST_MODEL]
    else:
        how = f"paired bootstrap, {b.resamples:,} resamples, "
        how += f"{b.confidence:.0%} intervals, seed {b.seed}"
        if rows > b.max_rows:
            how += f", m-out-of-n with m = {b.max_rows:,}"
        notes = [
            f"compared with the champion {champion.uri} "
            f"on the same {rows:,} evaluation rows ({how})"
        ]
    notes.extend(slice_notes(cfg, streamed.slices, checks))
    return tuple(notes)


def _ref(name: str, model: LocalModel | None) -> ModelRef | None:
    if model is None:
        return None
    return ModelRef(name=name, uri=model.uri, version=model.version, digest=model.digest)


def _logged(
    loaded: LoadedConfig, registry: ModelRegistry, outcome: RegressOutcome
) -> RegressOutcome:
    from mlci.tracking_record import log_evaluation
    from mlci.wiring import tracking_for

    run_id = log_evaluation(
        loaded=loaded, outcome=outcome, tracking=tracking_for(registry.tracking_uri)
    )
    note = f"evaluation logged as MLflow run {run_id}"
    step = replace(outcome.step, notes=(*outcome.step.notes, note))
    return replace(outcome, step=step, run_id=run_id)
