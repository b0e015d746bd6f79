"""The checks besides metrics: prediction sanity, McNemar, latency and size budgets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.config import LatencyConfig, SizeConfig
from mlci.results import CheckResult, JsonValue, Status

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


# --- prediction sanity ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sanity:
    """What is wrong with one model's raw predictions (empty when nothing is)."""

    name: str
    non_finite: int
    new_classes: tuple[object, ...] = ()


def non_finite(values: npt.NDArray[Any], proba: npt.NDArray[np.float64] | None) -> int:
    """Rows holding NaN or inf in the predictions or the probabilities."""
    import numpy as np

    bad = np.zeros(len(values), dtype=bool)
    if values.dtype.kind in "fc" and not _finite_sum(values):
        bad |= ~np.isfinite(values)
    elif values.dtype.kind == "O":
        bad |= np.array([isinstance(v, float) and not np.isfinite(v) for v in values], dtype=bool)
    if proba is not None and not _finite_sum(proba):
        bad |= ~np.isfinite(proba).all(axis=1)
    return int(bad.sum())


def _finite_sum(a: npt.NDArray[Any]) -> bool:
    """True when every value is finite, proved by one sum (NaN and inf propagate into it) instead
    of a test per value; a sum that overflows to inf only sends the caller to the exact count."""
    import numpy as np

    return bool(np.isfinite(a.sum()))


def predictions_check(
    found: Sequence[Sanity], rows: int, allow_new_classes: bool, versus: str
) -> CheckResult:
    problems = []
    for s in found:
        if s.non_finite:
            problems.append(
                f"the {s.name} predicted NaN or inf on {s.non_finite:,} of {rows:,} rows"
            )
        if s.new_classes and not allow_new_classes:
            shown = ", ".join(repr(c) for c in s.new_classes[:5])
            problems.append(f"the {s.name} predicts class(es) {shown} unknown to {versus}")
    details: dict[str, JsonValue] = {
        "rows": rows,
        "non_finite": {s.name: s.non_finite for s in found},
        "new_classes": {s.name: [str(c) for c in s.new_classes] for s in found},
        "allow_new_classes": allow_new_classes,
    }
    if problems:
        hint = " (allow with model.allow_new_classes)" if "class" in problems[-1] else ""
        message = "; ".join(problems) + hint
    else:
        message = f"predictions are finite and of the right length on all {rows:,} rows, with no unexpected class"
    return CheckResult(
        id="predictions",
        title="prediction sanity",
        status=Status.FAIL if problems else Status.PASS,
        message=message,
        details=details,
    )


# --- McNemar ------------------------------------------------------------------------------------


def mcnemar_check(
    cand_right: npt.NDArray[np.bool_], champ_right: npt.NDArray[np.bool_], confidence: float
) -> CheckResult:
    """Accuracy's paired test: only the rows where exactly one model is right carry evidence."""
    gained = int((cand_right & ~champ_right).sum())
    lost = int((~cand_right & champ_right).sum())
    p_value, test = mcnemar_p(gained, lost)
    significant = p_value < 1 - confidence
    if significant and lost > gained:
        status, verdict = Status.WARN, "the candidate is significantly less accurate"
    elif significant:
        status, verdict = Status.PASS, "the candidate is significantly more accurate"
    else:
        status, verdict = Status.PASS, "no significant difference in accuracy"
    message = (
        f"McNemar: the candidate is right on {gained:,} rows the champion gets wrong "
        f"and wrong on {lost:,} "
        f"it gets right (p = {p_value:.3g}): {verdict}"
    )
    details: dict[str, JsonValue] = {
        "gained": gained,
        "lost": lost,
        "p_value": p_value,
        "test": test,
    }
    return CheckResult(
        id="mcnemar",
        title="McNemar (accuracy)",
        status=status,
        message=message,
        observed=p_value,
        details=details,
    )


def mcnemar_p(gained: int, lost: int) -> tuple[float, str]:
    """Two-sided p: exact binomial for few discordant rows, else chi-square with continuity."""
    n = gained + lost
    if n == 0:
        return 1.0, "none"
    if n < 25:  # the chi-square approximation is poor with few discordant pairs
        tail = sum(math.comb(n, k) for k in range(min(gained, lost) + 1)) / 2**n
        return min(1.0, 2 * tail), "exact binomial"
    statistic = (abs(gained - lost) - 1) ** 2 / n
    # The chi-square survival function with one degree of freedom is erfc(sqrt(x / 2)).
    return math.erfc(math.sqrt(statistic / 2)), "chi-square, continuity-corrected"


# --- latency ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    samples: int

    @classmethod
    def of(cls, timings: Sequence[float]) -> Latency:
        import numpy as np

        p50, p95 = np.percentile(np.asarray(timings, dtype=np.float64) * 1000, [50, 95])
        return cls(p50_ms=float(p50), p95_ms=float(p95), samples=len(timings))


def latency_check(
    cand: Latency, champ: Latency | None, batch_rows: int, cfg: LatencyConfig
) -> CheckResult:
    failures: list[str] = []
    text = f"latency per batch of {batch_rows:,} rows: p50 {cand.p50_ms:.1f} ms"
    text += f", p95 {cand.p95_ms:.1f} ms"
    increase: dict[str, float] | None = None
    if champ is not None:
        increase = {
            "p50": _ratio(cand.p50_ms, champ.p50_ms),
            "p95": _ratio(cand.p95_ms, champ.p95_ms),
        }
        text += f" (champion {champ.p50_ms:.1f} / {champ.p95_ms:.1f} ms: "
        text += f"{increase['p50']:+.0%} / {increase['p95']:+.0%})"
        budget = cfg.max_increase_relative
        if budget is not None:
            over = [k for k, v in increase.items() if v > budget]
            if over:
                failures.append(f"{' and '.join(over)} over the allowed increase {budget:.0%}")
    if cfg.max_p95_ms is not None and cand.p95_ms > cfg.max_p95_ms:
        failures.append(f"p95 over max_p95_ms {cfg.max_p95_ms:g}")
    status = Status.FAIL if failures else Status.PASS
    if not failures and cfg.max_increase_relative is None and cfg.max_p95_ms is None:
        text += "; no latency budget set"
    elif not failures:
        text += "; within budget"
    details: dict[str, JsonValue] = {
        "batch_rows": batch_rows,
        "candidate": {"p50_ms": cand.p50_ms, "p95_ms": cand.p95_ms, "samples": cand.samples},
        "champion": None
        if champ is None
        else {"p50_ms": champ.p50_ms, "p95_ms": champ.p95_ms, "samples": champ.samples},
        "increase_relative": increase,
        "max_increase_relative": cfg.max_increase_relative,
        "max_p95_ms": cfg.max_p95_ms,
    }
    message = text + ("; " + "; ".join(failures) if failures else "")
    return CheckResult(
        id="latency",
        title="prediction latency",
        status=status,
        message=message,
        observed=cand.p95_ms,
        details=details,
    )


def _ratio(new: float, old: float) -> float:
    return new / old - 1 if old > 0 else 0.0


# --- size ---------------------------------------------------------------------------------------


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def size_check(cand_mb: float, champ_mb: float | None, cfg: SizeConfig) -> CheckResult:
    text = f"model size on disk {cand_mb:.3g} MB"
    if champ_mb is not None:
        text += f" (champion {champ_mb:.3g} MB, {cand_mb - champ_mb:+.3g} MB)"
    if cfg.max_mb is None:
        status, text = Status.PASS, text + "; no size budget set"
    elif cand_mb > cfg.max_mb:
        status, text = Status.FAIL, text + f"; over max_mb {cfg.max_mb:g}"
    else:
        status, text = Status.PASS, text + f"; within max_mb {cfg.max_mb:g}"
    details: dict[str, JsonValue] = {
        "candidate_mb": cand_mb,
        "champion_mb": champ_mb,
        "max_mb": cfg.max_mb,
    }
    return CheckResult(
        id="size",
        title="model size",
        status=status,
        message=text,
        observed=cand_mb,
        expected=cfg.max_mb,
        details=details,
    )
