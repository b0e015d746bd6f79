"""Realistic tables for the verdict tests: keys, timestamps, a rare label, nulls, a 30-value
category and skewed numbers, as a real customer-orders table has them, and the faults real
tables get (each a function of the clean frame)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REFERENCE_ROWS = 20_000
CATEGORIES = [f"mcc_{i:02d}" for i in range(30)]
_START = 1_735_689_600  # 2025-01-01T00:00:00Z
_YEAR = 365 * 86_400


def make_orders(rows: int, seed: int, first_id: int = 0) -> Any:
    """One batch of the process: keys from FIRST_ID on (every batch brings new ones), events
    over 2025, 3% fraud, 10% of incomes and 2% of ages missing, two correlated features."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    shares = 1 / np.arange(1, 31) ** 1.1  # a long tail, as merchant categories have
    income = rng.lognormal(np.log(50_000), 0.35, rows).round(2)
    income[rng.random(rows) < 0.10] = np.nan
    age = rng.integers(18, 90, rows).astype(float)
    age[rng.random(rows) < 0.02] = np.nan
    x1 = rng.normal(0, 1, rows)
    x2 = 0.8 * x1 + 0.6 * rng.normal(0, 1, rows)
    seconds = rng.integers(0, _YEAR, rows) + _START
    return pd.DataFrame(
        {
            "customer_id": np.arange(first_id, first_id + rows),
            "order_ref": [f"R{v:09d}" for v in rng.choice(10**9, rows, replace=False)],
            "event_time": pd.to_datetime(np.sort(seconds), unit="s"),
            "merchant_category": rng.choice(CATEGORIES, rows, p=shares / shares.sum()),
            "amount": rng.gamma(2.0, 30.0, rows).round(2),
            "income": income,
            "age": age,
            "x1": x1.round(4),
            "x2": x2.round(4),
            "is_fraud": (rng.random(rows) < 0.03).astype(int),
        }
    )


def key_duplicates(frame: Any, column: str) -> Any:
    out = frame.copy()
    out.loc[out.index[1::20], column] = out[column].iloc[0::20].to_numpy()[: len(out) // 20]
    return out


def stale(frame: Any) -> Any:
    import pandas as pd

    return frame.assign(event_time=frame["event_time"] - pd.Timedelta(days=400))


def share_flip(frame: Any) -> Any:
    """The most and the least common categories swap names: every value is known, the shares
    are not."""
    swap = {CATEGORIES[0]: CATEGORIES[-1], CATEGORIES[-1]: CATEGORIES[0]}
    return frame.assign(merchant_category=frame["merchant_category"].replace(swap))


def unit_change(frame: Any) -> Any:
    return frame.assign(amount=frame["amount"] * 1000)


def missing_jump(frame: Any) -> Any:
    import numpy as np

    income = frame["income"].copy()
    income[np.random.default_rng(7).random(len(frame)) < 0.4] = np.nan
    return frame.assign(income=income)


def prior_shift(frame: Any) -> Any:
    import numpy as np

    fraud = (np.random.default_rng(8).random(len(frame)) < 0.12).astype(int)
    return frame.assign(is_fraud=fraud)


def renamed(frame: Any) -> Any:
    return frame.rename(columns={"amount": "amount_usd"})


def correlation_flip(frame: Any) -> Any:
    """x2 goes with -x1 instead of x1: both marginals stay standard normal."""
    noise = (frame["x2"] - 0.8 * frame["x1"]) / 0.6
    return frame.assign(x2=(-0.8 * frame["x1"] + 0.6 * noise).round(4))


FAULTS: dict[str, tuple[Callable[[Any], Any], str, frozenset[str]]] = {
    # name: (fault, the check that must fail, the column it must name)
    "integer key duplicates": (
        lambda f: key_duplicates(f, "customer_id"),
        "unique",
        frozenset({"customer_id"}),
    ),
    "text key duplicates": (
        lambda f: key_duplicates(f, "order_ref"),
        "unique",
        frozenset({"order_ref"}),
    ),
    "stale timestamps": (stale, "freshness", frozenset({"event_time"})),
    "category share flip": (share_flip, "drift", frozenset({"merchant_category"})),
    "unit change": (unit_change, "range", frozenset({"amount"})),
    "missing-rate jump": (missing_jump, "missing_rate", frozenset({"income"})),
    "label prior shift": (prior_shift, "prior_shift", frozenset({"is_fraud"})),
    "renamed column": (renamed, "missing_column", frozenset({"amount"})),
    # the classifier names whichever of the two it leaned on most
    "joint shift": (correlation_flip, "joint_drift", frozenset({"x1", "x2"})),
}
