"""The metric catalogue: each task's metric names and directions, numpy-free.

mlci/config.py checks the names in model.metrics against it when the file is loaded (once, before
any work starts); mlci/model/metrics.py pairs each name with its kernels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Task(str, Enum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"


@dataclass(frozen=True)
class MetricInfo:
    name: str
    higher_is_better: bool
    needs_proba: bool = False


def _infos(*infos: MetricInfo) -> dict[str, MetricInfo]:
    return {i.name: i for i in infos}


_UP, _DOWN = True, False

CATALOGUE: dict[Task, dict[str, MetricInfo]] = {
    Task.BINARY: _infos(
        MetricInfo("accuracy", _UP),
        MetricInfo("precision", _UP),
        MetricInfo("recall", _UP),
        MetricInfo("f1", _UP),
        MetricInfo("roc_auc", _UP, needs_proba=True),
        MetricInfo("pr_auc", _UP, needs_proba=True),
        MetricInfo("log_loss", _DOWN, needs_proba=True),
        MetricInfo("brier", _DOWN, needs_proba=True),
    ),
    Task.MULTICLASS: _infos(
        MetricInfo("accuracy", _UP),
        MetricInfo("f1_macro", _UP),
        MetricInfo("f1_weighted", _UP),
        MetricInfo("log_loss", _DOWN, needs_proba=True),
    ),
    Task.REGRESSION: _infos(
        MetricInfo("rmse", _DOWN),
        MetricInfo("mae", _DOWN),
        MetricInfo("mape", _DOWN),
        MetricInfo("r2", _UP),
    ),
}

DEFAULT_METRICS: dict[Task, tuple[str, ...]] = {
    Task.BINARY: ("accuracy", "f1", "roc_auc"),
    Task.MULTICLASS: ("accuracy", "f1_macro"),
    Task.REGRESSION: ("rmse", "mae", "r2"),
}


def unknown_metric_message(file: str, task: Task, name: str) -> str:
    """Names the task a metric belongs to when it is a real metric used on the wrong task."""
    known = ", ".join(CATALOGUE[task])
    fits = [t.value for t in Task if name in CATALOGUE[t]]
    if fits:
        why = f"a {' / '.join(fits)} metric, not a {task.value} one"
    else:
        why = f"unknown metric for task {task.value}"
    return f"{file}: model.metrics.{name}: {why} (known: {known})"
