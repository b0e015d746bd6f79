"""Metric kernels on rows small enough to count by hand: per-row statistics, then their sums."""

from __future__ import annotations

import numpy as np
import pytest

from mlci.config import Task
from mlci.model.kernels import KERNELS, Outputs, Target, positive_code

# four binary rows: truth 1 1 0 0, predicted 1 0 1 0 -> tp 1, predicted 2, actual 2
BINARY = Target(Task.BINARY, np.array([1, 1, 0, 0]), (0, 1))
GUESS = Outputs(
    pred=np.array([1, 0, 1, 0]),
    proba=np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.9, 0.1]]),
)


def value(name: str, target: Target, outputs: Outputs) -> float:
    kernel = KERNELS[name]
    assert kernel.stats is not None and kernel.finish is not None
    stats = np.column_stack(kernel.stats(target, outputs)).astype(np.float64)
    return float(
        kernel.finish(stats.sum(axis=0, keepdims=True), np.array([float(len(target.y))]))[0]
    )


def test_the_positive_class_is_the_last_code() -> None:
    assert positive_code(BINARY) == 1
    assert positive_code(Target(Task.MULTICLASS, np.array([0]), ("a", "b", "c"))) == 2
    assert positive_code(Target(Task.REGRESSION, np.array([1.0]))) == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [("accuracy", 0.5), ("precision", 0.5), ("recall", 0.5), ("f1", 0.5)],
)
def test_counting_metrics(name: str, expected: float) -> None:
    assert value(name, BINARY, GUESS) == expected


def test_brier_and_log_loss() -> None:
    # (0.8-1)^2 + (0.4-1)^2 + (0.7-0)^2 + (0.1-0)^2 = 0.04 + 0.36 + 0.49 + 0.01
    assert value("brier", BINARY, GUESS) == pytest.approx(0.9 / 4, abs=1e-15)
    expected = -(np.log(0.8) + np.log(0.4) + np.log(0.3) + np.log(0.9)) / 4
    assert value("log_loss", BINARY, GUESS) == pytest.approx(expected, rel=1e-12)


def test_no_predicted_positive_gives_zero_precision_not_a_division_error() -> None:
    none = Outputs(pred=np.zeros(4, dtype=int))
    assert value("precision", BINARY, none) == 0.0


def test_regression_metrics_and_a_constant_target() -> None:
    target = Target(Task.REGRESSION, np.array([1.0, 2.0, 3.0, 4.0]))
    out = Outputs(pred=np.array([1.0, 2.0, 3.0, 6.0]))
    assert value("mae", target, out) == 0.5
    assert value("rmse", target, out) == 1.0
    assert value("mape", target, out) == pytest.approx(0.125, abs=1e-15)
    assert value("r2", target, out) == pytest.approx(1 - 4 / 5, abs=1e-12)
    constant = Target(Task.REGRESSION, np.array([2.0, 2.0]))
    assert value("r2", constant, Outputs(pred=np.array([2.0, 2.0]))) == 1.0
    assert value("r2", constant, Outputs(pred=np.array([2.0, 3.0]))) == 0.0


def test_ranked_roc_auc_counts_ties_half() -> None:
    kernel = KERNELS["roc_auc"]
    assert kernel.ranked is not None
    # groups by score, highest first: one positive above one negative, then a tie of one each
    pos, neg = np.array([[1.0], [1.0], [0.0]]), np.array([[0.0], [1.0], [1.0]])
    # positive 1 beats both negatives (2), positive 2 ties one (0.5) and beats one (1): 3.5 / 4
    assert kernel.ranked(pos, neg)[0] == 3.5 / 4


def test_take_keeps_the_label_space() -> None:
    rows = np.array([2, 0])
    assert BINARY.take(rows).y.tolist() == [0, 1] and BINARY.take(rows).classes == (0, 1)
    taken = GUESS.take(rows)
    assert taken.pred.tolist() == [1, 1]
    assert taken.proba is not None and taken.proba.tolist() == [[0.3, 0.7], [0.2, 0.8]]
