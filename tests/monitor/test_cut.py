"""A batch of logs cut to the window and the champion's rows from Arrow alone: every role
column's type read as pandas read it before (the reference each test compares with)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from mlci.config import MonitorConfig
from mlci.data.arrow import mask
from mlci.errors import InputError
from mlci.monitor.cut import figures, iso_of, kept

CFG = MonitorConfig.model_validate(
    {"data": "logs", "timestamp": "ts", "model_version": "v", "label": "label",
     "latency": {"column": "ms"}, "errors": {"column": "err"}}
)  # fmt: skip
SINCE = datetime(2026, 12, 1, 10, tzinfo=UTC)
STAMPS = ["2026-12-01T09:59:59.999999999Z", "2026-12-01T10:00:00Z", None, "2026-12-01T11:30:00Z"]


def stamps() -> pd.DatetimeIndex:
    return pd.to_datetime(STAMPS, utc=True, format="ISO8601")


def batch(**columns: Any) -> pa.RecordBatch:
    base: dict[str, Any] = {
        "ts": pa.array(stamps()),
        "v": pa.array(["2", "2", "2", "1"]),
        "label": pa.array([1, None, 0, 1]),
        "prediction": pa.array([1, 0, 0, 1]),
        "ms": pa.array([10.0, float("nan"), 30.0, None]),
        "err": pa.array([True, None, False, True]),
    }
    base.update(columns)
    return pa.RecordBatch.from_pydict(base)


@pytest.mark.parametrize(
    "stamps",
    [
        pa.array(stamps()),  # timestamp[ns, UTC]
        pa.array(stamps().tz_localize(None)).cast(pa.timestamp("us"), safe=False),
        pa.array(STAMPS),  # text, as a CSV without parsed dates gives it
    ],
    ids=["ns-utc", "us-naive", "text"],
)
def test_the_window_keeps_stamps_at_or_after_since_and_drops_missing_ones(stamps: Any) -> None:
    got = kept(batch(ts=stamps, v=pa.array(["2"] * 4)), CFG, SINCE, "2")
    assert got.tolist() == [False, True, False, True]


@pytest.mark.parametrize(
    "versions",
    [
        pa.array(["2", "2", "22", None]),
        pa.array(["2", "2", "22", None], type=pa.large_string()),
        pa.array(["2", "2", "22", None]).dictionary_encode(),
        pa.array([2, 2, 22, None]),
        pa.array([2.0, 2.0, 22.0, None]),  # floats as pandas wrote them: "2.0" is not "2"
    ],
    ids=["string", "large_string", "dictionary", "int", "float"],
)
def test_the_champions_rows_are_compared_as_text(versions: pa.Array) -> None:
    config = CFG.model_copy(update={"timestamp": None})
    expected = (pd.Series(versions.to_pylist(), dtype=object).astype(str) == "2").tolist()
    got = kept(batch(v=versions), config, None, "2")
    assert got.tolist() == expected
    assert kept(batch(v=pa.array(["2"] * 4)), config, None, "2") is None  # every row kept


@pytest.mark.parametrize("how", ["filtered", "masked"])
def test_figures_of_the_kept_rows(how: str) -> None:
    """The same figures from a batch filtered first, or from the whole batch and the mask."""
    keep = np.array([True, True, True, False])
    if how == "filtered":
        got = figures(batch().filter(mask(keep)), CFG)
    else:
        got = figures(batch(), CFG, keep=keep)
    assert (got.rows, got.errors, got.latencies_ms.tolist()) == (3, 1, [10.0, 30.0])
    assert (got.labels.tolist(), got.labelled_predictions.tolist()) == ([1, 0], [1, 0])
    assert (got.first, got.last) == (
        "2026-12-01T09:59:59.999999999+00:00",
        "2026-12-01T10:00:00+00:00",
    )
    assert got.labelled_scores is None


def test_error_columns_as_flags_numbers_or_messages() -> None:
    def errors(column: pa.Array) -> int:
        return figures(batch(err=column), CFG).errors

    assert errors(pa.array([1, 0, None, 2])) == 2
    assert errors(pa.array(["timeout", "", None, "  "])) == 1
    assert errors(pa.array([False, False, None, True])) == 1


def test_scores_must_be_probabilities_and_latencies_numbers() -> None:
    scored = CFG.model_copy(update={"score": "p"})
    got = figures(batch(p=pa.array([0.9, 0.2, None, 0.7])), scored)
    # the second row has no label, the third no score: two labelled rows with a score
    assert (got.labels.tolist(), got.labelled_scores.tolist()) == ([1, 1], [0.9, 0.7])  # type: ignore[union-attr]
    with pytest.raises(InputError) as caught:
        figures(batch(p=pa.array([1.5, 0.2, 0.1, 0.2])), scored)
    assert str(caught.value) == (
        "monitor.score: column 'p' holds values outside [0, 1] (expected the probability of the "
        "positive class)"
    )
    with pytest.raises(InputError) as caught:
        figures(batch(ms=pa.array(["fast"] * 4)), CFG)
    assert str(caught.value) == (
        "monitor.latency.column: column 'ms' is not numeric (string; expected milliseconds)"
    )


@pytest.mark.parametrize(
    "stamp",
    ["2026-12-01T10:00:00Z", "2026-12-01T10:00:00.5Z", "2026-12-01T10:00:00.000001Z",
     "2026-12-01T10:00:00.000000001Z", "1969-12-31T23:59:59.25Z"],
)  # fmt: skip
def test_iso_of_writes_what_pandas_writes(stamp: str) -> None:
    when = pd.Timestamp(stamp)
    assert when.tzinfo is not None
    assert iso_of(when.value) == when.isoformat()
