"""Paired bootstrap of candidate - champion over the evaluation rows: seeded and vectorised.

Both models are scored on the same resample (the same row counts), so the interval is of the
paired difference, which is much narrower than two separate intervals when the models agree on
most rows. A resample is a multinomial draw of row counts; the metrics take them as weights
(mlci.model.scorer.Scorer), a few hundred resamples per matrix product.

Above `max_rows` rows the resamples have size m = max_rows, drawn from a fixed random subset,
and the percentile interval is shrunk around the full-data estimate by sqrt(m / n): the
m-out-of-n bootstrap (Bickel, Götze & van Zwet 1997), valid for the smooth metrics used here,
which keeps the cost at O(resamples x m) whatever the size of the evaluation set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlci.config import BootstrapConfig
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import Metric
from mlci.model.scorer import Scorer

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Weights held at once: resamples per chunk x rows stays near this many float64s (~32 MB).
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Interval:
    """A percentile interval of candidate - champion."""

    low: float
    high: float


@dataclass(frozen=True)
class Paired:
    """What both models scored on the same rows, and what their difference is."""

    rows: int
    candidate: Mapping[str, float]
    champion: Mapping[str, float] | None
    intervals: Mapping[str, Interval | None]


def seed_for(seed: int, key: str) -> list[int]:
    """A stable seed per scope (overall, each slice), so adding a slice never moves another."""
    return [seed, int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")]


def compare(
    metrics: Sequence[Metric],
    target: Target,
    candidate: Outputs,
    champion: Outputs | None,
    *,
    cfg: BootstrapConfig,
    key: str = "",
) -> Paired:
    """Point estimates on every row and, with a champion, the interval of the difference."""
    cand = Scorer(metrics, target, candidate)()
    if champion is None:
        return Paired(rows=len(target.y), candidate=_floats(cand), champion=None, intervals={})
    champ = Scorer(metrics, target, champion)()
    point = {name: float(cand[name][0] - champ[name][0]) for name in cand}
    scores = (target, candidate, champion)
    intervals = _intervals(metrics, scores, cfg=cfg, key=key, point=point)
    return Paired(
        rows=len(target.y), candidate=_floats(cand), champion=_floats(champ), intervals=intervals
    )


def _floats(values: Mapping[str, npt.NDArray[np.float64]]) -> dict[str, float]:
    return {name: float(v[0]) for name, v in values.items()}


def _intervals(
    metrics: Sequence[Metric],
    scores: tuple[Target, Outputs, Outputs],
    *,
    cfg: BootstrapConfig,
    key: str,
    point: Mapping[str, float],
) -> dict[str, Interval | None]:
    import numpy as np

    target, candidate, champion = scores
    n = len(target.y)
    if cfg.resamples == 0 or n < 2:
        return dict.fromkeys(point)
    rng = np.random.default_rng(seed_for(cfg.seed, key))
    rows = np.sort(rng.choice(n, size=cfg.max_rows, replace=False)) if n > cfg.max_rows else None
    if rows is not None:
        target, candidate, champion = target.take(rows), candidate.take(rows), champion.take(rows)
    cand, champ = Scorer(metrics, target, candidate), Scorer(metrics, target, champion)
    diffs = _resampled_diffs(cand, champ, cfg.resamples, rng)
    m = cand.n
    if rows is None:
        centre, shrink = dict(point), 1.0
    else:
        sub_c_point, sub_h_point = cand(), champ()
        centre = {k: float(sub_c_point[k][0] - sub_h_point[k][0]) for k in point}
        shrink = float(np.sqrt(m / n))
    alpha = (1 - cfg.confidence) / 2
    return {
        name: _percentile(diffs[name], alpha, point[name], centre[name], shrink) for name in point
    }


def _resampled_diffs(
    cand: Scorer, champ: Scorer, resamples: int, rng: np.random.Generator
) -> dict[str, npt.NDArray[np.float64]]:
    import numpy as np

    m = cand.n
    per_chunk = max(1, min(resamples, _CHUNK_CELLS // m))
    parts: dict[str, list[npt.NDArray[np.float64]]] = {}
    done = 0
    while done < resamples:
        b = min(per_chunk, resamples - done)
        weights = multinomial_counts(rng, b, m)  # (m, b): one column per resample
        size = np.full(b, float(m))  # each resample draws m rows: its weights sum to m exactly
        c, h = cand(weights, size), champ(weights, size)
        for name in c:
            parts.setdefault(name, []).append(c[name] - h[name])
        done += b
    return {name: np.concatenate(p) for name, p in parts.items()}


def multinomial_counts(
    rng: np.random.Generator, resamples: int, rows: int
) -> npt.NDArray[np.float64]:
    """(rows, resamples): how often each row is drawn in each resample of `rows` draws."""
    import numpy as np

    # int32 halves the bytes drawn; the chunking keeps rows x resamples far below 2**31.
    draws = rng.integers(0, rows, size=(resamples, rows), dtype=np.int32)
    # Cell (resample, row) of a (b, rows) table: each resample's draws land in its own stretch of
    # `rows` counts, which stays in cache (a (rows, b) table spread them over all b x rows
    # cells, a cache miss per draw); one transposing copy then gives the (rows, b) weights.
    draws += (np.arange(resamples, dtype=np.int32) * rows)[:, None]
    counts = np.bincount(draws.ravel(), minlength=rows * resamples)
    out: npt.NDArray[np.float64] = np.empty((rows, resamples))
    out[...] = counts.reshape(resamples, rows).T
    return out


def _percentile(
    diffs: npt.NDArray[np.float64], alpha: float, point: float, centre: float, shrink: float
) -> Interval | None:
    import numpy as np

    finite = diffs[np.isfinite(diffs)]
    # A metric undefined in many resamples (roc_auc on a resample without positives) has no
    # trustworthy interval; report none rather than one made of the lucky resamples.
    if len(finite) < 0.95 * len(diffs) or len(finite) == 0:
        return None
    low, high = np.quantile(finite, [alpha, 1 - alpha])
    return Interval(
        low=point + shrink * (float(low) - centre), high=point + shrink * (float(high) - centre)
    )
