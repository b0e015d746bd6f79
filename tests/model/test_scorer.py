"""The scorer: every metric for many weightings of the rows at once, and `point`."""

from __future__ import annotations

import numpy as np
import pytest

from mlci.config import Task
from mlci.model.bootstrap import multinomial_counts
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import METRICS
from mlci.model.scorer import Scorer, merged_runs, point

BIN = METRICS[Task.BINARY]
TARGET = Target(Task.BINARY, np.array([1, 1, 0, 0]), (0, 1))
OUT = Outputs(
    pred=np.array([1, 0, 1, 0]),
    proba=np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.9, 0.1]]),
)


def test_point_on_every_row() -> None:
    got = point([BIN["accuracy"], BIN["f1"], BIN["roc_auc"]], TARGET, OUT)
    # scores 0.8 (pos), 0.7 (neg), 0.4 (pos), 0.1 (neg): positives beat 2 and 1 of 2 negatives
    assert got == {"accuracy": 0.5, "f1": 0.5, "roc_auc": 0.75}


def test_each_weight_column_is_a_resample() -> None:
    scorer = Scorer([BIN["accuracy"], BIN["precision"], BIN["roc_auc"]], TARGET, OUT)
    weights = np.array([[1.0, 2.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    got = scorer(weights)
    # column 2 is rows 0, 0, 3: all right, one predicted positive and it is one
    assert got["accuracy"].tolist() == [0.5, 1.0]
    assert got["precision"].tolist() == [0.5, 1.0]
    assert got["roc_auc"].tolist() == [0.75, 1.0]
    assert {k: float(v[0]) for k, v in scorer().items()} == {
        "accuracy": 0.5, "precision": 0.5, "roc_auc": 0.75,
    }  # fmt: skip


@pytest.mark.parametrize("distinct", [10, 5000])  # few scores are hashed, many sorted
def test_roc_auc_is_the_same_whichever_way_scores_are_ranked(distinct: int) -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 5000)
    score = np.round(rng.random(5000) * distinct) / distinct
    out = Outputs(pred=(score > 0.5).astype(int), proba=np.column_stack([1 - score, score]))
    target = Target(Task.BINARY, y, (0, 1))
    pos, neg = score[y == 1], score[y == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert point([BIN["roc_auc"]], target, out)["roc_auc"] == pytest.approx(
        wins / (len(pos) * len(neg)), abs=1e-12
    )


@pytest.mark.parametrize("pandas_loaded", [True, False])
def test_score_ranks_are_np_uniques_with_or_without_pandas(
    pandas_loaded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few distinct scores are looked up by pandas' factorize when pandas is loaded, else by a
    binary search (the monitor loads no pandas); a value the first rows lack, or many distinct
    values, are np.unique's. Every way gives np.unique's ranks."""
    import sys

    from mlci.model.scorer import _score_ranks

    if not pandas_loaded:
        monkeypatch.delitem(sys.modules, "pandas", raising=False)
    rng = np.random.default_rng(3)
    few = np.round(rng.random(9_000) * 20) / 20
    late = np.concatenate([few, [0.123]])  # a value the first 4,096 rows do not hold
    for scores in (few, late, rng.random(9_000)):
        count, ranks = _score_ranks(scores)
        distinct, inverse = np.unique(scores, return_inverse=True)
        assert (count, ranks.tolist()) == (len(distinct), inverse.tolist())
    assert ("pandas" in sys.modules) == pandas_loaded  # the lookup imported nothing


def test_single_class_runs_merge_and_mixed_groups_stay() -> None:
    # groups, highest score first: positives only (0, 1), mixed (2), negatives only (3, 4), positive (5)
    group = np.array([0, 1, 2, 2, 3, 4, 5])
    negative = np.array([False, False, False, True, True, True, False])
    runs, run = merged_runs(6, group, negative)
    assert runs == 4
    assert run.tolist() == [0, 0, 1, 1, 2, 2, 3]


def _unmerged_roc_auc(y: np.ndarray, score: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """roc_auc from one group per distinct score, no runs merged: the definition the merge keeps."""
    from mlci.model.kernels import KERNELS

    found, inverse = np.unique(score, return_inverse=True)
    group = (len(found) - 1) - inverse
    pos = np.stack([np.bincount(group, w * (y == 1), len(found)) for w in weights.T], axis=1)
    neg = np.stack([np.bincount(group, w * (y == 0), len(found)) for w in weights.T], axis=1)
    ranked = KERNELS["roc_auc"].ranked
    assert ranked is not None
    out: np.ndarray = ranked(pos.astype(np.float64), neg.astype(np.float64))
    return out


@pytest.mark.parametrize("distinct", [8, 3000])
def test_merged_runs_give_roc_auc_to_the_last_bit(distinct: int) -> None:
    rng = np.random.default_rng(5)
    score = np.round(rng.random(3000) * distinct) / distinct
    # the highest and lowest scores hold one class: runs to merge; the middle ones mix classes
    y = np.where(score >= 0.75, 1, np.where(score <= 0.25, 0, rng.random(3000) < score))
    out = Outputs(pred=(score > 0.5).astype(int), proba=np.column_stack([1 - score, score]))
    target = Target(Task.BINARY, y, (0, 1))
    weights = multinomial_counts(rng, 40, 3000)
    scorer = Scorer([BIN["roc_auc"]], target, out)
    assert scorer._n_groups < len(np.unique(score))  # runs were merged
    assert scorer(weights)["roc_auc"].tolist() == _unmerged_roc_auc(y, score, weights).tolist()
    ones = np.ones((3000, 1))
    assert scorer()["roc_auc"].tolist() == _unmerged_roc_auc(y, score, ones).tolist()


def test_pr_auc_keeps_one_group_per_distinct_score() -> None:
    # merging a run of positives would change the precision at its inner thresholds
    score = np.array([0.9, 0.8, 0.7, 0.1])
    out = Outputs(pred=np.array([1, 1, 1, 0]), proba=np.column_stack([1 - score, score]))
    target = Target(Task.BINARY, np.array([1, 1, 0, 0]), (0, 1))
    assert Scorer([BIN["roc_auc"], BIN["pr_auc"]], target, out)._n_groups == 4
    assert Scorer([BIN["roc_auc"]], target, out)._n_groups == 2  # positives 0.9, 0.8; negatives


def test_true_class_probability_is_the_renormalised_cell_bit_for_bit() -> None:
    from mlci.model.kernels import _true_class_proba

    rng = np.random.default_rng(3)
    proba = rng.random((1000, 3)) * np.array([1.0, 0.0, 1.0])  # zeros are clipped to eps
    y = rng.integers(0, 3, 1000)
    eps = np.finfo(np.float64).eps
    clipped = np.clip(proba, eps, 1 - eps)
    full = clipped / clipped.sum(axis=1, keepdims=True)  # the (n, k) quotient it replaced
    got = _true_class_proba(Target(Task.MULTICLASS, y, (0, 1, 2)), Outputs(pred=y, proba=proba))
    assert got.tolist() == full[np.arange(1000), y].tolist()
