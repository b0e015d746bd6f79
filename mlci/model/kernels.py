"""Metric kernels: per-row statistics and how their weighted sums become a metric's value.

Every metric is a function of sums of per-row statistics (a confusion count, a loss) or, for
roc_auc and pr_auc, of per-score-group positive and negative weights. Point estimates use weight
one per row; a bootstrap resample is the same computation with the resample's row counts as
weights, so the paired bootstrap is a matrix product instead of a thousand metric calls, and the
point estimate and the resamples can never disagree on a definition. Values match scikit-learn's
(tests/model/test_metrics.py proves it metric by metric).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlci.model.catalogue import Task

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
else:
    Array = Any


@dataclass(frozen=True)
class Outputs:
    """One model's predictions, encoded against the evaluation's label space.

    Classification: `pred` holds label codes (indexes into Target.classes) and `proba` one column
    per code, or None when the model gives no probabilities. Regression: `pred` holds the values.
    """

    pred: npt.NDArray[Any]
    proba: Array | None = None

    def take(self, rows: npt.NDArray[np.intp]) -> Outputs:
        return Outputs(pred=self.pred[rows], proba=None if self.proba is None else self.proba[rows])


@dataclass(frozen=True)
class Target:
    task: Task
    y: npt.NDArray[Any]  # label codes (classification) or values (regression)
    classes: tuple[object, ...] = ()

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def take(self, rows: npt.NDArray[np.intp]) -> Target:
        return Target(task=self.task, y=self.y[rows], classes=self.classes)


# Per-row statistics as (n,) columns or (n, j) blocks (bool or number): the scorer writes them
# straight into one preallocated float64 matrix, so no metric converts and copies its own.
Columns = tuple["npt.NDArray[Any]", ...]
StatsFn = Callable[[Target, Outputs], Columns]
FinishFn = Callable[["Array", "Array"], "Array"]  # (b, k) weighted sums, (b,) total weight -> (b,)
RankedFn = Callable[["Array", "Array"], "Array"]  # (g, b) positive, negative weight per score group


def _safe_div(num: Array, den: Array) -> Array:
    import numpy as np

    out: Array = np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den != 0)
    return out


# --- classification ---------------------------------------------------------------------------


def positive_code(t: Target) -> int:
    return max(t.n_classes - 1, 0)


def _correct(t: Target, o: Outputs) -> Columns:
    return (o.pred == t.y,)


def _mean(sums: Array, total: Array) -> Array:
    return _safe_div(sums[:, 0], total)


def _binary_counts(t: Target, o: Outputs) -> Columns:
    pos = positive_code(t)
    predicted, actual = o.pred == pos, t.y == pos
    return predicted & actual, predicted, actual  # tp, predicted, actual


def _precision(sums: Array, total: Array) -> Array:
    return _safe_div(sums[:, 0], sums[:, 1])


def _recall(sums: Array, total: Array) -> Array:
    return _safe_div(sums[:, 0], sums[:, 2])


def _f1(sums: Array, total: Array) -> Array:
    return _safe_div(2 * sums[:, 0], sums[:, 1] + sums[:, 2])


def _true_class_proba(t: Target, o: Outputs) -> Array:
    """Each row's probability of its true class, clipped and renormalised as scikit-learn's
    log_loss does: the clipped row divided by its row sum, but only the one cell a row needs
    (the same division of the same two numbers, so the same bits, without an (n, k) quotient)."""
    import numpy as np

    assert o.proba is not None  # needs_proba is checked before any metric runs
    eps = np.finfo(np.float64).eps
    p = np.clip(o.proba, eps, 1 - eps)
    true: Array = p[np.arange(len(t.y)), t.y] / p.sum(axis=1)
    return true


def _log_loss(t: Target, o: Outputs) -> Columns:
    import numpy as np

    return (-np.log(_true_class_proba(t, o)),)


def _brier(t: Target, o: Outputs) -> Columns:
    assert o.proba is not None
    pos = positive_code(t)
    return ((o.proba[:, pos] - (t.y == pos)) ** 2,)


def _per_class(t: Target, o: Outputs) -> Columns:
    import numpy as np

    classes = np.arange(t.n_classes)
    pred = o.pred[:, None] == classes[None, :]
    actual = t.y[:, None] == classes[None, :]
    # one (n, 3k) block: written row-contiguous, faster than 3k column writes for many classes
    return (np.hstack([pred & actual, pred, actual]),)  # tp_k, predicted_k, actual_k


def _f1_per_class(sums: Array) -> tuple[Array, Array, Array]:
    k = sums.shape[1] // 3
    tp, predicted, actual = sums[:, :k], sums[:, k : 2 * k], sums[:, 2 * k :]
    return _safe_div(2 * tp, predicted + actual), predicted + actual, actual


def _f1_macro(sums: Array, total: Array) -> Array:
    # scikit-learn averages over the labels present in the truth or the predictions.
    f1, present, _ = _f1_per_class(sums)
    seen = (present > 0) * 1.0
    return _safe_div((f1 * seen).sum(axis=1), seen.sum(axis=1))


def _f1_weighted(sums: Array, total: Array) -> Array:
    f1, _, actual = _f1_per_class(sums)
    return _safe_div((f1 * actual).sum(axis=1), actual.sum(axis=1))


# --- ranking (binary, from probabilities) ------------------------------------------------------


def _roc_auc(pos: Array, neg: Array) -> Array:
    """Mann-Whitney: P(score of a positive > score of a negative), ties count half.

    Rows of `pos` and `neg` are score groups, highest score first (columns are resamples), so a
    group's positives beat the negatives of the groups after it.
    """
    import numpy as np

    n_pos, n_neg = pos.sum(axis=0), neg.sum(axis=0)
    below = n_neg[None, :] - np.cumsum(neg, axis=0)
    # Column dot products instead of two (groups, b) temporaries: the weights are row counts, so
    # every term and partial sum is a whole or half number, exact in float64 in any order.
    wins = np.einsum("gb,gb->b", pos, below) + 0.5 * np.einsum("gb,gb->b", pos, neg)
    out: Array = np.where(n_pos * n_neg > 0, _safe_div(wins, n_pos * n_neg), np.nan)
    return out


def _pr_auc(pos: Array, neg: Array) -> Array:
    """Average precision, as scikit-learn defines it: sum over thresholds of dRecall x precision."""
    import numpy as np

    tp, fp = np.cumsum(pos, axis=0), np.cumsum(neg, axis=0)
    precision = _safe_div(tp, tp + fp)
    n_pos = pos.sum(axis=0)
    out: Array = np.where(n_pos > 0, _safe_div((pos * precision).sum(axis=0), n_pos), np.nan)
    return out


# --- regression --------------------------------------------------------------------------------


def _errors(t: Target, o: Outputs) -> Columns:
    import numpy as np

    y = np.asarray(t.y, dtype=np.float64)
    err = np.asarray(o.pred, dtype=np.float64) - y
    eps = np.finfo(np.float64).eps
    # SST is shift-invariant; centring avoids cancellation in sum(y^2) - sum(y)^2 / n.
    centred = y - y.mean()
    absolute = np.abs(err)
    return err * err, absolute, absolute / np.maximum(np.abs(y), eps), centred, centred * centred


def _column(i: int, then: Callable[[Array], Array] | None = None) -> FinishFn:
    def finish(sums: Array, total: Array) -> Array:
        mean = _safe_div(sums[:, i], total)
        return then(mean) if then else mean

    return finish


def _r2(sums: Array, total: Array) -> Array:
    import numpy as np

    sse = sums[:, 0]
    sst = sums[:, 4] - _safe_div(sums[:, 3] ** 2, total)
    # scikit-learn's force_finite: a constant target scores 1 when predicted exactly, else 0.
    out: Array = np.where(sst > 0, 1 - _safe_div(sse, sst), np.where(sse == 0, 1.0, 0.0))
    return out


def _sqrt(x: Array) -> Array:
    import numpy as np

    out: Array = np.sqrt(x)
    return out


@dataclass(frozen=True)
class Kernel:
    """How one metric is computed: STATS then FINISH, or RANKED from score-group weights."""

    stats: StatsFn | None = None
    finish: FinishFn | None = None
    ranked: RankedFn | None = None
    merges_runs: bool = False  # RANKED is exact on adjacent single-class score groups merged


KERNELS: dict[str, Kernel] = {
    "accuracy": Kernel(_correct, _mean),
    "precision": Kernel(_binary_counts, _precision),
    "recall": Kernel(_binary_counts, _recall),
    "f1": Kernel(_binary_counts, _f1),
    "roc_auc": Kernel(ranked=_roc_auc, merges_runs=True),
    "pr_auc": Kernel(ranked=_pr_auc),
    "log_loss": Kernel(_log_loss, _mean),
    "brier": Kernel(_brier, _mean),
    "f1_macro": Kernel(_per_class, _f1_macro),
    "f1_weighted": Kernel(_per_class, _f1_weighted),
    "rmse": Kernel(_errors, _column(0, _sqrt)),
    "mae": Kernel(_errors, _column(1)),
    "mape": Kernel(_errors, _column(2)),
    "r2": Kernel(_errors, _r2),
}
