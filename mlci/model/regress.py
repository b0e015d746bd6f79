"""The regress step: the candidate against the registry's champion on the same evaluation rows.

Read top to bottom: fetch both models, stream the evaluation rows through both in the same
batches (timing each call), encode their outputs, then the checks: prediction sanity, each metric
with its interval and rule, McNemar, each slice, latency and size. The evaluation is logged as an
MLflow run so it shows in the MLflow UI.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.adapters.mlflow_registry import LocalModel, Registry, load_pyfunc, scratch_dir
from mlci.config import LoadedConfig, MetricRule, ModelConfig, Task
from mlci.errors import ConfigError, InputError
from mlci.model.bootstrap import Paired, compare
from mlci.model.checks import (
    Latency,
    Sanity,
    latency_check,
    mcnemar_check,
    non_finite,
    predictions_check,
    size_check,
    size_mb,
)
from mlci.model.evaldata import EvalFile
from mlci.model.metrics import (
    DEFAULT_METRICS,
    Metric,
    Outputs,
    Target,
    metric_for,
    unknown_metric_message,
)
from mlci.model.predict import Predictor, Raw
from mlci.model.rules import FIRST_MODEL, Scored, judge
from mlci.results import CheckResult, ModelRef, Status, StepResult

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["FIRST_MODEL", "RegressOutcome", "run_regress", "unknown_metric_message"]
LATENCY_ROWS = 1_000
WORST_SLICES = 3


@dataclass(frozen=True)
class RegressOutcome:
    step: StepResult
    candidate: ModelRef
    champion: ModelRef | None
    eval_digest: str
    run_id: str | None = None  # the MLflow run the evaluation was logged as
    # Seconds per phase (digest, models, predict, score, log), for benchmarks/regress.py.
    timings: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Streamed:
    """Everything read and predicted in the one pass over the evaluation rows."""

    label: npt.NDArray[Any]
    slices: Mapping[str, npt.NDArray[Any]]
    raws: tuple[Raw, ...]  # candidate first, then the champion if there is one
    names: tuple[str, ...]  # "candidate URI", "champion URI": how errors name them
    batch_rows: int
    sizes_mb: tuple[float, ...]


def run_regress(
    *, loaded: LoadedConfig, registry: Registry, progress: Callable[[str], None] | None = None
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
        streamed = _stream(source, _models(candidate, champion), cfg, label)
        clock.lap("predict")
    source.ensure_unchanged()  # the digest in the report is of the rows both models saw
    say(f"regress: scoring (bootstrap, {cfg.bootstrap.resamples:,} resamples)")
    checks = _checks(cfg, rules, streamed, label)
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
    return replace(outcome, timings=clock.laps)


class _Clock:
    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now

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
    out = []
    for name, rule in configured.items():
        metric = metric_for(cfg.task, name)
        if metric is None:
            raise ConfigError(unknown_metric_message(loaded.path.name, cfg.task, name))
        out.append((metric, rule))
    return tuple(out)


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


# --- one pass over the rows ------------------------------------------------------------------


def _models(
    candidate: LocalModel, champion: LocalModel | None
) -> tuple[tuple[LocalModel, str], ...]:
    return ((candidate, "candidate"),) + (((champion, "champion"),) if champion else ())


def _stream(
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


# --- encoding -----------------------------------------------------------------------------------


def _is_text(values: npt.NDArray[Any]) -> bool:
    if values.dtype.kind in "USO":
        return any(isinstance(v, str) for v in values[:1000])
    return False


def _encode(
    task: Task, label: str, y: npt.NDArray[Any], raws: Sequence[Raw], names: Sequence[str]
) -> tuple[Target, list[Outputs]]:
    import numpy as np

    if task is Task.REGRESSION:
        return _encode_regression(label, y, raws)
    labels = _label_space(task, label, y, raws, names)
    target = Target(
        task=task,
        y=np.searchsorted(labels, y),
        classes=tuple(v.item() if hasattr(v, "item") else v for v in labels),
    )
    return target, [
        _encode_outputs(labels, raw, name) for raw, name in zip(raws, names, strict=True)
    ]


def _encode_regression(
    label: str, y: npt.NDArray[Any], raws: Sequence[Raw]
) -> tuple[Target, list[Outputs]]:
    import numpy as np

    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"label column {label!r} is not numeric; task regression needs numbers"
        ) from None
    if not np.isfinite(values).all():
        raise InputError(
            f"label column {label!r} has {int((~np.isfinite(values)).sum()):,} "
            "missing or infinite values"
        )
    target = Target(task=Task.REGRESSION, y=values)
    return target, [Outputs(pred=np.asarray(r.values, dtype=np.float64)) for r in raws]


def _label_space(
    task: Task, label: str, y: npt.NDArray[Any], raws: Sequence[Raw], names: Sequence[str]
) -> npt.NDArray[Any]:
    import numpy as np
    import pandas as pd

    if pd.isna(y).any():
        raise InputError(f"label column {label!r} has {int(pd.isna(y).sum()):,} missing values")
    for raw, name in zip(raws, names, strict=True):
        if _is_text(raw.values) != _is_text(y):
            kinds = ("text", "numbers") if _is_text(raw.values) else ("numbers", "text")
            raise InputError(
                f"{name}: predicts {kinds[0]} but label column {label!r} holds {kinds[1]}"
            )
    parts = [y, *(r.values for r in raws), *(np.asarray(r.classes) for r in raws if r.classes)]
    try:
        labels = np.unique(np.concatenate(parts))
    except TypeError as exc:
        raise InputError(
            f"label column {label!r}: labels and predictions cannot be compared: {exc}"
        ) from None
    if task is Task.BINARY and len(labels) > 2:
        shown = ", ".join(repr(v) for v in labels[:5].tolist())
        raise InputError(
            f"label column {label!r}: task binary, but the labels and predictions hold "
            f"{len(labels)} classes ({shown}); use task multiclass"
        )
    return labels


def _encode_outputs(labels: npt.NDArray[Any], raw: Raw, name: str) -> Outputs:
    import numpy as np

    pred = np.searchsorted(labels, raw.values)
    if raw.proba is None:
        return Outputs(pred=pred)
    own = np.asarray(raw.classes) if raw.classes else labels
    if raw.proba.shape[1] != len(own):
        raise InputError(
            f"{name}: returned {raw.proba.shape[1]} probability columns for {len(own)} classes"
        )
    proba = np.zeros((len(pred), len(labels)))
    proba[:, np.searchsorted(labels, own)] = raw.proba
    return Outputs(pred=pred, proba=proba)


# --- checks -------------------------------------------------------------------------------------


def _checks(
    cfg: ModelConfig, rules: Sequence[tuple[Metric, MetricRule]], streamed: Streamed, label: str
) -> tuple[CheckResult, ...]:
    names = ("candidate", "champion")[: len(streamed.raws)]
    sanity = [
        Sanity(name=n, non_finite=non_finite(r.values, r.proba))
        for r, n in zip(streamed.raws, names, strict=True)
    ]
    rows = len(streamed.label)
    operational = _operational(cfg, streamed)
    if any(s.non_finite for s in sanity):
        skipped = tuple(
            _not_computed(m, r, cfg, "the predictions hold NaN or inf") for m, r in rules
        )
        return (predictions_check(sanity, rows, cfg.allow_new_classes, ""), *skipped, *operational)
    target, outputs = _encode(cfg.task, label, streamed.label, streamed.raws, streamed.names)
    if cfg.task is not Task.REGRESSION:
        sanity[0] = _new_classes(sanity[0], target, outputs, streamed.raws)
    versus = (
        "the evaluation labels and the champion" if len(outputs) > 1 else "the evaluation labels"
    )
    first = predictions_check(sanity, rows, cfg.allow_new_classes, versus)
    _require_proba(rules, outputs, names)
    metrics = [m for m, _ in rules]
    paired = compare(metrics, target, outputs[0], _champion(outputs), cfg=cfg.bootstrap)
    overall = tuple(
        judge(s) for s in _scored(rules, paired, cfg, None, None, undefined_is_error=True)
    )
    mcnemar = _mcnemar(cfg, target, outputs)
    sliced = _slices(cfg, rules, streamed, target, outputs)
    return (first, *overall, *mcnemar, *sliced, *operational)


def _champion(outputs: Sequence[Outputs]) -> Outputs | None:
    return outputs[1] if len(outputs) > 1 else None


def _new_classes(
    sanity: Sanity, target: Target, outputs: Sequence[Outputs], raws: Sequence[Raw]
) -> Sanity:
    """Classes the candidate predicts that are neither in the evaluation labels nor the champion's.

    The champion's classes are those it predicted here and those it was fitted on (classes_).
    """
    import numpy as np

    def present(codes: npt.NDArray[Any]) -> list[object]:
        # Codes index target.classes: counting them is one pass, np.unique a hash or a sort.
        counts = np.bincount(codes, minlength=target.n_classes)
        return [target.classes[i] for i in np.flatnonzero(counts).tolist()]

    known = set(present(target.y))
    if len(outputs) > 1:
        known |= set(present(outputs[1].pred))
        known |= set(raws[1].classes)
    predicted = present(outputs[0].pred)
    new = tuple(c for c in predicted if c not in known)
    return Sanity(name=sanity.name, non_finite=0, new_classes=new)


def _require_proba(
    rules: Sequence[tuple[Metric, MetricRule]], outputs: Sequence[Outputs], names: Sequence[str]
) -> None:
    for metric, _ in rules:
        for out, role in zip(outputs, names, strict=True):
            if metric.needs_proba and out.proba is None:
                raise InputError(
                    f"model.metrics.{metric.name}: the {role} predicts labels only; "
                    f"{metric.name} needs probabilities (log it with "
                    "pyfunc_predict_fn='predict_proba' or use a classifier with predict_proba)"
                )


def _scored(
    rules: Sequence[tuple[Metric, MetricRule]],
    paired: Paired,
    cfg: ModelConfig,
    column: str | None,
    value: object,
    *,
    undefined_is_error: bool,
) -> list[Scored]:
    out = []
    for metric, rule in rules:
        cand = paired.candidate[metric.name]
        champ = None if paired.champion is None else paired.champion[metric.name]
        if not math.isfinite(cand) or (champ is not None and not math.isfinite(champ)):
            if undefined_is_error:
                raise InputError(
                    f"model.metrics.{metric.name}: undefined on the evaluation data "
                    "(its labels hold one class)"
                )
            continue
        interval = paired.intervals.get(metric.name)
        out.append(
            Scored(
                metric,
                rule,
                cand,
                champ,
                interval,
                paired.rows,
                cfg.bootstrap.confidence,
                column,
                value,
            )
        )
    return out


def _not_computed(metric: Metric, rule: MetricRule, cfg: ModelConfig, why: str) -> CheckResult:
    return CheckResult(
        id="metric",
        title=metric.name,
        status=Status.SKIP,
        message=f"{metric.name}: not computed: {why}",
        details={
            "metric": metric.name,
            "candidate": None,
            "champion": None,
            "delta": None,
            "higher_is_better": metric.higher_is_better,
            "ci_low": None,
            "ci_high": None,
            "confidence": cfg.bootstrap.confidence,
            "decision": rule.decision,
        },
    )


def _mcnemar(
    cfg: ModelConfig, target: Target, outputs: Sequence[Outputs]
) -> tuple[CheckResult, ...]:
    if cfg.task is Task.REGRESSION or len(outputs) < 2:
        return ()
    return (
        mcnemar_check(
            outputs[0].pred == target.y, outputs[1].pred == target.y, cfg.bootstrap.confidence
        ),
    )


def _slices(
    cfg: ModelConfig,
    rules: Sequence[tuple[Metric, MetricRule]],
    streamed: Streamed,
    target: Target,
    outputs: Sequence[Outputs],
) -> tuple[CheckResult, ...]:
    scored: list[Scored] = []
    for s in cfg.slices:
        for value, rows in _slice_rows(streamed.slices[s.column], s.min_size):
            paired = compare(
                [m for m, _ in rules],
                target.take(rows),
                outputs[0].take(rows),
                None if len(outputs) < 2 else outputs[1].take(rows),
                cfg=cfg.bootstrap,
                key=f"{s.column}={value}",
            )
            scored.extend(_scored(rules, paired, cfg, s.column, value, undefined_is_error=False))
    checks = [(judge(s), s) for s in scored]
    checks.sort(key=lambda cs: (-cs[0].status.severity, -_badness(cs[1])))
    return tuple(c for c, _ in checks)


def _slice_rows(
    values: npt.NDArray[Any], min_size: int
) -> list[tuple[object, npt.NDArray[np.intp]]]:
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    counts = np.bincount(codes, minlength=len(uniques))
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(counts)]
    out = []
    for i, value in enumerate(uniques):
        if counts[i] >= min_size:
            plain = value.item() if hasattr(value, "item") else value
            out.append(
                ("null" if pd.isna(plain) else plain, np.sort(order[bounds[i] : bounds[i + 1]]))
            )
    return out


def _badness(s: Scored) -> float:
    """How much worse than the champion, in units of the margin where there is one."""
    if s.delta is None:
        return 0.0
    worse = s.worse(s.delta)
    margin = s.margin
    return worse / margin if margin else worse


def _operational(cfg: ModelConfig, streamed: Streamed) -> tuple[CheckResult, ...]:
    latencies = [Latency.of(r.timings) for r in streamed.raws]
    champ_lat = latencies[1] if len(latencies) > 1 else None
    champ_mb = streamed.sizes_mb[1] if len(streamed.sizes_mb) > 1 else None
    return (
        latency_check(latencies[0], champ_lat, streamed.batch_rows, cfg.latency),
        size_check(streamed.sizes_mb[0], champ_mb, cfg.size),
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
    notes.extend(_slice_notes(cfg, streamed, checks))
    return tuple(notes)


def _slice_notes(cfg: ModelConfig, streamed: Streamed, checks: Sequence[CheckResult]) -> list[str]:
    import pandas as pd

    notes = []
    for s in cfg.slices:
        counts = pd.Series(streamed.slices[s.column]).value_counts(dropna=False)
        small = counts[counts < s.min_size]
        if len(small):
            shown = ", ".join(str(v) for v in small.index[:5]) + (", …" if len(small) > 5 else "")
            notes.append(
                f"slices of {s.column} under min_size {s.min_size} rows not judged: {shown}"
            )
    worst = [c for c in checks if c.id == "metric_slice" and c.details.get("delta") is not None][
        :WORST_SLICES
    ]
    if worst:
        shown = "; ".join(
            f"{c.details['slice']} {c.title} Δ {c.details['delta']:+.4f} ({c.status.value})"
            for c in worst
        )
        notes.append(f"worst slices: {shown}")
    return notes


def _ref(name: str, model: LocalModel | None) -> ModelRef | None:
    if model is None:
        return None
    return ModelRef(name=name, uri=model.uri, version=model.version, digest=model.digest)


def _logged(loaded: LoadedConfig, registry: Registry, outcome: RegressOutcome) -> RegressOutcome:
    from mlci.tracking_record import log_evaluation
    from mlci.wiring import tracking_for

    run_id = log_evaluation(
        loaded=loaded, outcome=outcome, tracking=tracking_for(registry.tracking_uri)
    )
    note = f"evaluation logged as MLflow run {run_id}"
    step = replace(outcome.step, notes=(*outcome.step.notes, note))
    return replace(outcome, step=step, run_id=run_id)
