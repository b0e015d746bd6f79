"""DVC-tracked inputs pulled on a fresh `git clone`, as `actions/checkout` leaves a workspace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlci.adapters.dvc import tracked_by
from tests.conftest import Project, git
from tests.test_lineage import dvc, own_dvc_site_cache

__all__ = ["own_dvc_site_cache"]  # a fixture, used by name

PULLED = "data/new.csv, data/train.csv, data/eval.csv, models/candidate"  # config order


@pytest.fixture
def origin(project: Project, tmp_path: Path, own_dvc_site_cache: None) -> Project:
    """The example project with data and model tracked by DVC, committed and pushed; plus
    data/other.csv, tracked and pushed but not named by mlci.yaml."""
    root = project.root
    shutil.copy(root / "data" / "train.csv", root / "data" / "other.csv")
    git("init", "-q", "-b", "main", cwd=root)
    dvc("init", "-q", cwd=root)
    dvc("remote", "add", "-d", "local", str(tmp_path / "remote"), cwd=root)
    dvc("add", "data/train.csv", "data/eval.csv", "data/new.csv", "data/other.csv", cwd=root)
    dvc("add", "models/candidate", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "data and model", cwd=root)
    # Named targets: a bare `dvc push` skips models/candidate here (the example's .gitignore
    # ignores /models/*, which DVC's repository walk honours).
    pointers = ["data/train.csv.dvc", "data/eval.csv.dvc", "data/new.csv.dvc", "data/other.csv.dvc"]
    dvc("push", "-q", *pointers, "models/candidate.dvc", cwd=root)
    return project


def clone(origin: Project, tmp_path: Path) -> Project:
    """A fresh clone: pointers and config, no data, no model, no DVC cache; its own registry."""
    target = tmp_path / "clone"
    git("clone", "-q", str(origin.root), str(target), cwd=tmp_path)
    shutil.copy(origin.root / "mlflow.db", target / "mlflow.db")
    return Project(root=target, trained=origin.trained)


def test_a_fresh_clone_pulls_only_what_mlci_yaml_names(origin: Project, tmp_path: Path) -> None:
    fresh = clone(origin, tmp_path)
    assert not (fresh.root / "data" / "new.csv").exists()
    result = fresh.mlci("gate")
    assert result.code == 0, result.text
    assert result.err.splitlines()[0] == (
        f"mlci: pulling {PULLED} from DVC remote local ({tmp_path / 'remote'})"
    )
    assert (fresh.root / "models" / "candidate" / "MLmodel").is_file()
    assert not (fresh.root / "data" / "other.csv").exists()
    assert git("status", "--porcelain", cwd=fresh.root) == ""  # the checkout is unchanged

    again = fresh.mlci("validate")
    assert again.code == 0 and "pulling" not in again.err  # present files are left alone


def test_data_nobody_pushed_names_the_pointer_and_the_remote(
    origin: Project, tmp_path: Path
) -> None:
    lines = (origin.root / "data" / "new.csv").read_text().splitlines(keepends=True)
    (origin.root / "data" / "new.csv").write_text("".join(lines[:40]))  # content never pushed
    dvc("add", "data/new.csv", cwd=origin.root)
    git("add", "-A", cwd=origin.root)
    git("commit", "-q", "-m", "new data, not pushed", cwd=origin.root)
    fresh = clone(origin, tmp_path)
    result = fresh.mlci("validate")
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        f"mlci: error: data/new.csv: not in the workspace and not in DVC remote local "
        f"({tmp_path / 'remote'}): data/new.csv.dvc names data nobody pushed (missing: "
        "data/new.csv); run `dvc push -r local` where it was added"
    )
    assert not (fresh.root / "data" / "train.csv").exists()  # nothing pulled on a refusal
    assert not (fresh.root / "mlci-report.json").exists()


def test_an_unreachable_remote_is_exit_3(origin: Project, tmp_path: Path) -> None:
    fresh = clone(origin, tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("a remote cannot live under a file")
    dvc("remote", "modify", "--local", "local", "url", f"{blocker}/remote", cwd=fresh.root)
    result = fresh.mlci("validate")
    assert result.code == 3
    last = result.err.strip().splitlines()[-1]
    assert last.startswith("mlci: error: dvc status --cloud --json -r local ")
    assert "Not a directory" in last


def test_no_remote_to_pull_from(origin: Project, tmp_path: Path) -> None:
    fresh = clone(origin, tmp_path)
    dvc("remote", "default", "--unset", cwd=fresh.root)
    result = fresh.mlci("validate")
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        "mlci: error: data/new.csv: not in the workspace; it is tracked by data/new.csv.dvc but "
        "no DVC remote is configured to pull it from (set version.remote in mlci.yaml, or "
        "`dvc remote add -d NAME URL`)"
    )


def test_a_missing_untracked_file_is_left_to_the_step(project: Project) -> None:
    git("init", "-q", "-b", "main", cwd=project.root)
    dvc("init", "-q", cwd=project.root)
    (project.root / "data" / "new.csv").unlink()
    result = project.mlci("validate")
    assert result.code == 2
    assert "pulling" not in result.err
    assert "data/new.csv" in result.err.strip().splitlines()[-1]


def test_tracked_by_a_folder_pointer_or_a_stage_output(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".dvc").mkdir(parents=True)
    (root / "models.dvc").write_text("outs:\n- md5: abc.dir\n  path: models\n")
    (root / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n"
        "    outs:\n    - path: data/prepared.parquet\n      md5: def\n"
    )
    assert tracked_by(root, root / "models" / "candidate") == root / "models.dvc"
    assert tracked_by(root, root / "data" / "prepared.parquet") == root / "dvc.lock"
    assert tracked_by(root, root / "data" / "other.parquet") is None
