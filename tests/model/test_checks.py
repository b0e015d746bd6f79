"""The checks besides metrics: prediction sanity, McNemar, latency and size budgets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlci.config import LatencyConfig, SizeConfig
from mlci.model.checks import (
    Latency,
    Sanity,
    latency_check,
    mcnemar_check,
    mcnemar_p,
    non_finite,
    predictions_check,
    size_check,
    size_mb,
)
from mlci.results import Status


@pytest.mark.parametrize(
    ("gained", "lost", "p", "test"),
    [
        (8, 4, 0.3876953125, "exact binomial"),
        (0, 0, 1.0, "none"),
        (30, 20, 0.2030917875771, "chi-square, continuity-corrected"),
    ],
)
def test_mcnemar_p_values(gained: int, lost: int, p: float, test: str) -> None:
    # Reference values: scipy.stats.binomtest(4, 12).pvalue and scipy.stats.chi2.sf(81 / 50, 1).
    got, name = mcnemar_p(gained, lost)
    assert got == pytest.approx(p, rel=1e-9)
    assert name == test


def test_non_finite_counts_rows_with_nan_or_inf_in_values_or_probabilities() -> None:
    values = np.array([1.0, np.nan, 3.0, np.inf])
    proba = np.array([[0.5, 0.5], [0.5, 0.5], [np.nan, 1.0], [0.2, 0.8]])
    assert non_finite(values, proba) == 3
    assert non_finite(np.array(["a", float("nan"), "b"], dtype=object), None) == 1
    assert non_finite(np.array([0, 1, 2]), None) == 0


def test_non_finite_is_not_fooled_by_a_sum_that_overflows() -> None:
    # the one-sum shortcut sees inf here, and the exact count finds every value finite
    huge = np.array([1e308, 1e308, -np.inf])
    assert non_finite(huge[:2], np.array([[1e308, 0.0], [1e308, 0.0]])) == 0
    assert non_finite(huge, None) == 1
    assert non_finite(np.array([1.0, 2.0]), np.array([[np.nan, 1.0], [0.5, 0.5]])) == 1


def test_predictions_check_names_the_model_and_the_unknown_class() -> None:
    found = [Sanity("candidate", 2, ("zebra",)), Sanity("champion", 0)]
    check = predictions_check(found, 1000, allow_new_classes=False, versus="the champion")
    assert check.status is Status.FAIL
    assert check.message == (
        "the candidate predicted NaN or inf on 2 of 1,000 rows; the candidate predicts "
        "class(es) 'zebra' unknown to the champion (allow with model.allow_new_classes)"
    )
    allowed = predictions_check([Sanity("candidate", 0, ("zebra",))], 10, True, "the champion")
    assert allowed.status is Status.PASS
    assert allowed.details["new_classes"] == {"candidate": ["zebra"]}


def test_mcnemar_check_warns_only_on_a_significant_loss() -> None:
    cand = np.array([False] * 30 + [True] * 70)
    champ = np.array([True] * 30 + [True] * 70)
    worse = mcnemar_check(cand, champ, 0.95)
    assert (worse.status, worse.details["gained"], worse.details["lost"]) == (Status.WARN, 0, 30)
    assert worse.message.endswith("the candidate is significantly less accurate")
    same = mcnemar_check(cand, cand, 0.95)
    assert (same.status, same.observed) == (Status.PASS, 1.0)
    assert same.message.endswith("(p = 1): no significant difference in accuracy")


def test_latency_check_fails_an_increase_over_the_budget() -> None:
    cand, champ = Latency(20.0, 40.0, 30), Latency(10.0, 20.0, 30)
    check = latency_check(cand, champ, 500, LatencyConfig(max_increase_relative=0.5))
    assert check.status is Status.FAIL
    assert check.message == (
        "latency per batch of 500 rows: p50 20.0 ms, p95 40.0 ms (champion 10.0 / 20.0 ms: "
        "+100% / +100%); p50 and p95 over the allowed increase 50%"
    )
    unset = latency_check(cand, None, 500, LatencyConfig())
    assert unset.status is Status.PASS and unset.message.endswith("; no latency budget set")


def test_latency_of_timings_in_seconds_is_in_milliseconds() -> None:
    assert Latency.of([0.01, 0.02, 0.03]) == Latency(p50_ms=20.0, p95_ms=29.0, samples=3)


def test_size_of_a_model_folder_and_its_budget(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "model.pkl").write_bytes(b"x" * 1_500_000)
    (tmp_path / "sub" / "MLmodel").write_bytes(b"y" * 500_000)
    assert size_mb(tmp_path) == 2.0
    over = size_check(2.0, 1.0, SizeConfig(max_mb=1.5))
    assert (over.status, over.message) == (
        Status.FAIL,
        "model size on disk 2 MB (champion 1 MB, +1 MB); over max_mb 1.5",
    )
    assert (
        size_check(2.0, None, SizeConfig()).message == "model size on disk 2 MB; no size budget set"
    )
