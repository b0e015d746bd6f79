"""`data.path` as an fsspec URL: a Parquet dataset on S3 (moto's standalone server, read through
s3fs) gives the verdict the same files give on disk; a URL whose filesystem package is missing
is an input error naming the package."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from mlci.config_load import load_config
from tests.conftest import run_mlci
from tests.data.conftest import DataProject, make_frame
from tests.data.test_engine import write_dataset
from tests.stacks import AWS_ENV

BUCKET = "mlci-data"


@pytest.fixture
def s3(moto_s3: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto endpoint, with a fresh bucket; s3fs (botocore) finds it through the standard
    AWS variables, as it would find a real bucket's."""
    for name, value in {**AWS_ENV, "AWS_ENDPOINT_URL_S3": moto_s3}.items():
        monkeypatch.setenv(name, value)
    requests.put(f"{moto_s3}/{BUCKET}", timeout=30).raise_for_status()
    return moto_s3


def _upload(folder: Path, endpoint: str, prefix: str) -> None:
    # moto needs no signature: a plain PUT per object, the litter (_SUCCESS, .crc) included
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        url = f"{endpoint}/{BUCKET}/{prefix}/{path.name}"
        requests.put(url, data=path.read_bytes(), timeout=30).raise_for_status()


def _statuses(report: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [(c["id"], c.get("column"), c["status"]) for c in report["steps"][0]["checks"]]


def test_a_dataset_on_s3_gives_the_verdict_of_the_same_files_on_disk(
    tmp_path: Path, s3: str
) -> None:
    proj = DataProject(tmp_path / "p", ".parquet")
    frame = make_frame(2_000, seed=3)
    frame.loc[5, "region"] = "atlantis"
    proj.new(frame)
    _upload(write_dataset(frame, proj.root / "data" / "new-ds"), s3, "logs/day-1")
    proj.config["data"]["path"] = "data/new-ds"
    proj.save_config()
    local = run_mlci("validate", "--report-json", "local.json", cwd=proj.root)
    proj.config["data"]["path"] = f"s3://{BUCKET}/logs/day-1/"
    proj.save_config()
    remote = run_mlci("validate", "--report-json", "s3.json", cwd=proj.root)
    assert (local.code, remote.code) == (1, 1), remote.text
    a, b = (json.loads((proj.root / n).read_text()) for n in ("local.json", "s3.json"))
    assert _statuses(a) == _statuses(b)
    assert ("categories", "region", "fail") in _statuses(b)
    assert b["steps"][0]["notes"][-1] == "engine local (local): 3 Parquet file(s), 2,000 rows"
    assert b["provenance"]["data"]["data"].startswith("blake3-files:")


def test_config_check_lists_the_files_of_a_dataset_on_s3(tmp_path: Path, s3: str) -> None:
    from mlci.checkup import check_config

    proj = DataProject(tmp_path / "p", ".parquet")
    _upload(write_dataset(make_frame(600), tmp_path / "ds"), s3, "logs/day-2")
    proj.config["data"]["path"] = f"s3://{BUCKET}/logs/day-2"
    proj.save_config()
    checked = check_config(proj.root / "mlci.yaml")
    assert checked.problems == ()
    assert checked.ok[0] == f"data.path: s3://{BUCKET}/logs/day-2 (3 Parquet file(s), 600 rows)"


def test_a_url_in_data_path_is_kept_as_text(tmp_path: Path) -> None:
    (tmp_path / "mlci.yaml").write_text(f"data:\n  path: s3://{BUCKET}/logs/day-1/\n")
    assert load_config(tmp_path / "mlci.yaml").config.data.path == f"s3://{BUCKET}/logs/day-1/"


def test_a_missing_s3_prefix_is_an_input_error_naming_the_url(tmp_path: Path, s3: str) -> None:
    proj = DataProject(tmp_path / "p", ".parquet")
    proj.config["data"]["path"] = f"s3://{BUCKET}/nothing-here/"
    proj.save_config()
    done = run_mlci("validate", cwd=proj.root)
    assert done.code == 2
    assert done.err.strip() == f"mlci: error: s3://{BUCKET}/nothing-here/: data file not found"


@pytest.mark.skipif(importlib.util.find_spec("gcsfs") is not None, reason="gcsfs is installed here")
def test_a_url_whose_filesystem_is_not_installed_names_the_package(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p", ".parquet")
    proj.config["data"]["path"] = "gs://bucket/logs/"
    proj.save_config()
    done = run_mlci("validate", cwd=proj.root)
    assert done.code == 2
    assert done.err.strip() == (
        "mlci: error: gs://bucket/logs/: reading gs:// URLs needs the gcsfs package "
        "(pip install gcsfs)"
    )


def test_deepchecks_on_a_url_is_refused_before_any_reading(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p", ".parquet")
    proj.config["data"]["path"] = f"s3://{BUCKET}/logs/day-1/"
    proj.config["validate"] = {"deepchecks": {"suites": ["data_integrity"]}}
    proj.save_config()
    done = run_mlci("validate", cwd=proj.root)
    assert done.code == 2
    assert done.err.strip() == (
        f"mlci: error: s3://{BUCKET}/logs/day-1/: validate.deepchecks reads local files, not URLs"
    )
