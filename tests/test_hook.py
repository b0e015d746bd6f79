"""The pre-push hook through pre-commit itself: `git push` runs the gate, a failing gate stops
the push, and a push with nothing changed reuses the last report.

The hook `mlci init` writes is `language: system` (it runs the mlci installed beside the
model's libraries); the `language: python` hook of .pre-commit-hooks.yaml would pip-install
mlci, mlflow and dvc into a virtualenv of pre-commit's on first use (minutes, and the network),
so it is checked with `pre-commit validate-manifest` and its system twin is run instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, git, run_mlci
from tests.test_init import fresh_repo

BIN = str(Path(sys.executable).parent)


def run(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(home)}  # fmt: skip
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_the_manifest_is_valid_for_pre_commit() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.slow
def test_git_push_runs_the_gate_and_reuses_it(
    tmp_path: Path, trained: Path, migrated_db: Path
) -> None:
    repo = fresh_repo(tmp_path / "repo", trained, migrated_db)
    home = tmp_path / "pre-commit-home"
    assert run_mlci("init", "--yes", cwd=repo).code == 0
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "Add mlci", cwd=repo)
    git("init", "-q", "--bare", str(tmp_path / "remote.git"), cwd=tmp_path)
    git("remote", "add", "origin", str(tmp_path / "remote.git"), cwd=repo)
    installed = run(
        sys.executable,
        "-m",
        "pre_commit",
        "install",
        "--hook-type",
        "pre-push",
        cwd=repo,
        home=home,
    )
    assert installed.returncode == 0, installed.stderr

    first = run("git", "push", "-q", "origin", "main", cwd=repo, home=home)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "mlci gate" in first.stdout and "Passed" in first.stdout
    assert "mlci verdict: PASS" in first.stdout
    assert "its report is reused" not in first.stdout

    (repo / "README.md").write_text("docs only: the gate's inputs are unchanged\n")
    git("add", "README.md", cwd=repo)
    git("commit", "-qm", "Docs", cwd=repo)
    second = run("git", "push", "-q", "origin", "main", cwd=repo, home=home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "its report is reused (--no-cache runs the gate again)" in second.stdout

    shutil.rmtree(repo / "models" / "candidate")
    shutil.copytree(trained / "models" / "broken", repo / "models" / "candidate")
    config = repo / "mlci.yaml"  # no champion yet: a floor is what refuses the worse model
    config.write_text(
        config.read_text().replace("  metrics: {}", "  metrics: {accuracy: {min: 0.9}}")
    )
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "A worse model", cwd=repo)
    third = run("git", "push", "-q", "origin", "main", cwd=repo, home=home)
    assert third.returncode == 1, third.stdout + third.stderr
    assert "mlci verdict: FAIL" in third.stdout and "Failed" in third.stdout
    assert git("rev-parse", "main", cwd=tmp_path / "remote.git") == git(
        "rev-parse", "HEAD~1", cwd=repo
    )


def test_the_system_hook_of_the_manifest_runs_mlci(tmp_path: Path) -> None:
    """pre-commit clones a hook repository at a revision: here a git repository holding this
    repository's manifest, so the test runs what a team's `repo:` entry would."""
    hooks = tmp_path / "mlci-hooks"
    hooks.mkdir()
    git("init", "-q", cwd=hooks)
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks)
    git("add", "-A", cwd=hooks)
    git("commit", "-qm", "hooks", cwd=hooks)
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {git('rev-parse', 'HEAD', cwd=hooks)}\n"
        "    hooks:\n      - id: mlci-gate-system\n"
    )
    git("add", "-A", cwd=repo)
    done = run(sys.executable, "-m", "pre_commit", "run", "--hook-stage", "pre-push", "--all-files",
               cwd=repo, home=tmp_path / "home")  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "mlci gate" in done.stdout and "Failed" in done.stdout
    assert (
        "mlci: error: mlci.yaml: config file not found (create one, or pass --config)"
        in done.stdout
    )
