"""Joint drift: can a classifier tell reference rows from current rows?

Per-column statistics miss a change in how columns go together (two correlated features whose
correlation flips keep both marginals). A forest of extremely randomised trees is trained on the
row samples of the profiles (mlci/data/rowsample.py), reference rows labelled 0 and current
rows 1, and scored by its out-of-bag AUROC: 0.5 when the rows are exchangeable, 1 when every row gives itself away.
The noise floor is the AUROC that two same-distribution samples of these sizes reach by chance
(Mann-Whitney: s.d. sqrt((n + m + 1) / (12 n m))), at alpha to warn and alpha / 100 to fail.
Ids, timestamps and ignored columns stay out: new keys and new times always separate the rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from types import NoneType
from typing import TYPE_CHECKING, Any

from mlci.config import JointDriftConfig
from mlci.data.drift import FAIL_RARER
from mlci.data.profile import Profile
from mlci.data.types import Role
from mlci.results import CheckResult, Status

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_TITLE = "Joint drift (rows told apart)"
_JOINED = (Role.FEATURE, Role.LABEL)


def check_joint_drift(
    current: Profile,
    reference: Profile,
    roles: Mapping[str, Role],
    config: JointDriftConfig,
    alpha: float,
) -> tuple[CheckResult, ...]:
    if not config.enabled:
        return ()
    cur, ref = current.row_sample, reference.row_sample
    if cur is None or ref is None:
        return (
            _skip("the reference profile has no row sample (write it again with mlci profile)"),
        )
    small = min(current.rows, reference.rows)
    if small < config.min_rows:
        return (
            _skip(
                f"too small to judge: {current.rows:,} vs {reference.rows:,} rows, "
                f"validate.joint_drift.min_rows is {config.min_rows:,}"
            ),
        )
    names = [n for n in ref.columns if n in cur.columns and roles.get(n) in _JOINED]
    if not names:
        return (_skip("no feature columns in both tables"),)
    x = _encode([ref.columns[n] for n in names], [cur.columns[n] for n in names])
    y = _labels(len(ref), len(cur))
    auroc, importance = _separability(x, y)
    return (_judge(auroc, importance, names, (len(cur), len(ref)), config=config, alpha=alpha),)


def _labels(reference: int, current: int) -> npt.NDArray[np.int64]:
    import numpy as np

    return np.concatenate([np.zeros(reference, np.int64), np.ones(current, np.int64)])


def _encode(ref: list[tuple[Any, ...]], cur: list[tuple[Any, ...]]) -> npt.NDArray[np.float64]:
    """One float column per table column: numbers as they are, text as its rank among the
    values of both samples, missing as NaN (the forest routes NaN itself)."""
    import numpy as np

    out = np.empty((len(ref[0]) + len(cur[0]), len(ref)), dtype=np.float64)
    for j, (a, b) in enumerate(zip(ref, cur, strict=True)):
        values = a + b
        if all(t is NoneType or issubclass(t, (int, float)) for t in set(map(type, values))):
            out[:, j] = np.array(values, dtype=np.float64)  # None becomes NaN
            continue
        ranks = {v: i for i, v in enumerate(sorted({str(v) for v in values if v is not None}))}
        out[:, j] = [np.nan if v is None else ranks[str(v)] for v in values]
    return out


# The forest: extremely randomised trees (Geurts et al. 2006), bagged, in numpy alone, since
# importing scikit-learn (with scipy and pandas) cost every `mlci validate` 1-2.7 s of CPU.
_TREES = 60
_DEPTH = 8  # fixed, so that each level is one pass over all rows: 256 leaves of ~16 rows
_MIN_LEAF = 5  # training rows on each side of a split, as sklearn's min_samples_leaf


@dataclass(frozen=True)
class _Bag:
    """The entries the trees train on (drawn at least once), fixed for the whole forest: entry
    e of tree t is row i, so its feature j sits at flat index offset[e] + j of the row-major x."""

    at: npt.NDArray[np.intp]  # their positions among all _TREES * n entries
    offset: npt.NDArray[np.int64]  # row i's first value in x.ravel()
    counts: npt.NDArray[np.float64]  # how often the tree drew the row
    weight: npt.NDArray[np.float64]  # the draws, classes balanced
    positive: npt.NDArray[np.float64]  # weight of the current (label 1) rows, 0 elsewhere


def _separability(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.int64]
) -> tuple[float, npt.NDArray[np.float64]]:
    """Out-of-bag AUROC of a seeded forest, and its feature importances (Gini gain, each tree's
    summing to 1, averaged). All trees grow together, one level at a time over all rows: row i
    of tree t is the entry t * n + i, its node a number within its tree's level."""
    import numpy as np

    rng = np.random.default_rng(0)
    n, p = x.shape
    flat = np.ascontiguousarray(x).ravel()
    rows = np.tile(np.arange(n), _TREES)
    tree = np.repeat(np.arange(_TREES), n)
    drawn = rng.integers(0, n, (_TREES, n)) + np.arange(_TREES)[:, None] * n
    counts = np.bincount(drawn.ravel(), minlength=_TREES * n).astype(np.float64)
    weight = counts * (n / (2 * np.bincount(y, minlength=2)))[y[rows]]  # classes balanced
    at = np.flatnonzero(counts > 0)
    bag = _Bag(at, rows[at] * p, counts[at], weight[at], weight[at] * y[rows[at]])
    offset = rows * p
    node = np.zeros(_TREES * n, np.int64)
    importance = np.zeros((_TREES, p))
    with np.errstate(invalid="ignore", divide="ignore"):
        for level in range(_DEPTH):
            width = 1 << level
            group = tree * width + node
            feature, threshold, nan_left, gain = _split(
                flat, p, bag, group[bag.at], groups=_TREES * width, rng=rng
            )
            v = flat.take(offset + feature[group])  # x[rows, feature[group]], flat
            left = (v <= threshold[group]) | (np.isnan(v) & nan_left[group])
            node = 2 * node + ~left
            np.add.at(importance, (np.arange(_TREES * width) // width, feature), gain)
        leaf = tree * (1 << _DEPTH) + node
        total = np.bincount(leaf, weight, minlength=_TREES << _DEPTH)
        share = np.bincount(leaf, weight * y[rows], minlength=_TREES << _DEPTH) / total
    # out of bag: each row's mean vote over the trees that did not draw it
    oob = (counts == 0).reshape(_TREES, n)
    votes = (np.where(oob, share[leaf].reshape(_TREES, n), 0.0).sum(0), oob.sum(0))
    scored = votes[1] > 0  # a row drawn by every tree has no out-of-bag vote
    auroc = _auroc(votes[0][scored] / votes[1][scored], y[scored])
    sums = importance.sum(1, keepdims=True)
    per_tree = np.divide(importance, sums, out=np.zeros_like(importance), where=sums > 0)
    mean = per_tree.mean(0)
    return auroc, mean / mean.sum() if mean.sum() > 0 else mean


def _split(
    flat: npt.NDArray[np.float64],
    p: int,
    bag: _Bag,
    group: npt.NDArray[np.int64],
    *,
    groups: int,
    rng: np.random.Generator,
) -> tuple[
    npt.NDArray[np.intp], npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.float64]
]:
    """Each node's split: of sqrt(p) features drawn without replacement, each cut at a uniform
    threshold between the node's training min and max (NaN to a random side), the one with the
    largest Gini gain. A node left whole (pure, too small, constant) sends every row left.
    GROUP: the node of each bagged entry."""
    import numpy as np

    draws = max(1, math.isqrt(p))
    # the generator's draws in the order the forest has always made them
    tried = rng.random((groups, p)).argsort(axis=1)[:, :draws]  # (groups, draws)
    where = rng.random((groups, draws))  # each threshold's place between min and max
    nan_left = rng.random((groups, draws)) < 0.5
    threshold = np.empty((groups, draws))
    weights = (bag.counts, bag.weight, bag.positive)
    part = [np.empty((groups, draws)) for _ in weights]
    lo, hi = np.full((groups, draws), np.inf), np.full((groups, draws), -np.inf)
    for j in range(draws):  # one pass per tried feature, over 1-D arrays (faster than 2-D)
        v = flat.take(bag.offset + tried[:, j].take(group))
        np.fmin.at(lo[:, j], group, v)  # fmin and fmax skip NaN: inf when no known value
        np.fmax.at(hi[:, j], group, v)
        threshold[:, j] = lo[:, j] + (hi[:, j] - lo[:, j]) * where[:, j]
        left = (v <= threshold[:, j].take(group)) | (np.isnan(v) & nan_left[:, j].take(group))
        # bincount adds in entry order; leaving out the right entries (which added + 0.0)
        # gives the same sums, bit for bit
        on_left = group[left]
        for out, w in zip(part, weights, strict=True):
            out[:, j] = np.bincount(on_left, w[left], minlength=groups)
    whole = [np.bincount(group, w, minlength=groups)[:, None] for w in weights]
    gain = _gini(whole[1], whole[2]) - _gini(part[1], part[2])
    gain -= _gini(whole[1] - part[1], whole[2] - part[2])
    valid = (lo < hi) & (part[0] >= _MIN_LEAF)
    gain = np.where(valid & (whole[0] - part[0] >= _MIN_LEAF), gain, 0.0)
    best = gain.argmax(1)
    chosen = np.take_along_axis(gain, best[:, None], 1)[:, 0]
    cut = chosen > 1e-12 * whole[1][:, 0]
    at = np.arange(groups)
    return (
        tried[at, best],
        np.where(cut, threshold[at, best], np.inf),
        np.where(cut, nan_left[at, best], True),
        np.where(cut, chosen, 0.0),
    )


def _gini(total: npt.NDArray[Any], positive: npt.NDArray[Any]) -> Any:
    """Weighted Gini impurity of a node, total x (1 - share^2 - (1 - share)^2); 0 when empty."""
    import numpy as np

    return np.where(total > 0, 2 * positive * (total - positive) / total, 0.0)


def _auroc(scores: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> float:
    """Mann-Whitney U over the positives' ranks (ties share their mean rank) / (n1 n0)."""
    import numpy as np

    _, inverse, ties = np.unique(scores, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(ties) - (ties - 1) / 2)[inverse]
    n1 = int(y.sum())
    n0 = len(y) - n1
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _floors(n: int, m: int, alpha: float) -> tuple[float, float]:
    sd = math.sqrt((n + m + 1) / (12 * n * m))
    z = NormalDist().inv_cdf
    return 0.5 + z(1 - alpha) * sd, 0.5 + z(1 - alpha / FAIL_RARER) * sd


def _judge(
    auroc: float,
    importance: npt.NDArray[np.float64],
    names: list[str],
    sizes: tuple[int, int],
    *,
    config: JointDriftConfig,
    alpha: float,
) -> CheckResult:
    floors = _floors(*sizes, alpha)
    warn, fail = max(config.auroc.warn, floors[0]), max(config.auroc.fail, floors[1])
    ranked = sorted(zip(names, importance.tolist(), strict=True), key=lambda t: -t[1])
    top = ", ".join(f"{n} ({share:.0%})" for n, share in ranked[:3])
    if auroc > fail:
        status, verdict = Status.FAIL, f"AUROC {auroc:.2f} > {fail:.2f} (fail)"
    elif auroc > warn:
        status, verdict = Status.WARN, f"AUROC {auroc:.2f} > {warn:.2f} (warn)"
    else:
        status, verdict = Status.PASS, f"AUROC {auroc:.2f} <= {warn:.2f}"
    separating = f"; separated most by {top}" if status is not Status.PASS else ""
    return CheckResult(
        id="joint_drift",
        title=_TITLE,
        status=status,
        message=f"a classifier tells current rows from reference rows: {verdict} "
        f"({sizes[0]:,} vs {sizes[1]:,} sampled rows, {len(names)} columns){separating}",
        observed={"auroc": round(auroc, 4), "noise_floors": [round(f, 4) for f in floors]},
        expected={"warn": round(warn, 4), "fail": round(fail, 4)},
        column=ranked[0][0] if status is not Status.PASS else None,
        details={"importance": {n: round(share, 4) for n, share in ranked}},
    )


def _skip(why: str) -> CheckResult:
    return CheckResult(
        id="joint_drift", title=_TITLE, status=Status.SKIP, message=f"not tested ({why})"
    )
