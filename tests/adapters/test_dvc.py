"""mlci/adapters/dvc.py through DVC's own CLI on a real repository with a local remote."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlci.adapters import dvc
from mlci.errors import InputError, ServiceError
from tests.conftest import git


def run_dvc(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "dvc", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """git + DVC, a local default remote, one tracked file; DVC's site cache kept per module
    (pytest reuses temporary paths, and a stale cache entry makes DVC skip a push)."""
    base = tmp_path_factory.mktemp("dvc-adapter")
    old = os.environ.get("DVC_SITE_CACHE_DIR")
    os.environ["DVC_SITE_CACHE_DIR"] = str(base / "site-cache")
    root = base / "repo"
    root.mkdir()
    (root / "data.csv").write_text("a,b\n1,2\n")
    git("init", "-q", "-b", "main", cwd=root)
    run_dvc("init", "-q", cwd=root)
    run_dvc("remote", "add", "-d", "local", str(base / "remote"), cwd=root)
    run_dvc("remote", "add", "secret", "https://alice:hunter2@store.invalid/dvc", cwd=root)
    dvc.add(root, [root / "data.csv"])
    yield root
    if old is None:
        os.environ.pop("DVC_SITE_CACHE_DIR", None)
    else:
        os.environ["DVC_SITE_CACHE_DIR"] = old


def test_remotes_and_the_default_never_show_userinfo(repo: Path) -> None:
    assert dvc.remotes(repo) == {
        "local": str(repo.parent / "remote"),
        "secret": "https://store.invalid/dvc",
    }
    assert dvc.default_remote(repo) == "local"


def test_the_pointer_records_the_content_hash(repo: Path) -> None:
    pointer = dvc.read_pointer(repo / "data.csv.dvc")
    assert (pointer.path, pointer.size, pointer.nfiles) == (repo / "data.csv.dvc", 8, None)
    assert pointer.md5 == hashlib.md5(b"a,b\n1,2\n").hexdigest()
    assert dvc.tracked_by(repo, repo / "data.csv") == repo / "data.csv.dvc"
    assert dvc.tracked_by(repo, repo / "other.csv") is None


def test_push_puts_the_object_in_the_remote(repo: Path) -> None:
    pointer = repo / "data.csv.dvc"
    assert dvc.missing_in_remote(repo, [pointer], "local") == ["data.csv"]
    dvc.push(repo, [pointer], "local", delay=0)
    md5 = dvc.read_pointer(pointer).md5
    assert (repo.parent / "remote" / "files" / "md5" / md5[:2] / md5[2:]).is_file()
    assert dvc.missing_in_remote(repo, [pointer], "local") == []


def test_changed_sees_an_edited_output(repo: Path) -> None:
    pointer = repo / "data.csv.dvc"
    assert dvc.changed(repo, [pointer]) == set()
    assert dvc.changed(repo, []) == set()
    original = (repo / "data.csv").read_text()
    (repo / "data.csv").write_text(original + "3,4\n")
    try:
        assert dvc.changed(repo, [pointer]) == {pointer.resolve()}
    finally:
        (repo / "data.csv").write_text(original)


def test_a_failed_push_is_a_service_error_naming_the_command(repo: Path) -> None:
    with pytest.raises(ServiceError) as caught:
        dvc.push(repo, [repo / "data.csv.dvc"], "nowhere", delay=0)
    assert str(caught.value) == (
        f"dvc push -r nowhere {repo / 'data.csv.dvc'} (in {repo}): "
        "ERROR: failed to push data to the cloud - config file error: remote 'nowhere' doesn't exist"
    )


def test_a_failed_local_command_is_an_input_error(repo: Path) -> None:
    with pytest.raises(InputError) as caught:
        dvc.add(repo, [repo / "absent.csv"])
    assert str(caught.value).startswith(f"dvc add {repo / 'absent.csv'} (in {repo}): ERROR: ")


def test_not_a_dvc_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        dvc.dvc_root(tmp_path)
    assert str(caught.value) == f"{tmp_path}: not a DVC repository (run `dvc init`)"


def test_unreadable_pointer_and_lock_files_name_the_file(tmp_path: Path) -> None:
    pointer = tmp_path / "x.dvc"
    pointer.write_text("outs: []\n")
    with pytest.raises(InputError) as caught:
        dvc.read_pointer(pointer)
    assert str(caught.value) == f"{pointer}: not a readable .dvc file"
    (tmp_path / "dvc.lock").write_text("stages: [1, 2]\n")
    with pytest.raises(InputError) as caught:
        dvc.tracked_by(tmp_path, tmp_path / "out.csv")
    assert str(caught.value) == f"{tmp_path / 'dvc.lock'}: not a readable dvc.lock"


def test_redact_drops_userinfo_only() -> None:
    assert dvc.redact("push to s3://k:s@bucket/x failed at a@b") == (
        "push to s3://bucket/x failed at a@b"
    )
