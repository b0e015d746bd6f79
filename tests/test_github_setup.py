"""docs/github-setup.md: the walkthrough's shell blocks run as written, on a real stack.

Its two blocks are what a team types on a laptop: check the MLflow server, then add the DVC remote
and version the data and model. They run in a fresh scikit-learn repository after `mlci init
--yes` and `dvc init` (the page's prerequisites), against a real `mlflow server` and a local DVC
remote standing in for the page's example URLs, which are the only text replaced.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, git, run_mlci
from tests.stacks import Stack
from tests.test_init import fresh_repo

PAGE = REPO / "docs" / "github-setup.md"
BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)


def test_the_page_has_the_two_laptop_blocks() -> None:
    blocks = BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert [b.splitlines()[0] for b in blocks] == [
        "export MLFLOW_TRACKING_URI=https://mlflow.example.com",
        "dvc remote add -d storage s3://my-bucket/dvc",
    ]


@pytest.mark.slow
def test_the_walkthrough_blocks_run(tmp_path: Path, trained: Path, embedded_stack: Stack) -> None:
    repo = fresh_repo(tmp_path / "repo", trained)
    assert run_mlci("init", "--yes", cwd=repo).code == 0
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=repo, env=env, check=True)
    # the tables and the model are not in git: DVC is to track them
    git("add", "-A", "--", ".", ":!data", ":!models", cwd=repo)
    git("commit", "-q", "-m", "mlci init, dvc init", cwd=repo)
    remote = tmp_path / "dvc-remote"
    text = PAGE.read_text(encoding="utf-8")
    text = text.replace("https://mlflow.example.com", embedded_stack.tracking_uri)
    text = text.replace("s3://my-bucket/dvc", str(remote))
    env["MLFLOW_TRACKING_URI"] = embedded_stack.tracking_uri  # block 1's export, for block 2
    outputs = []
    for body in BLOCK.findall(text):
        done = subprocess.run(
            ["bash", "-eu", "-c", body], cwd=repo, env=env,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{body}\n{done.stdout}{done.stderr}"
        outputs.append(done.stdout)
    assert outputs[0].strip().endswith("no promotions recorded by mlci"), outputs[0]
    # the data and the model are in the remote, and their pointers are committed
    assert any(remote.rglob("*")), "nothing pushed to the DVC remote"
    tracked = git("ls-files", cwd=repo).split()
    assert any(p.endswith(".dvc") for p in tracked), tracked
    # nothing left over that git would show: the version report is ignored by init's lines
    assert git("status", "--porcelain", cwd=repo) == ""
