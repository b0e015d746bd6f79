"""The deepchecks backend: an isolated venv, a subprocess, results mapped to CheckResults."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from mlci.adapters.deepchecks import REQUIREMENTS, DeepchecksEnv, cache_root
from mlci.errors import ServiceError
from tests.conftest import run_mlci
from tests.data.conftest import DataProject, make_frame


def test_cache_root_honours_mlci_cache_dir_then_xdg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MLCI_CACHE_DIR", str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    monkeypatch.delenv("MLCI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    if sys.platform.startswith("linux"):
        assert cache_root() == tmp_path / "x" / "mlci"


def test_an_environment_that_cannot_be_created_is_a_clear_service_error(tmp_path: Path) -> None:
    env = DeepchecksEnv(tmp_path / "env", base_python=str(tmp_path / "no-such-python"))
    with pytest.raises(ServiceError) as caught:
        env.ensure(say=lambda _: None)
    assert str(caught.value).startswith(
        f"cannot create the deepchecks environment in {tmp_path / 'env'}: python -m venv: "
    )
    assert not env.ready()


def test_a_half_made_environment_is_not_ready(tmp_path: Path) -> None:
    env = DeepchecksEnv(tmp_path / "env")
    env.python.parent.mkdir(parents=True)
    env.python.write_text("")
    assert not env.ready()  # no marker: an interrupted install is redone, not trusted
    (env.root / ".mlci-ready").write_text("\n".join(REQUIREMENTS))
    assert env.ready()


@pytest.mark.slow
@pytest.mark.timeout(1800)  # the first run creates the environment: ~200 MB from PyPI
def test_deepchecks_suites_run_for_real_in_their_own_environment(tmp_path: Path) -> None:
    """Creates the environment on first use (minutes; cached after), then runs both suites."""
    proj = DataProject(tmp_path / "p")
    frame = make_frame(150, seed=2)
    proj.new(pd.concat([frame, frame.iloc[:40]], ignore_index=True))  # 21% duplicated rows
    proj.config["data"]["label"] = "flag"
    proj.config["validate"] = {
        "deepchecks": {
            "suites": ["data_integrity", "train_test_validation"],
            "exclude": ["date_train_test_leakage_duplicates", "date_train_test_leakage_overlap"],
        }
    }
    proj.save_config()
    done = run_mlci("validate", "--report-json", "report.json", cwd=proj.root)
    assert done.code == 1, done.text
    report = json.loads((proj.root / "report.json").read_text())
    step = report["steps"][0]
    checks = {c["id"]: c for c in step["checks"] if c["id"].startswith("deepchecks.")}
    duplicates = checks["deepchecks.data_duplicates"]
    assert duplicates["status"] == "warn"  # deepchecks' own default condition category
    assert duplicates["message"].startswith(
        "Data Duplicates: Duplicate data ratio is less or equal to 5%: Found 21.05% duplicate data"
    )
    assert checks["deepchecks.new_label_train_test"]["status"] == "pass"
    assert (
        checks["deepchecks.index_train_test_leakage"]["status"] == "error"
    )  # no index: did not run
    assert "deepchecks.date_train_test_leakage_overlap" not in checks
    assert (proj.root / "deepchecks-data_integrity.html").stat().st_size > 1000
    assert (proj.root / "deepchecks-train_test_validation.html").stat().st_size > 1000
    assert (
        "deepchecks train_test_validation: excluded "
        "date_train_test_leakage_duplicates, date_train_test_leakage_overlap" in step["notes"]
    )
