"""Every metric equals scikit-learn's on real model outputs, including ties and weighted rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn import metrics as skm

from mlci.config import Task
from mlci.model.catalogue import CATALOGUE
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import METRICS
from mlci.model.scorer import Scorer, point


def _binary(seed: int = 0, n: int = 500) -> tuple[Target, Outputs, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    # Scores rounded to two decimals: many ties, which roc_auc and pr_auc count as sklearn does.
    score = np.clip(np.round(0.6 * y + rng.normal(0.2, 0.3, n), 2), 0, 1)
    proba = np.column_stack([1 - score, score])
    pred = (score > 0.5).astype(int)
    return Target(Task.BINARY, y, (0, 1)), Outputs(pred=pred, proba=proba), score


BINARY_SK: dict[str, Any] = {
    "accuracy": lambda y, p, s, pr: skm.accuracy_score(y, p),
    "precision": lambda y, p, s, pr: skm.precision_score(y, p, zero_division=0),
    "recall": lambda y, p, s, pr: skm.recall_score(y, p, zero_division=0),
    "f1": lambda y, p, s, pr: skm.f1_score(y, p, zero_division=0),
    "roc_auc": lambda y, p, s, pr: skm.roc_auc_score(y, s),
    "pr_auc": lambda y, p, s, pr: skm.average_precision_score(y, s),
    "log_loss": lambda y, p, s, pr: skm.log_loss(y, pr),
    "brier": lambda y, p, s, pr: skm.brier_score_loss(y, s),
}


@pytest.mark.parametrize("name", sorted(BINARY_SK))
def test_binary_metric_matches_sklearn(name: str) -> None:
    target, out, score = _binary()
    ours = point([METRICS[Task.BINARY][name]], target, out)[name]
    assert ours == pytest.approx(BINARY_SK[name](target.y, out.pred, score, out.proba), abs=1e-12)


@pytest.mark.parametrize("name", sorted(BINARY_SK))
def test_weights_equal_repeated_rows(name: str) -> None:
    """A resample's counts as weights give exactly the metric of the resample's rows."""
    target, out, score = _binary(seed=3, n=300)
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 300, 300)
    weights = np.bincount(rows, minlength=300).astype(float)[:, None]
    weighted = Scorer([METRICS[Task.BINARY][name]], target, out)(weights)[name][0]
    y, p, s, pr = target.y[rows], out.pred[rows], score[rows], out.proba[rows]  # type: ignore[index]
    assert weighted == pytest.approx(BINARY_SK[name](y, p, s, pr), abs=1e-12)


def test_multiclass_metrics_match_sklearn() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 4, 400)
    logits = rng.normal(size=(400, 4)) + 2.0 * np.eye(4)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    pred[pred == 3] = 2  # class 3 never predicted: macro f1 still counts it (it is in the truth)
    target, out = Target(Task.MULTICLASS, y, (0, 1, 2, 3)), Outputs(pred=pred, proba=proba)
    got = point(list(METRICS[Task.MULTICLASS].values()), target, out)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, pred), abs=1e-12)
    assert got["f1_macro"] == pytest.approx(
        skm.f1_score(y, pred, average="macro", zero_division=0), abs=1e-12
    )
    assert got["f1_weighted"] == pytest.approx(skm.f1_score(y, pred, average="weighted"), abs=1e-12)
    assert got["log_loss"] == pytest.approx(skm.log_loss(y, proba), abs=1e-12)


def test_regression_metrics_match_sklearn() -> None:
    rng = np.random.default_rng(9)
    y = 1e6 + rng.normal(0, 3, 1000)  # a large mean: r2 must not lose its digits to cancellation
    pred = y + rng.normal(0, 1, 1000)
    target, out = Target(Task.REGRESSION, y), Outputs(pred=pred)
    got = point(list(METRICS[Task.REGRESSION].values()), target, out)
    assert got["rmse"] == pytest.approx(skm.root_mean_squared_error(y, pred), rel=1e-12)
    assert got["mae"] == pytest.approx(skm.mean_absolute_error(y, pred), rel=1e-12)
    assert got["mape"] == pytest.approx(skm.mean_absolute_percentage_error(y, pred), rel=1e-9)
    assert got["r2"] == pytest.approx(skm.r2_score(y, pred), rel=1e-9)


def test_every_catalogue_entry_has_its_kernels() -> None:
    for task, infos in CATALOGUE.items():
        assert list(METRICS[task]) == list(infos)
        for name, info in infos.items():
            metric = METRICS[task][name]
            assert (metric.higher_is_better, metric.needs_proba) == (
                info.higher_is_better,
                info.needs_proba,
            )
            assert (metric.stats is not None and metric.finish is not None) != (
                metric.ranked is not None
            )


def test_roc_auc_of_a_single_class_is_undefined() -> None:
    y = np.ones(10, dtype=int)
    proba = np.column_stack([np.zeros(10), np.linspace(0, 1, 10)])
    got = point(
        [METRICS[Task.BINARY]["roc_auc"]],
        Target(Task.BINARY, y, (0, 1)),
        Outputs(pred=y, proba=proba),
    )
    assert np.isnan(got["roc_auc"])


@pytest.mark.parametrize("decimals", [2, None])  # few distinct scores (hashed), many (sorted)
@pytest.mark.parametrize("name", ["roc_auc", "pr_auc"])
def test_rank_metrics_match_sklearn_with_few_or_many_distinct_scores(
    name: str, decimals: int | None
) -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 6000)
    score = np.clip(0.5 * y + rng.normal(0.25, 0.3, 6000), 0, 1)
    if decimals is not None:
        score = np.round(score, decimals)
    out = Outputs(pred=(score > 0.5).astype(int), proba=np.column_stack([1 - score, score]))
    ours = point([METRICS[Task.BINARY][name]], Target(Task.BINARY, y, (0, 1)), out)[name]
    assert ours == pytest.approx(BINARY_SK[name](y, out.pred, score, out.proba), abs=1e-12)
