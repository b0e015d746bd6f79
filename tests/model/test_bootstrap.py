"""The paired bootstrap: seeded, paired, calibrated against theory, and cheap on big data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlci.config import BootstrapConfig, Task
from mlci.model.bootstrap import compare, multinomial_counts
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import METRICS

ACC = [METRICS[Task.BINARY]["accuracy"]]


def _pair(n: int, seed: int = 0, flips: float = 0.1) -> tuple[Target, Outputs, Outputs]:
    """Two classifiers that agree except on a fraction `flips` of rows."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    champ = np.where(rng.random(n) < 0.85, y, 1 - y)
    cand = np.where(rng.random(n) < flips, 1 - champ, champ)
    return Target(Task.BINARY, y, (0, 1)), Outputs(pred=cand), Outputs(pred=champ)


def _paired_se(target: Target, cand: Outputs, champ: Outputs) -> float:
    """Standard error of the accuracy difference of paired rows (the McNemar variance)."""
    d = (cand.pred == target.y).astype(float) - (champ.pred == target.y)
    return float(d.std() / math.sqrt(len(d)))


def test_multinomial_counts_are_resamples_of_every_row() -> None:
    counts = multinomial_counts(np.random.default_rng(0), 50, 400)
    assert counts.shape == (400, 50)
    assert (counts.sum(axis=0) == 400).all()
    # Each row is drawn Binomial(400, 1/400) times: mean 1 over many resamples.
    assert counts.mean() == 1.0


def test_multinomial_counts_count_the_generators_draws_per_resample() -> None:
    """The draws the intervals rest on: resample j counts row r as often as the j-th row of
    draws names it (a layout change must not change an interval)."""
    counts = multinomial_counts(np.random.default_rng(7), 30, 200)
    draws = np.random.default_rng(7).integers(0, 200, size=(30, 200), dtype=np.int32)
    expected = np.stack([np.bincount(d, minlength=200) for d in draws], axis=1)
    assert counts.dtype == np.float64 and counts.flags.c_contiguous
    assert np.array_equal(counts, expected)


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    target, cand, champ = _pair(500)
    a = compare(ACC, target, cand, champ, cfg=BootstrapConfig(seed=1)).intervals["accuracy"]
    b = compare(ACC, target, cand, champ, cfg=BootstrapConfig(seed=1)).intervals["accuracy"]
    c = compare(ACC, target, cand, champ, cfg=BootstrapConfig(seed=2)).intervals["accuracy"]
    assert a == b
    assert a != c


def test_interval_matches_normal_theory_for_a_paired_difference() -> None:
    target, cand, champ = _pair(4000)
    paired = compare(ACC, target, cand, champ, cfg=BootstrapConfig(resamples=2000))
    interval = paired.intervals["accuracy"]
    assert interval is not None
    delta = paired.candidate["accuracy"] - paired.champion["accuracy"]  # type: ignore[index]
    half = 1.959964 * _paired_se(target, cand, champ)
    assert interval.low == pytest.approx(delta - half, abs=0.15 * half)
    assert interval.high == pytest.approx(delta + half, abs=0.15 * half)


def test_pairing_makes_the_interval_narrower_than_unpaired() -> None:
    # Models that agree on 95% of rows: an unpaired interval would be about
    # sqrt(2 * 0.85 * 0.15 / n)
    # wide on each side; the paired one only reflects the 5% of rows where they differ.
    target, cand, champ = _pair(2000, flips=0.05)
    interval = compare(ACC, target, cand, champ, cfg=BootstrapConfig()).intervals["accuracy"]
    assert interval is not None
    unpaired_half = 1.96 * math.sqrt(2 * 0.85 * 0.15 / 2000)
    assert (interval.high - interval.low) / 2 < 0.6 * unpaired_half


def test_m_out_of_n_keeps_the_width_of_the_full_bootstrap() -> None:
    target, cand, champ = _pair(200_000, seed=4)
    paired = compare(ACC, target, cand, champ, cfg=BootstrapConfig(max_rows=10_000, resamples=500))
    interval = paired.intervals["accuracy"]
    assert interval is not None
    half = 1.959964 * _paired_se(target, cand, champ)
    assert (interval.high - interval.low) / 2 == pytest.approx(half, rel=0.15)
    delta = paired.candidate["accuracy"] - paired.champion["accuracy"]  # type: ignore[index]
    assert interval.low < delta < interval.high


def test_no_champion_no_interval_and_zero_resamples_no_interval() -> None:
    target, cand, champ = _pair(100)
    first = compare(ACC, target, cand, None, cfg=BootstrapConfig())
    assert first.champion is None and first.intervals == {}
    off = compare(ACC, target, cand, champ, cfg=BootstrapConfig(resamples=0))
    assert off.intervals == {"accuracy": None}


def test_roc_auc_undefined_in_most_resamples_has_no_interval() -> None:
    y = np.zeros(200, dtype=int)
    y[0] = 1  # one positive: most resamples hold none, and roc_auc is undefined there
    proba = np.column_stack([np.linspace(1, 0, 200), np.linspace(0, 1, 200)])
    target, out = (
        Target(Task.BINARY, y, (0, 1)),
        Outputs(pred=(proba[:, 1] > 0.5).astype(int), proba=proba),
    )
    paired = compare([METRICS[Task.BINARY]["roc_auc"]], target, out, out, cfg=BootstrapConfig())
    assert paired.intervals["roc_auc"] is None
