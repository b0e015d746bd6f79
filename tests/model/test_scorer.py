"""The scorer: every metric for many weightings of the rows at once, and `point`."""

from __future__ import annotations

import numpy as np
import pytest

from mlci.config import Task
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import METRICS
from mlci.model.scorer import Scorer, point

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
