"""Profiles as versioned JSON: every statistic survives the round trip, other formats and versions
are refused, stored hash samples decode only when used."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pytest

from mlci.data.profile import profile_file
from mlci.data.profile_json import PackedHashSample, from_json, read_profile, write_profile
from mlci.data.sketch import HashSample
from mlci.errors import InputError
from tests.data.conftest import make_frame, write
from tests.data.test_profile import big_frame, exact_stats, row_sample


def test_json_round_trip_keeps_every_statistic(tmp_path: Path) -> None:
    whole = profile_file(write(big_frame(), tmp_path / "all.parquet"), batch_rows=4_096)
    write_profile(whole, tmp_path / "p.json")
    again = read_profile(tmp_path / "p.json")
    for name, col in whole.columns.items():
        assert exact_stats(again.columns[name]) == exact_stats(col), name
        assert again.columns[name].distinct() == col.distinct()
    assert again.duplicates() == whole.duplicates()
    assert row_sample(again) == row_sample(whole)
    doc = json.loads((tmp_path / "p.json").read_text())
    assert (doc["format"], doc["version"], doc["rows"]) == ("mlci-profile", 2, 60_000)
    assert doc["columns"]["region"]["top"][0]["count"] > 14_000
    assert doc["columns"]["token"]["values"] is None


def test_a_profile_of_another_version_or_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"p\.json: profile version 99 is not supported"):
        from_json({"format": "mlci-profile", "version": 99}, origin=str(tmp_path / "p.json"))
    # version 1 hashed text with pandas: its hash samples would not merge with this version's
    with pytest.raises(
        InputError,
        match=r"old\.json: profile version 1 is not supported \(this mlci reads 2\): "
        r"write it again with `mlci profile`",
    ):
        from_json({"format": "mlci-profile", "version": 1}, origin=str(tmp_path / "old.json"))
    (tmp_path / "x.json").write_text('{"verdict": "pass"}')
    with pytest.raises(InputError, match=r"x\.json: not an mlci profile"):
        read_profile(tmp_path / "x.json")


def test_a_stored_profile_decodes_its_hash_samples_only_when_used(tmp_path: Path) -> None:
    """validate never reads most of a reference's hash samples: they stay packed until used,
    then give exactly what an eager decode gives."""
    stored = tmp_path / "p.json"
    write_profile(profile_file(write(make_frame(3_000), tmp_path / "d.parquet")), stored)
    doc = json.loads(stored.read_text())
    profile = read_profile(stored)
    sample = profile.row_hashes
    assert isinstance(sample, PackedHashSample)
    assert "hashes" not in vars(sample) and "counts" not in vars(sample)
    eager = HashSample.from_json(doc["row_hashes"])
    assert sample.repeats() == eager.repeats()
    assert (sample.hashes == eager.hashes).all() and (sample.counts == eager.counts).all()
    assert "hashes" in vars(sample)
    column = profile.columns["id"].hash_sample
    assert (
        column.distinct()
        == HashSample.from_json(doc["columns"]["id"]["sketches"]["hash"]).distinct()
        == 3_000
    )


@pytest.mark.parametrize("spread", [True, False])
def test_a_profile_without_quantile_samples_round_trips(tmp_path: Path, spread: bool) -> None:
    """The monitor's profiles keep no quantile sample where no drift reads one, and its window
    keeps no spread nor range (SPREAD=False: a NaN M2, which JSON has no number for): stored,
    they read back with their moments and bins, and still no sample nor spread."""
    from mlci.data.accumulator import Accumulator
    from mlci.data.profile import _column_pool

    x_values = [0.5 + i for i in range(4_000)]  # distinct enough for the raw path (no counts)
    table = pa.table({"x": x_values, "y": [1.0, 2.0, 3.0, 4.0] * 1_000})
    with _column_pool() as pool:
        acc = Accumulator(
            table.schema,
            {"x": (1.0, 3.0)},
            pool,
            hashes=False,
            values=frozenset(),
            samples={"y"},
            spread=spread,
        )
        for batch in table.to_batches():
            acc.add(batch)
        light = acc.finish(source={})
    write_profile(light, tmp_path / "p.json")
    again = read_profile(tmp_path / "p.json")
    x, y = again.columns["x"], again.columns["y"]
    assert x.quantile_sample is None and y.quantile_sample is not None
    assert x.histogram is not None and x.histogram.counts == (1.0, 2.0, 3_997.0)
    assert x.moments is not None and (x.moments.count, x.moments.mean) == (4_000, 2_000.0)
    if spread:
        m2 = sum((v - 2_000.0) ** 2 for v in x_values)
        assert (x.moments.m2, x.moments.min, x.moments.max) == (m2, 0.5, 3_999.5)
    else:
        assert math.isnan(x.moments.m2) and (x.moments.min, x.moments.max) == (None, None)
        assert json.loads((tmp_path / "p.json").read_text())["columns"]["x"]["stats"]["m2"] is None
