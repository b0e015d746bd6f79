"""mlci/adapters/git.py against real repositories: HEAD, the top level, uncommitted files, dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from mlci.adapters.git import commit_time, head_sha, toplevel, uncommitted
from mlci.errors import InputError
from tests.conftest import git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "kept.txt").write_text("one\n")
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "first", cwd=root)
    return root


def test_head_sha_is_the_commit_and_none_outside_a_repository(repo: Path, tmp_path: Path) -> None:
    assert head_sha(repo / "sub") == git("rev-parse", "HEAD", cwd=repo)
    outside = tmp_path / "plain"
    outside.mkdir()
    assert head_sha(outside) is None


def test_head_sha_of_a_repository_without_commits_is_none(tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    assert head_sha(tmp_path) is None


def test_toplevel_from_a_subfolder_and_the_error_outside(repo: Path, tmp_path: Path) -> None:
    assert toplevel(repo / "sub") == repo.resolve()
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(InputError) as caught:
        toplevel(outside)
    assert str(caught.value) == f"{outside}: not a git repository (mlci version records the commit)"


def test_uncommitted_names_modified_staged_and_untracked_files(repo: Path) -> None:
    assert uncommitted(repo, [repo / "sub"]) == []
    assert uncommitted(repo, []) == []
    (repo / "sub" / "kept.txt").write_text("two\n")
    (repo / "sub" / "new.txt").write_text("new\n")
    (repo / "staged.txt").write_text("staged\n")
    git("add", "staged.txt", cwd=repo)
    assert uncommitted(repo, [repo / "sub", repo / "staged.txt"]) == [
        "staged.txt",
        "sub/kept.txt",
        "sub/new.txt",
    ]
    assert uncommitted(repo, [repo / "staged.txt"]) == ["staged.txt"]


def test_commit_time_of_a_known_and_an_unknown_commit(repo: Path) -> None:
    sha = git("rev-parse", "HEAD", cwd=repo)
    when = commit_time(repo, sha)
    assert when == datetime.fromisoformat(git("show", "-s", "--format=%cI", sha, cwd=repo))
    assert commit_time(repo, "0" * 40) is None
