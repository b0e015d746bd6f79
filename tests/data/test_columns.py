"""The streaming kernels: whichever path a batch takes (counted or raw), the profile is the one
a brute-force count over all rows gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlci.data.columns import NULL_HASH, ColumnState
from mlci.data.profile import VALUES_CAP, profile_file
from mlci.data.sketch import bernoulli_rows

ROWS = 6_000


def mixed_frame() -> pd.DataFrame:
    """Every path: small-span ints, wide-span ints that outgrow VALUES_CAP, floats with NaN,
    +-inf and -0.0 that outgrow it halfway, booleans with nulls, text that turns high-cardinality
    halfway with number-like values, and timestamps."""
    rng = np.random.default_rng(5)
    half = ROWS // 2
    floats = np.concatenate([rng.integers(0, 50, half) / 4, rng.normal(0, 1, half)])
    floats[rng.choice(ROWS, 300, replace=False)] = np.nan
    floats[[7, 9, 11]] = [np.inf, -np.inf, -0.0]
    texts = np.array(
        [f"c{i}" for i in rng.integers(0, 5, half)]
        + [f"t{i}" if i % 7 else str(i) for i in rng.integers(0, 4_000, half)],
        dtype=object,
    )
    texts[rng.choice(ROWS, 200, replace=False)] = None
    flags = pd.array(rng.random(ROWS) < 0.3, dtype="boolean")
    flags[rng.choice(ROWS, 100, replace=False)] = pd.NA
    small = pd.array(rng.integers(-3, 40, ROWS), dtype="Int64")
    small[rng.choice(ROWS, 50, replace=False)] = pd.NA
    frame = pd.DataFrame(
        {
            "small": small,
            "wide": rng.integers(-(10**12), 10**12, ROWS),
            "floats": floats,
            "flags": flags,
            "texts": texts,
            "when": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 10**9, ROWS), "s"),
        }
    )
    frame.iloc[-40:] = frame.iloc[:40].to_numpy()  # 40 duplicated rows
    return frame


@pytest.fixture(scope="module")
def frame_and_profiles(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Any, Any]:
    root = tmp_path_factory.mktemp("columns")
    frame = mixed_frame()
    # Row groups smaller than the batches: each text batch carries a row group's dictionary.
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False), root / "d.parquet", row_group_size=700
    )
    edges = {"floats": (-1.0, -0.0, 0.5, 3.0), "small": (0.0, 10.0, 20.0), "wide": (0.0,)}
    parquet = profile_file(root / "d.parquet", edges=edges, batch_rows=1_000)
    frame.to_csv(root / "d.csv", index=False)
    csv = profile_file(root / "d.csv", edges=edges, batch_rows=1_000)
    return frame, parquet, csv


def test_every_column_matches_a_brute_force_count(
    frame_and_profiles: tuple[pd.DataFrame, Any, Any],
) -> None:
    frame, parquet, _ = frame_and_profiles
    for name in frame.columns:
        col, values = parquet.columns[name], frame[name]
        assert (col.rows, col.nulls) == (ROWS, int(values.isna().sum())), name
        # every hash sample here holds all values: distinct counts are exact
        assert col.distinct_exact(), name
        assert col.distinct() == values.nunique(), name
    assert parquet.duplicates() == int(frame.duplicated().sum()) == 40


def test_numbers_match_whichever_path_each_batch_took(
    frame_and_profiles: tuple[pd.DataFrame, Any, Any],
) -> None:
    frame, parquet, _ = frame_and_profiles
    for name, edges in (("floats", (-1.0, -0.0, 0.5, 3.0)), ("small", (0.0, 10.0, 20.0))):
        col = parquet.columns[name]
        finite = frame[name].dropna().astype(float)
        finite = finite[np.isfinite(finite)].to_numpy()
        assert col.moments is not None and col.histogram is not None
        assert col.moments.count == len(finite)
        assert col.moments.mean == pytest.approx(finite.mean(), rel=1e-12)
        assert col.moments.variance == pytest.approx(finite.var(ddof=1), rel=1e-9)
        assert (col.moments.min, col.moments.max) == (finite.min(), finite.max())
        expected = np.bincount(
            np.searchsorted(edges, finite, side="left"), minlength=len(edges) + 1
        )
        assert col.histogram.counts == tuple(float(c) for c in expected), name
    assert parquet.columns["floats"].values is None  # 3,000 normal values: past VALUES_CAP
    assert parquet.columns["small"].values == {
        int(k): int(v) for k, v in frame["small"].value_counts().items()
    }


def test_text_counts_number_like_values_across_the_switch_to_many_values(
    frame_and_profiles: tuple[pd.DataFrame, Any, Any],
) -> None:
    frame, parquet, csv = frame_and_profiles
    texts = frame["texts"].dropna()
    numbers = int(texts.str.fullmatch(r"\d+").sum())
    for profile in (parquet, csv):
        col = profile.columns["texts"]
        assert col.values is None and texts.nunique() > VALUES_CAP
        assert col.number_like == numbers
        # the first values that are not numbers, in the order the rows show them
        assert list(col.text_examples) == list(dict.fromkeys(texts[~texts.str.isdigit()]))[:3]


def test_csv_and_parquet_agree_row_hash_for_row_hash(
    frame_and_profiles: tuple[pd.DataFrame, Any, Any],
) -> None:
    _, parquet, csv = frame_and_profiles
    for name in ("small", "wide", "floats", "flags", "texts"):
        a, b = parquet.columns[name].hash_sample, csv.columns[name].hash_sample
        assert np.array_equal(a.hashes, b.hashes) and np.array_equal(a.counts, b.counts), name
    assert parquet.duplicates() == csv.duplicates() == 40


def test_missing_values_hash_to_the_null_stand_in_on_both_paths() -> None:
    raw = ColumnState("x", "float", None, 0)
    raw.values = None  # past VALUES_CAP: the raw path
    counted = ColumnState("x", "float", None, 0)
    array = pa.array([1.5, None, float("nan"), -0.0, 0.0])
    for state in (raw, counted):
        hashes = state.add(array)
        assert hashes is not None  # a hashed state returns each row's hash
        assert hashes[1] == hashes[2] == NULL_HASH
        assert hashes[3] == hashes[4] == pd.util.hash_array(np.array([0.0]))[0]
        assert state.nulls == 2
    assert raw.hashes.result().distinct() == counted.hashes.result().distinct() == 2


@pytest.mark.parametrize("rate", [0.5, 0.01])
def test_bernoulli_rows_keeps_each_row_at_the_rate(rate: float) -> None:
    rng = np.random.default_rng(3)
    n, draws = 20_000, 200
    kept = np.zeros(n)
    for _ in range(draws):
        rows, priorities = bernoulli_rows(n, rate, rng)
        assert np.all(np.diff(rows) > 0)  # sorted, no row twice
        assert np.all((priorities >= 0) & (priorities < rate))
        kept[rows] += 1
    share = kept.sum() / (n * draws)
    assert share == pytest.approx(rate, rel=0.02)
    # no position is favoured: the first and second halves are kept alike
    assert kept[: n // 2].sum() == pytest.approx(kept[n // 2 :].sum(), rel=0.05)


def test_quantile_sample_is_deterministic_for_the_same_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": np.random.default_rng(1).normal(size=50_000)})
    frame.to_parquet(tmp_path / "d.parquet")
    first = profile_file(tmp_path / "d.parquet", batch_rows=4_096).columns["x"]
    again = profile_file(tmp_path / "d.parquet", batch_rows=4_096).columns["x"]
    assert first.quantile_sample is not None and again.quantile_sample is not None
    assert np.array_equal(first.quantile_sample.values, again.quantile_sample.values)
    assert len(first.quantile_sample.values) == 8_192


def test_bernoulli_rows_past_keep_gives_the_keep_smallest_priorities() -> None:
    """Far more rows than a bottom-k sample keeps: only the k smallest priorities are drawn,
    distributed as the k smallest of n uniform draws (their largest is about k / n)."""
    rng = np.random.default_rng(4)
    n, keep, draws = 100_000, 500, 400
    kept = np.zeros(n)
    largest = []
    for _ in range(draws):
        rows, priorities = bernoulli_rows(n, 1.0, rng, keep=keep)
        assert len(rows) == keep and np.all(np.diff(rows) > 0)
        kept[rows] += 1
        largest.append(priorities.max())
    # the k-th smallest of n uniforms has mean k / (n + 1) and s.d. about sqrt(k) / n
    assert np.mean(largest) == pytest.approx(keep / (n + 1), rel=0.01)
    assert kept[: n // 2].sum() == pytest.approx(kept[n // 2 :].sum(), rel=0.05)
    # few rows expected below the rate: the plain Bernoulli draw, not the shortcut
    rows, _ = bernoulli_rows(n, 0.001, rng, keep=keep)
    assert 40 < len(rows) < 180


@pytest.mark.parametrize(("distinct", "kept"), [(50, True), (20_000, False)])
def test_a_big_first_batch_is_checked_for_many_values_before_encoding(
    tmp_path: Path, distinct: int, kept: bool
) -> None:
    """Batches of more than 8,000 rows: a head with over VALUES_CAP distinct numbers skips the
    dictionary (raw path from the first batch); few distinct values keep exact counts. Either
    way the statistics are the brute-force ones."""
    rng = np.random.default_rng(distinct)
    x = rng.choice(rng.normal(size=distinct), size=30_000)
    x[rng.choice(30_000, 600, replace=False)] = np.nan
    pd.DataFrame({"x": x}).to_parquet(tmp_path / "d.parquet")
    col = profile_file(tmp_path / "d.parquet", batch_rows=16_384).columns["x"]
    present = x[~np.isnan(x)]
    assert (col.values is not None) is kept
    if kept:
        assert col.values == {
            float(v): int(c) for v, c in zip(*np.unique(present, return_counts=True), strict=True)
        }
    assert col.nulls == 600 and col.distinct_exact()
    assert col.distinct() == len(np.unique(present))
    assert col.moments is not None and col.moments.count == len(present)
    assert col.moments.mean == pytest.approx(present.mean(), rel=1e-12)
    assert col.moments.variance == pytest.approx(present.var(ddof=1), rel=1e-9)
