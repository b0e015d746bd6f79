"""Task metrics with a known direction, computed from weighted per-row statistics.

Every metric is a function of sums of per-row statistics (a confusion count, a loss) or, for
roc_auc and pr_auc, of per-score-group positive and negative weights. Point estimates use weight
one per row; a bootstrap resample is the same computation with the resample's row counts as
weights, so the paired bootstrap is a matrix product instead of a thousand metric calls, and the
point estimate and the resamples can never disagree on a definition. Values match scikit-learn's
(tests/model/test_metrics.py proves it metric by metric).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlci.config import Task

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


StatsFn = Callable[[Target, Outputs], "Array"]  # (n, k) per-row statistics
FinishFn = Callable[["Array", "Array"], "Array"]  # (b, k) weighted sums, (b,) total weight -> (b,)
RankedFn = Callable[["Array", "Array"], "Array"]  # (g, b) positive, negative weight per score group


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    needs_proba: bool = False
    stats: StatsFn | None = None
    finish: FinishFn | None = None
    ranked: RankedFn | None = None


def _safe_div(num: Array, den: Array) -> Array:
    import numpy as np

    out: Array = np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den != 0)
    return out


def _stack(*columns: npt.NDArray[Any]) -> Array:
    import numpy as np

    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


# --- classification ---------------------------------------------------------------------------


def _positive(t: Target) -> int:
    return max(t.n_classes - 1, 0)


def _correct(t: Target, o: Outputs) -> Array:
    return _stack(o.pred == t.y)


def _mean(sums: Array, total: Array) -> Array:
    return _safe_div(sums[:, 0], total)


def _binary_counts(t: Target, o: Outputs) -> Array:
    pos = _positive(t)
    return _stack(
        (o.pred == pos) & (t.y == pos), o.pred == pos, t.y == pos
    )  # tp, predicted, actual


def _precision(sums: Array, total: Array) -> Array:
    return _safe_div(sums[:, 0], sums[:, 1])


def _recall(sums: Array, total: Array) -> Array:
    return _safe_div(sums[:, 0], sums[:, 2])


def _f1(sums: Array, total: Array) -> Array:
    return _safe_div(2 * sums[:, 0], sums[:, 1] + sums[:, 2])


def _clipped_proba(o: Outputs) -> Array:
    import numpy as np

    assert o.proba is not None  # needs_proba is checked before any metric runs
    eps = np.finfo(np.float64).eps
    p = np.clip(o.proba, eps, 1 - eps)
    clipped: Array = p / p.sum(axis=1, keepdims=True)  # as scikit-learn's log_loss does
    return clipped


def _log_loss(t: Target, o: Outputs) -> Array:
    import numpy as np

    p = _clipped_proba(o)
    return _stack(-np.log(p[np.arange(len(t.y)), t.y]))


def _brier(t: Target, o: Outputs) -> Array:
    assert o.proba is not None
    pos = _positive(t)
    return _stack((o.proba[:, pos] - (t.y == pos)) ** 2)


def _per_class(t: Target, o: Outputs) -> Array:
    import numpy as np

    classes = np.arange(t.n_classes)
    pred = o.pred[:, None] == classes[None, :]
    actual = t.y[:, None] == classes[None, :]
    out: Array = np.hstack([pred & actual, pred, actual]).astype(
        np.float64
    )  # tp_k, predicted_k, actual_k
    return out


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


def _errors(t: Target, o: Outputs) -> Array:
    import numpy as np

    y = np.asarray(t.y, dtype=np.float64)
    err = np.asarray(o.pred, dtype=np.float64) - y
    eps = np.finfo(np.float64).eps
    # SST is shift-invariant; centring avoids cancellation in sum(y^2) - sum(y)^2 / n.
    centred = y - y.mean()
    return _stack(
        err * err, np.abs(err), np.abs(err) / np.maximum(np.abs(y), eps), centred, centred * centred
    )


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


def _m(name: str, higher: bool, stats: StatsFn, finish: FinishFn, proba: bool = False) -> Metric:
    return Metric(name=name, higher_is_better=higher, needs_proba=proba, stats=stats, finish=finish)


def _ranked(name: str, fn: RankedFn) -> Metric:
    return Metric(name=name, higher_is_better=True, needs_proba=True, ranked=fn)


_BINARY = (
    _m("accuracy", True, _correct, _mean),
    _m("precision", True, _binary_counts, _precision),
    _m("recall", True, _binary_counts, _recall),
    _m("f1", True, _binary_counts, _f1),
    _ranked("roc_auc", _roc_auc),
    _ranked("pr_auc", _pr_auc),
    _m("log_loss", False, _log_loss, _mean, proba=True),
    _m("brier", False, _brier, _mean, proba=True),
)
_MULTICLASS = (
    _m("accuracy", True, _correct, _mean),
    _m("f1_macro", True, _per_class, _f1_macro),
    _m("f1_weighted", True, _per_class, _f1_weighted),
    _m("log_loss", False, _log_loss, _mean, proba=True),
)
_REGRESSION = (
    _m("rmse", False, _errors, _column(0, _sqrt)),
    _m("mae", False, _errors, _column(1)),
    _m("mape", False, _errors, _column(2)),
    _m("r2", True, _errors, _r2),
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


def unknown_metric_message(file: str, task: Task, name: str) -> str:
    """Names the task a metric belongs to when it is a real metric used on the wrong task."""
    known = ", ".join(METRICS[task])
    fits = [t.value for t in Task if name in METRICS[t]]
    if fits:
        why = f"a {' / '.join(fits)} metric, not a {task.value} one"
    else:
        why = f"unknown metric for task {task.value}"
    return f"{file}: model.metrics.{name}: {why} (known: {known})"


def _score_ranks(scores: Array) -> tuple[int, npt.NDArray[np.intp]]:
    """How many distinct scores, and each row's rank among them (ascending): np.unique's
    return_inverse. A tree's few distinct scores are hashed (one pass, then a sort of the few);
    many distinct scores are sorted, which hashing them first would only slow down."""
    import numpy as np
    import pandas as pd

    if len(np.unique(scores[:4096])) < 1024 and not np.isnan(scores).any():
        codes, uniques = pd.factorize(scores, sort=True)
        return len(uniques), codes
    found, inverse = np.unique(scores, return_inverse=True)
    return len(found), inverse.reshape(-1)


class Scorer:
    """The metrics of one model on a set of rows, for any number of weightings of those rows."""

    def __init__(self, metrics: Sequence[Metric], target: Target, outputs: Outputs) -> None:
        import numpy as np

        self.metrics = tuple(metrics)
        self.n = len(target.y)
        blocks: list[Array] = []
        self._slices: dict[str, slice] = {}
        shared: dict[StatsFn, slice] = {}
        width = 0
        for m in self.metrics:
            if m.stats is None:
                continue
            if m.stats not in shared:  # metrics built on the same statistics share the columns
                block = m.stats(target, outputs)
                blocks.append(block)
                shared[m.stats] = slice(width, width + block.shape[1])
                width += block.shape[1]
            self._slices[m.name] = shared[m.stats]
        self._stats: Array = np.hstack(blocks) if blocks else np.zeros((self.n, 0))
        self._ranked = any(m.ranked for m in self.metrics)
        if self._ranked:
            self._prepare_ranking(target, outputs)

    def _prepare_ranking(self, target: Target, outputs: Outputs) -> None:
        """Rows grouped by distinct score, highest first; a sparse matrix sums weights per group.

        Column `group` of the matrix's transpose collects positives, `groups + group` negatives,
        so one sparse product gives every resample's positive and negative weight per group.
        """

        assert outputs.proba is not None
        self._n_groups, inverse = _score_ranks(outputs.proba[:, _positive(target)])
        group = (self._n_groups - 1) - inverse
        negative = target.y != _positive(target)
        self._group = group + self._n_groups * negative
        self._by_group: Any = None  # built on the first resample: point estimates need none

    def __call__(self, weights: Array | None = None) -> dict[str, Array]:
        """Each metric for each column of `weights` (n, b); None means every row once (b = 1).

        Columns, not rows: the sparse group sums then read the counts without a transposed copy.
        """
        import numpy as np

        if weights is None:
            sums = self._stats.sum(axis=0, keepdims=True)
            total = np.array([float(self.n)])
        else:
            sums = weights.T @ self._stats  # BLAS reads the transpose in place
            total = weights.sum(axis=0)
        out: dict[str, Array] = {}
        groups = self._groups(weights) if self._ranked else None
        for m in self.metrics:
            if m.finish is not None:
                out[m.name] = m.finish(sums[:, self._slices[m.name]], total)
            elif m.ranked is not None and groups is not None:
                out[m.name] = m.ranked(*groups)
        return out

    def _group_matrix(self) -> Any:
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

        if self._by_group is None:
            import numpy as np

            shape = (2 * self._n_groups, self.n)
            self._by_group = csr_matrix((np.ones(self.n), (self._group, np.arange(self.n))), shape)
        return self._by_group

    def _groups(self, weights: Array | None) -> tuple[Array, Array]:
        """(groups, b) positive and (groups, b) negative weight per score group."""
        import numpy as np

        g = self._n_groups
        if weights is None:
            both = np.bincount(self._group, minlength=2 * g).astype(np.float64)[:, None]
        else:
            both = np.asarray(self._group_matrix() @ weights)  # (2g, b)
        return both[:g], both[g:]


def point(metrics: Sequence[Metric], target: Target, outputs: Outputs) -> Mapping[str, float]:
    """Each metric once, on every row."""
    return {name: float(values[0]) for name, values in Scorer(metrics, target, outputs)().items()}
