"""Scorer: every metric of one model for many weightings of its rows in one matrix product
(the bootstrap's resamples), and `point`, each metric once on every row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlci.model.kernels import Array, Outputs, StatsFn, Target, positive_code
from mlci.model.metrics import Metric

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def _score_ranks(scores: Array) -> tuple[int, npt.NDArray[np.intp]]:
    """How many distinct scores, and each row's rank among them (ascending): np.unique's
    return_inverse. A tree's few distinct scores are looked up among those of the first rows
    (one pass, then a sort of the few); many distinct scores are sorted, which a lookup first
    would only slow down."""
    import numpy as np

    if len(np.unique(scores[:4096])) < 1024 and not np.isnan(scores).any():
        found = _few_ranks(scores)
        if found is not None:
            return found
    distinct, inverse = np.unique(scores, return_inverse=True)
    return len(distinct), inverse.reshape(-1)


def _few_ranks(scores: Array) -> tuple[int, npt.NDArray[np.intp]] | None:
    """_score_ranks for scores with few distinct values (None when the first rows do not hold
    them all). pandas' hash factorize when pandas is loaded already (regress reads with it); else
    a binary search among the first rows' values, so that the monitor, which reads its logs
    through Arrow alone, does not import pandas (half a second) for its roc_auc."""
    import sys

    import numpy as np

    if "pandas" in sys.modules:
        import pandas as pd

        codes, uniques = pd.factorize(scores, sort=True)
        return len(uniques), codes
    first = np.unique(scores[:4096])
    ranks = np.searchsorted(first, scores).clip(max=len(first) - 1)
    # every value of FIRST is some row's, so each is a rank in use
    return (len(first), ranks) if np.array_equal(first[ranks], scores) else None


class Scorer:
    """The metrics of one model on a set of rows, for any number of weightings of those rows."""

    def __init__(self, metrics: Sequence[Metric], target: Target, outputs: Outputs) -> None:
        import numpy as np

        self.metrics = tuple(metrics)
        self.n = len(target.y)
        self._slices: dict[str, slice] = {}
        shared: dict[StatsFn, slice] = {}
        parts: list[tuple[slice, npt.NDArray[Any]]] = []
        width = 0
        for m in self.metrics:
            if m.stats is None:
                continue
            if m.stats not in shared:  # metrics built on the same statistics share the columns
                start = width
                for part in m.stats(target, outputs):
                    j = 1 if part.ndim == 1 else part.shape[1]
                    parts.append((slice(width, width + j), part))
                    width += j
                shared[m.stats] = slice(start, width)
            self._slices[m.name] = shared[m.stats]
        # One matrix, each statistic written into its columns once (bools become 0.0 / 1.0 as
        # they land): no float copy per metric, no stacked copy of the blocks.
        self._stats: Array = np.empty((self.n, width))
        for where, part in parts:
            self._stats[:, where] = part if part.ndim == 2 else part[:, None]
        self._ranked = any(m.ranked for m in self.metrics)
        if self._ranked:
            self._prepare_ranking(target, outputs)

    def _prepare_ranking(self, target: Target, outputs: Outputs) -> None:
        """Rows grouped by distinct score, highest first; a sparse matrix sums weights per group.

        Column `group` of the matrix's transpose collects positives, `groups + group` negatives,
        so one sparse product gives every resample's positive and negative weight per group.
        """
        assert outputs.proba is not None
        n_groups, inverse = _score_ranks(outputs.proba[:, positive_code(target)])
        group = (n_groups - 1) - inverse
        negative = target.y != positive_code(target)
        if all(m.merges_runs for m in self.metrics if m.ranked):
            n_groups, group = merged_runs(n_groups, group, negative)
        self._n_groups = n_groups
        self._group = group + n_groups * negative
        self._by_group: Any = None  # built on the first resample: point estimates need none

    def __call__(
        self, weights: Array | None = None, total: Array | None = None
    ) -> dict[str, Array]:
        """Each metric for each column of `weights` (n, b); None means every row once (b = 1).
        TOTAL, when the caller knows it, is each column's sum (a resample's size).

        Columns, not rows: the sparse group sums then read the counts without a transposed copy.
        """
        import numpy as np

        if weights is None:
            sums = self._stats.sum(axis=0, keepdims=True)
            total = np.array([float(self.n)])
        else:
            sums = weights.T @ self._stats  # BLAS reads the transpose in place
            total = weights.sum(axis=0) if total is None else total
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


def merged_runs(
    n_groups: int, group: npt.NDArray[np.intp], negative: npt.NDArray[np.bool_]
) -> tuple[int, npt.NDArray[np.intp]]:
    """Adjacent score groups that hold one class only, merged: (runs, each row's run).

    Exact for roc_auc: the positives of consecutive positive-only groups beat the same negatives
    (none lie between them) and tie with none; negative-only groups hold no positives, and the
    negatives below any group are the same merged or not. Every weight is a row count, so each
    sum is a whole or half number, exact in float64 in any grouping. Not for pr_auc: precision
    changes within a run of positives. A logistic regression's 10,000 distinct scores make
    about 3,700 runs, a third of the cumulative sums per resample.
    """
    import numpy as np

    if n_groups == 0:
        return 0, group
    counts = np.bincount(group + n_groups * negative, minlength=2 * n_groups)
    pos, neg = counts[:n_groups], counts[n_groups:]
    kind = np.where(neg == 0, 1, np.where(pos == 0, 2, 0))  # positives only, negatives only, mixed
    starts = np.ones(n_groups, dtype=bool)
    starts[1:] = (kind[1:] == 0) | (kind[1:] != kind[:-1])
    run = np.cumsum(starts) - 1
    return int(run[-1]) + 1, run[group]


def point(metrics: Sequence[Metric], target: Target, outputs: Outputs) -> Mapping[str, float]:
    """Each metric once, on every row."""
    return {name: float(values[0]) for name, values in Scorer(metrics, target, outputs)().items()}
