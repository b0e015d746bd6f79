"""Where the reference statistics come from: a data file, a stored profile, or a DVC revision
(the DVC revision end to end is in tests/data/test_step.py, through `mlci validate`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.config_load import LoadedConfig, load_config
from mlci.data.digest import file_digest
from mlci.data.profile import profile_file
from mlci.data.profile_json import write_profile
from mlci.data.reference import load_reference
from mlci.errors import ConfigError, InputError
from tests.conftest import git
from tests.data.conftest import DataProject, make_frame


def loaded(proj: DataProject) -> LoadedConfig:
    proj.save_config()
    return load_config(proj.root / "mlci.yaml")


def test_a_data_file_is_profiled_and_named_relative_to_the_config(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    ref = load_reference(loaded(proj), workdir=tmp_path, batch_rows=None)
    assert ref is not None
    assert (ref.describe, ref.data_path) == ("data/ref.csv", proj.reference)
    assert ref.profile.rows == 400
    assert ref.digest == file_digest(proj.reference)


def test_a_stored_profile_has_no_rows_to_hand_on(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    write_profile(profile_file(proj.reference), proj.root / "ref.json")
    proj.config["data"]["reference"] = "ref.json"
    ref = load_reference(loaded(proj), workdir=tmp_path, batch_rows=None)
    assert ref is not None
    assert (ref.describe, ref.data_path, ref.profile.rows) == ("profile ref.json", None, 400)


def test_no_reference_configured_is_none(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    del proj.config["data"]["reference"]
    assert load_reference(loaded(proj), workdir=tmp_path, batch_rows=None) is None


def test_a_dvc_revision_needs_a_git_repository(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    proj.config["data"]["reference"] = {"dvc_rev": "main"}
    with pytest.raises(InputError) as err:
        load_reference(loaded(proj), workdir=tmp_path, batch_rows=None)
    assert str(err.value) == (
        f"{proj.root}: data.reference.dvc_rev needs a git repository, and this is not one"
    )


def test_a_dvc_revision_of_data_outside_the_repository_is_a_config_error(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "repo")
    proj.new(make_frame(20))
    git("init", "-q", "-b", "main", cwd=proj.root)
    outside = tmp_path / "elsewhere.csv"
    proj.config["data"]["reference"] = {"dvc_rev": "main", "path": str(outside)}
    with pytest.raises(ConfigError) as err:
        load_reference(loaded(proj), workdir=tmp_path, batch_rows=None)
    assert str(err.value) == (
        f"mlci.yaml: data.reference: the data is outside the git repository {proj.root.resolve()}"
    )
