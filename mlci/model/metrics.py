"""Task metrics with a known direction, so nobody has to say `greater_is_better`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlci.config import Task

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class Predictions:
    """What a model said on the evaluation rows: labels or values, and class probabilities."""

    values: npt.NDArray[np.generic]
    proba: npt.NDArray[np.float64] | None = None
    classes: tuple[object, ...] = ()


MetricFn = Callable[["npt.NDArray[np.generic]", Predictions], float]


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    needs_proba: bool
    fn: MetricFn


def _sk(name: str, **kwargs: object) -> MetricFn:
    def compute(y: npt.NDArray[np.generic], p: Predictions) -> float:
        from sklearn import metrics

        return float(getattr(metrics, name)(y, p.values, **kwargs))

    return compute


def _rmse(y: npt.NDArray[np.generic], p: Predictions) -> float:
    import numpy as np

    diff = np.asarray(y, dtype=float) - np.asarray(p.values, dtype=float)
    return float(np.sqrt(np.mean(diff * diff)))


def _roc_auc(y: npt.NDArray[np.generic], p: Predictions) -> float:
    from sklearn.metrics import roc_auc_score

    assert p.proba is not None  # needs_proba is checked before any metric runs
    return float(roc_auc_score(y, p.proba[:, 1], labels=list(p.classes) or None))


def _log_loss(y: npt.NDArray[np.generic], p: Predictions) -> float:
    from sklearn.metrics import log_loss

    assert p.proba is not None
    return float(log_loss(y, p.proba, labels=list(p.classes) or None))


def _m(name: str, higher: bool, fn: MetricFn, proba: bool = False) -> Metric:
    return Metric(name=name, higher_is_better=higher, needs_proba=proba, fn=fn)


_BINARY = (
    _m("accuracy", True, _sk("accuracy_score")),
    _m("precision", True, _sk("precision_score", zero_division=0)),
    _m("recall", True, _sk("recall_score", zero_division=0)),
    _m("f1", True, _sk("f1_score", zero_division=0)),
    _m("roc_auc", True, _roc_auc, proba=True),
    _m("log_loss", False, _log_loss, proba=True),
)
_MULTICLASS = (
    _m("accuracy", True, _sk("accuracy_score")),
    _m("f1_macro", True, _sk("f1_score", average="macro", zero_division=0)),
    _m("f1_weighted", True, _sk("f1_score", average="weighted", zero_division=0)),
    _m("log_loss", False, _log_loss, proba=True),
)
_REGRESSION = (
    _m("rmse", False, _rmse),
    _m("mae", False, _sk("mean_absolute_error")),
    _m("r2", True, _sk("r2_score")),
)

METRICS: dict[Task, dict[str, Metric]] = {
    Task.BINARY: {m.name: m for m in _BINARY},
    Task.MULTICLASS: {m.name: m for m in _MULTICLASS},
    Task.REGRESSION: {m.name: m for m in _REGRESSION},
}

DEFAULT_METRICS: dict[Task, tuple[str, ...]] = {
    Task.BINARY: ("accuracy", "f1", "roc_auc"),
    Task.MULTICLASS: ("accuracy", "f1_macro"),
    Task.REGRESSION: ("rmse", "mae", "r2"),
}


def metric_for(task: Task, name: str) -> Metric | None:
    return METRICS[task].get(name)
