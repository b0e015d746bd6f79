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
        self._n_groups, inverse = _score_ranks(outputs.proba[:, positive_code(target)])
        group = (self._n_groups - 1) - inverse
        negative = target.y != positive_code(target)
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
