"""Profiles: one streaming pass, exact merges, sketches within their stated error (JSON:
test_profile_json.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlci.data.profile import VALUES_CAP, ColumnProfile, Profile, merge, profile_file
from mlci.data.profile_json import read_profile, write_profile
from tests.conftest import run_mlci
from tests.data.conftest import make_frame, write


def big_frame(rows: int = 60_000) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    frame = make_frame(rows, seed=11)
    frame["token"] = [f"t{i}" for i in rng.integers(0, 30_000, rows)]  # beyond VALUES_CAP
    frame.loc[rows - 500 :, :] = frame.iloc[:500].to_numpy()  # 500 duplicated rows
    return frame


def exact_stats(col: ColumnProfile) -> dict[str, object]:
    m = col.moments
    return {
        "type": col.type,
        "rows": col.rows,
        "nulls": col.nulls,
        "values": None if col.values is None else dict(col.values),
        "min": m.min if m else None,
        "max": m.max if m else None,
        "count": m.count if m else None,
        "histogram": col.histogram.counts if col.histogram else None,
        "number_like": col.number_like,
        "text_lengths": col.text_lengths,
    }


def row_sample(profile: Profile) -> tuple[list[int], dict[str, tuple[object, ...]]]:
    assert profile.row_sample is not None
    return profile.row_sample.priorities.tolist(), dict(profile.row_sample.columns)


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Profile, Profile, Profile]:
    """(whole file, merge of its halves, the whole again): all counted on the same bins."""
    root = tmp_path_factory.mktemp("halves")
    frame = big_frame()
    whole = write(frame, root / "all.parquet")
    own = profile_file(whole, batch_rows=4_096)
    edges = own.edges()
    first = profile_file(
        write(frame.iloc[:25_000], root / "a.parquet"), edges=edges, batch_rows=4_096
    )
    second = profile_file(
        write(frame.iloc[25_000:], root / "b.parquet"), edges=edges, batch_rows=4_096
    )
    return profile_file(whole, edges=edges, batch_rows=4_096), merge(first, second), own


def test_merge_of_halves_is_exact_where_the_statistic_allows(
    halves: tuple[Profile, Profile, Profile],
) -> None:
    whole, merged, _ = halves
    assert merged.rows == whole.rows == 60_000
    assert list(merged.columns) == list(whole.columns)
    for name, col in whole.columns.items():
        assert exact_stats(merged.columns[name]) == exact_stats(col), name
        if col.moments is not None:
            other = merged.columns[name].moments
            assert other is not None
            assert other.mean == pytest.approx(col.moments.mean, rel=1e-12)
            assert other.variance == pytest.approx(col.moments.variance, rel=1e-9)
    # the row sample is bottom-k by a hash of each row: the halves' merge is the whole's sample
    assert row_sample(merged) == row_sample(whole)
    assert len(whole.row_sample or ()) == 2_048
    assert whole.columns["token"].text_lengths == (2, 6)  # "t0" .. "t29999"


def test_the_row_sample_is_a_uniform_sample_of_the_rows(
    halves: tuple[Profile, Profile, Profile],
) -> None:
    _, _, whole = halves
    _, columns = row_sample(whole)
    regions = pd.Series(columns["region"]).value_counts(normalize=True)
    assert set(regions.index) == {"north", "south", "east", "west"}
    assert regions.max() - regions.min() < 0.1  # four equal shares, 2,048 rows
    ages = np.array(columns["age"], dtype=float)
    assert ages.min() >= 18 and ages.max() <= 90 and abs(np.nanmean(ages) - 54) < 3


def test_small_columns_keep_exact_value_counts_and_big_ones_say_so(
    halves: tuple[Profile, Profile, Profile],
) -> None:
    whole, merged, _ = halves
    assert merged.columns["region"].values is not None
    assert sum(merged.columns["region"].values.values()) == 60_000
    assert whole.columns["token"].values is None  # 30,000 distinct > VALUES_CAP
    assert VALUES_CAP < 30_000


def test_sketches_stay_within_their_stated_error(halves: tuple[Profile, Profile, Profile]) -> None:
    whole, merged, _ = halves
    frame = big_frame()
    truth = frame["token"].nunique()
    for profile in (whole, merged):
        token = profile.columns["token"]
        assert not token.distinct_exact()
        assert token.distinct() == pytest.approx(truth, rel=0.04)  # 1.1% standard error
        # 500 duplicated rows: estimated from a hash sample of the rows
        assert profile.duplicates() == pytest.approx(500, rel=0.25)
        income = profile.columns["income"]
        values = frame["income"].dropna().to_numpy()
        assert income.quantile_sample is not None
        estimates = income.quantile_sample.quantiles([0.05, 0.5, 0.95])
        for q, estimate in zip([0.05, 0.5, 0.95], estimates, strict=True):
            rank = (values <= estimate).mean()
            assert rank == pytest.approx(q, abs=0.02)  # 0.55% standard error in rank


def test_small_data_is_profiled_exactly(tmp_path: Path) -> None:
    frame = make_frame(300)
    profile = profile_file(write(frame, tmp_path / "d.csv"))
    income = profile.columns["income"]
    assert income.nulls == 15
    assert income.quantiles([0.5]) == {"p50": pytest.approx(frame["income"].median())}
    assert income.histogram is not None and income.histogram.exact
    assert sum(income.histogram.counts) == 285
    assert profile.columns["id"].distinct() == 300 and profile.columns["id"].distinct_exact()
    assert profile.duplicates() == 0


def test_csv_and_parquet_of_the_same_data_give_the_same_profile(tmp_path: Path) -> None:
    frame = make_frame(2_000)
    csv = profile_file(write(frame, tmp_path / "d.csv"))
    parquet = profile_file(write(frame, tmp_path / "d.parquet"))
    for name, col in csv.columns.items():
        assert exact_stats(parquet.columns[name]) == exact_stats(col), name
    assert csv.columns["age"].distinct() == parquet.columns["age"].distinct()


def test_mixed_int_and_float_csv_column_is_widened_mid_stream(tmp_path: Path) -> None:
    """open_csv fixes types from its first block: a float far down an int column must not fail."""
    rows = ["n"] + [str(i) for i in range(200_000)] + ["1.5"]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    col = profile_file(tmp_path / "d.csv", batch_rows=1_024).columns["n"]
    assert (col.type, col.rows, col.moments.max) == ("float", 200_001, 199_999.0)  # type: ignore[union-attr]


def test_profile_command_writes_and_merges(tmp_path: Path) -> None:
    frame = make_frame(1_000)
    write(frame.iloc[:600], tmp_path / "a.csv")
    write(frame.iloc[600:], tmp_path / "b.parquet")
    done = run_mlci("profile", "a.csv", "-o", "a.json", cwd=tmp_path)
    assert done.code == 0, done.text
    done = run_mlci("profile", "a.json", "b.parquet", "-o", "all.json", cwd=tmp_path)
    assert done.code == 0, done.text
    assert "wrote all.json (1,000 rows, 5 columns)" in done.out
    assert (
        read_profile(tmp_path / "all.json").columns["region"].values
        == frame["region"].value_counts().to_dict()
    )


def test_profile_command_names_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    done = run_mlci("profile", "empty.csv", cwd=tmp_path)
    assert done.code == 2
    assert done.err.strip() == "mlci: error: empty.csv: the file is empty (no header, no rows)"


def test_infinite_values_stay_out_of_the_statistics(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("x\n1\n2\ninf\n-inf\n3\n")
    profile = profile_file(tmp_path / "d.csv")
    moments = profile.columns["x"].moments
    assert moments is not None
    assert (moments.count, moments.min, moments.max, moments.mean) == (3, 1.0, 3.0, 2.0)
    write_profile(profile, tmp_path / "p.json")  # valid JSON: no Infinity, no NaN
    again = read_profile(tmp_path / "p.json").columns["x"]
    assert again.rows == 5 and again.values is not None
    assert again.values[float("inf")] == 1
