"""The regress step: the candidate against the registry's champion on the same evaluation rows."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.adapters.mlflow_registry import LocalModel, Registry, load_pyfunc, scratch_dir
from mlci.config import LoadedConfig, MetricRule, Task
from mlci.data.reader import file_digest, read_table
from mlci.errors import ConfigError, InputError
from mlci.model.metrics import DEFAULT_METRICS, Metric, Predictions, metric_for
from mlci.model.predict import predict
from mlci.results import CheckResult, ModelRef, Status, StepResult, worst

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

FIRST_MODEL = "no champion yet: first model (floors apply, change rules skipped)"


@dataclass(frozen=True)
class RegressOutcome:
    step: StepResult
    candidate: ModelRef
    champion: ModelRef | None
    eval_digest: str


@dataclass(frozen=True)
class _Scored:
    metric: Metric
    rule: MetricRule
    candidate: float
    champion: float | None


def run_regress(*, loaded: LoadedConfig, registry: Registry) -> RegressOutcome:
    """Predict with both models, score the configured metrics, apply their rules."""
    started = time.perf_counter()
    model_cfg = loaded.require_model()
    label = loaded.config.data.label
    if label is None:
        raise ConfigError(f"{loaded.path.name}: data.label: required by regress (the target column)")
    rules = _rules(loaded)
    features, target = _eval_rows(model_cfg.eval_data, label)
    with scratch_dir() as tmp:
        candidate = registry.fetch(model_cfg.candidate, Path(tmp) / "candidate")
        champion_info = registry.by_alias(model_cfg.name, loaded.config.registry.champion_alias)
        champion = registry.fetch(champion_info.uri, Path(tmp) / "champion") if champion_info else None
        cand_pred = _predict(candidate, features, model_cfg.task, "candidate")
        champ_pred = _predict(champion, features, model_cfg.task, "champion") if champion else None
    scored = tuple(_score(m, r, target, cand_pred, champ_pred) for m, r in rules)
    checks = tuple(_judge(s) for s in scored)
    notes = () if champion else (FIRST_MODEL,)
    registered = registry.find_by_digest(model_cfg.name, candidate.digest)
    return RegressOutcome(
        step=StepResult(name="regress", checks=checks, seconds=time.perf_counter() - started, notes=notes),
        candidate=ModelRef(
            name=model_cfg.name,
            uri=model_cfg.candidate,
            version=candidate.version or (registered.version if registered else None),
            digest=candidate.digest,
        ),
        champion=_ref(model_cfg.name, champion),
        eval_digest=file_digest(model_cfg.eval_data),
    )


def _rules(loaded: LoadedConfig) -> tuple[tuple[Metric, MetricRule], ...]:
    model_cfg = loaded.require_model()
    configured = dict(model_cfg.metrics) or {n: MetricRule() for n in DEFAULT_METRICS[model_cfg.task]}
    out = []
    for name, rule in configured.items():
        metric = metric_for(model_cfg.task, name)
        if metric is None:
            raise ConfigError(unknown_metric_message(loaded.path.name, model_cfg.task, name))
        out.append((metric, rule))
    return tuple(out)


def unknown_metric_message(file: str, task: Task, name: str) -> str:
    from mlci.model.metrics import METRICS

    known = ", ".join(METRICS[task])
    return f"{file}: model.metrics.{name}: unknown metric for task {task.value} (known: {known})"


def _eval_rows(path: Path, label: str) -> tuple[pd.DataFrame, npt.NDArray[Any]]:
    frame = read_table(path)
    if label not in frame.columns:
        raise InputError(f"{path}: label column {label!r} (data.label) not found in the evaluation data")
    return frame.drop(columns=[label]), frame[label].to_numpy()


def _predict(model: LocalModel, features: pd.DataFrame, task: Task, role: str) -> Predictions:
    name = f"{role} {model.uri}"
    return predict(load_pyfunc(model, role), features, task, name)


def _score(
    metric: Metric,
    rule: MetricRule,
    target: npt.NDArray[np.generic],
    cand: Predictions,
    champ: Predictions | None,
) -> _Scored:
    for role, pred in (("candidate", cand), ("champion", champ)):
        if pred is not None and metric.needs_proba and pred.proba is None:
            raise InputError(
                f"model.metrics.{metric.name}: the {role} predicts labels only; {metric.name} needs "
                "probabilities (log it with pyfunc_predict_fn='predict_proba' or use a classifier with predict_proba)"
            )
    return _Scored(
        metric=metric,
        rule=rule,
        candidate=_compute(metric, target, cand, "candidate"),
        champion=_compute(metric, target, champ, "champion") if champ is not None else None,
    )


def _compute(metric: Metric, target: npt.NDArray[np.generic], pred: Predictions, role: str) -> float:
    try:
        return metric.fn(target, pred)
    except ValueError as exc:
        raise InputError(f"model.metrics.{metric.name}: cannot compute on the {role}'s predictions: {exc}") from None


def _judge(s: _Scored) -> CheckResult:
    """Floors always apply; the change rule needs a champion and says when it was skipped."""
    outcomes = [_floor(s), _ceiling(s), _drop(s)]
    parts = [text for _, text in outcomes if text]
    applied = [st for st, text in outcomes if text and st is not Status.SKIP]
    status = worst(applied) if applied or not parts else Status.SKIP
    delta = None if s.champion is None else s.candidate - s.champion
    versus = "no champion" if s.champion is None else f"champion {s.champion:.4f}, Δ {delta:+.4f}"
    return CheckResult(
        id="metric",
        title=s.metric.name,
        status=status,
        message=f"{s.metric.name}: {s.candidate:.4f} ({versus})" + ("; " + "; ".join(parts) if parts else ""),
        observed=s.candidate,
        expected=_rule_json(s.rule),
        details={
            "metric": s.metric.name,
            "candidate": s.candidate,
            "champion": s.champion,
            "delta": delta,
            "higher_is_better": s.metric.higher_is_better,
        },
    )


def _rule_json(rule: MetricRule) -> dict[str, float] | None:
    found = {"min": rule.min, "max": rule.max, "max_drop": rule.max_drop}
    return {k: v for k, v in found.items() if v is not None} or None


def _floor(s: _Scored) -> tuple[Status, str]:
    if s.rule.min is None:
        return Status.PASS, ""
    if s.candidate < s.rule.min:
        return Status.FAIL, f"below min {s.rule.min:g}"
    return Status.PASS, f"min {s.rule.min:g} met"


def _ceiling(s: _Scored) -> tuple[Status, str]:
    if s.rule.max is None:
        return Status.PASS, ""
    if s.candidate > s.rule.max:
        return Status.FAIL, f"above max {s.rule.max:g}"
    return Status.PASS, f"max {s.rule.max:g} met"


def _drop(s: _Scored) -> tuple[Status, str]:
    if s.rule.max_drop is None:
        return Status.PASS, ""
    if s.champion is None:
        return Status.SKIP, "max_drop skipped: no champion yet"
    worse_by = (s.champion - s.candidate) if s.metric.higher_is_better else (s.candidate - s.champion)
    if worse_by > s.rule.max_drop:
        return Status.FAIL, f"worse than the champion by {worse_by:.4f} > max_drop {s.rule.max_drop:g}"
    return Status.PASS, f"within max_drop {s.rule.max_drop:g}"


def _ref(name: str, model: LocalModel | None) -> ModelRef | None:
    if model is None:
        return None
    return ModelRef(name=name, uri=model.uri, version=model.version, digest=model.digest)
