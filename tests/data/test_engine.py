"""The engine seam, local side: finding a dataset's files, one profile of many files, the
completeness check, and `mlci validate` on a folder of Parquet files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlci.config import ValidateConfig
from mlci.data.engine import (
    LocalEngine,
    check_complete,
    open_dataset,
    open_source,
    profile_source,
)
from mlci.data.profile import Profile, profile_file
from mlci.errors import InputError, ServiceError
from tests.conftest import run_mlci
from tests.data.conftest import DataProject, make_frame, write


def write_dataset(frame: Any, folder: Path, files: int = 3, row_group_rows: int = 500) -> Path:
    """FRAME cut into FILES Parquet files of several row groups each, plus the litter Spark
    leaves next to them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    step = -(-len(frame) // files)
    for i in range(files):
        chunk = pa.Table.from_pandas(frame.iloc[i * step : (i + 1) * step], preserve_index=False)
        pq.write_table(chunk, folder / f"part-{i:03d}.parquet", row_group_size=row_group_rows)
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-000.parquet.crc").write_bytes(b"\0")
    return folder


def assert_same_profile(a: Profile, b: Profile) -> None:
    """Exact where the merge is exact, to rounding for moments, within bounds for sketches."""
    assert a.rows == b.rows
    assert list(a.columns) == list(b.columns)
    for name, x in a.columns.items():
        y = b.columns[name]
        assert (x.type, x.rows, x.nulls, x.values) == (y.type, y.rows, y.nulls, y.values), name
        assert x.distinct() == pytest.approx(y.distinct(), rel=0.03), name
        if x.moments is None:
            assert y.moments is None
            continue
        assert y.moments is not None
        assert (x.moments.count, x.moments.min, x.moments.max) == (
            y.moments.count,
            y.moments.min,
            y.moments.max,
        )
        assert x.moments.mean == pytest.approx(y.moments.mean, rel=1e-12)
        assert x.moments.m2 == pytest.approx(y.moments.m2, rel=1e-9)
        assert x.histogram is not None and y.histogram is not None
        if x.histogram.exact and y.histogram.exact:
            assert x.histogram == y.histogram, name
    assert a.duplicates() == pytest.approx(b.duplicates(), abs=0.05 * a.rows)


def test_a_folder_lists_its_parquet_files_in_order_without_the_litter(tmp_path: Path) -> None:
    folder = write_dataset(make_frame(3_000), tmp_path / "ds", files=3, row_group_rows=400)
    dataset = open_dataset(str(folder))
    assert [Path(f.location).name for f in dataset.files] == [
        "part-000.parquet",
        "part-001.parquet",
        "part-002.parquet",
    ]
    assert [f.group_rows for f in dataset.files] == [(400, 400, 200)] * 3
    assert dataset.rows == 3_000
    assert len(dataset.partitions()) == 9
    assert dataset.partitions()[2].row_groups == (2,)
    glob = open_dataset(str(folder / "part-00[12].parquet"))
    assert [Path(f.location).name for f in glob.files] == ["part-001.parquet", "part-002.parquet"]


def test_a_folder_without_parquet_files_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    with pytest.raises(InputError) as err:
        open_dataset(str(tmp_path / "empty"))
    assert str(err.value) == (
        f"{tmp_path / 'empty'}: no Parquet files found (expected a .parquet/.pq file, a folder "
        "or a glob of them)"
    )


def test_the_local_engine_profiles_many_files_as_the_one_file_they_came_from(
    tmp_path: Path,
) -> None:
    frame = make_frame(3_000, seed=4)
    whole = profile_file(write(frame, tmp_path / "whole.parquet"))
    folder = write_dataset(frame, tmp_path / "ds")
    dataset = open_dataset(str(folder))
    parts = LocalEngine().profile(dataset, edges=None, batch_rows=None, advance=None)
    assert_same_profile(parts, whole)
    # one stream, one sample: the same rows are drawn as from the single file
    assert parts.columns["age"].quantiles() == whole.columns["age"].quantiles()


def test_files_whose_columns_differ_are_refused_naming_the_file(tmp_path: Path) -> None:
    folder = write_dataset(make_frame(600), tmp_path / "ds", files=2)
    write(make_frame(50).drop(columns=["flag"]), folder / "part-009.parquet")
    source = open_source(folder, ValidateConfig())
    with pytest.raises(InputError) as err:
        profile_source(source, settings=ValidateConfig(), edges=None, advance=None)
    assert str(err.value) == (
        f"{folder / 'part-009.parquet'}: its columns or types differ from "
        f"{folder / 'part-000.parquet'}'s"
    )


def test_a_profile_short_of_the_footers_row_count_is_a_service_error(tmp_path: Path) -> None:
    folder = write_dataset(make_frame(900), tmp_path / "ds")
    dataset = open_dataset(str(folder))
    partial = profile_file(folder / "part-000.parquet")
    with pytest.raises(ServiceError) as err:
        check_complete(partial, dataset, "dask")
    assert str(err.value) == (
        f"{folder}: the dask engine profiled 300 rows, but the Parquet footers count 900: "
        "the profile is incomplete (run again)"
    )
    assert err.value.exit_code == 3
    whole = LocalEngine().profile(dataset, edges=None, batch_rows=None, advance=None)
    assert check_complete(whole, dataset, "local") is whole


def test_a_file_url_reads_the_same_rows_through_fsspec(tmp_path: Path) -> None:
    folder = write_dataset(make_frame(900), tmp_path / "ds")
    dataset = open_dataset(f"file://{folder}")
    assert [f.location for f in dataset.files] == [
        f"file://{folder}/part-00{i}.parquet" for i in range(3)
    ]
    url = LocalEngine().profile(dataset, edges=None, batch_rows=None, advance=None)
    local = LocalEngine().profile(
        open_dataset(str(folder)), edges=None, batch_rows=None, advance=None
    )
    assert_same_profile(url, local)


def test_a_csv_file_on_the_dask_engine_is_refused_before_any_work(tmp_path: Path) -> None:
    path = write(make_frame(50), tmp_path / "new.csv")
    with pytest.raises(InputError) as err:
        open_source(path, ValidateConfig(engine="dask"))
    assert str(err.value) == f"{path}: validate.engine dask reads Parquet (convert the CSV first)"


def test_validate_on_a_folder_gives_the_verdict_of_the_single_file(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p", ".parquet")
    frame = make_frame(2_000, seed=3)
    frame.loc[5, "region"] = "atlantis"
    proj.new(frame)
    write_dataset(frame, proj.root / "data" / "new-ds")
    single = run_mlci("validate", "--report-json", "single.json", cwd=proj.root)
    proj.config["data"]["path"] = "data/new-ds"
    proj.save_config()
    folder = run_mlci("validate", "--report-json", "folder.json", cwd=proj.root)
    assert (single.code, folder.code) == (1, 1), folder.text
    a, b = (json.loads((proj.root / n).read_text()) for n in ("single.json", "folder.json"))
    statuses = [
        [(c["id"], c.get("column"), c["status"]) for c in r["steps"][0]["checks"]] for r in (a, b)
    ]
    assert statuses[0] == statuses[1]
    assert ("categories", "region", "fail") in statuses[1]
    assert b["steps"][0]["notes"][-1] == "engine local (local): 3 Parquet file(s), 2,000 rows"
    assert b["provenance"]["data"]["data"].startswith("blake3-files:")


def test_validate_engine_must_be_local_or_dask(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p", ".parquet")
    proj.new(make_frame())
    proj.config["validate"] = {"engine": "spark"}
    proj.save_config()
    done = run_mlci("validate", cwd=proj.root)
    assert done.code == 2
    assert "mlci.yaml: validate.engine: Input should be 'local' or 'dask', got 'spark'" in done.err


def test_a_file_whose_name_looks_like_a_glob_is_still_one_file(tmp_path: Path) -> None:
    path = write(make_frame(50), tmp_path / "new[1].csv")
    source = open_source(path, ValidateConfig())
    assert source.dataset is None
    assert profile_source(source, settings=ValidateConfig(), edges=None, advance=None).rows == 50
