"""The documented shell commands run, so the newcomer's pages cannot rot.

Every ```bash block of these pages is marked: `<!-- mlci:test -->` blocks run, in page order, in
one fresh scikit-learn repository (the story of getting-started, then troubleshooting, then the
README's tour), each with `bash -eu` and exit 0 asserted; `<!-- mlci:skip REASON -->` blocks need
what a test has not (GitHub, a new machine) and say so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_init import fresh_repo

# in the order a newcomer reads them (the tour's `mlci promote` needs the first gate's report)
# docs/github-setup.md's blocks need a server and a remote: tests/test_github_setup.py runs them.
PAGES = ("docs/getting-started.md", "docs/troubleshooting.md", "README.md",
         "docs/commands.md", "docs/configuration.md", "docs/development.md")  # fmt: skip
BLOCK = re.compile(r"(?:<!-- mlci:(test|skip)([^>]*)-->\n)?```bash\n(.*?)```", re.DOTALL)


def blocks(page: str) -> list[tuple[str | None, str, str]]:
    """(marker, reason, body) of every bash block of PAGE."""
    text = (REPO / page).read_text(encoding="utf-8")
    return [(m[1], m[2].strip(), m[3]) for m in BLOCK.finditer(text)]


@pytest.mark.parametrize("page", PAGES)
def test_every_block_is_marked(page: str) -> None:
    unmarked = [body.splitlines()[0] for marker, _, body in blocks(page) if marker is None]
    assert unmarked == []
    assert all(reason for marker, reason, _ in blocks(page) if marker == "skip")


@pytest.mark.slow
def test_the_documented_commands_run(tmp_path: Path, trained: Path, migrated_db: Path) -> None:
    repo = fresh_repo(tmp_path / "repo", trained, migrated_db)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}  # fmt: skip
    ran = []
    for page in PAGES:
        for marker, _, body in blocks(page):
            if marker != "test":
                continue
            done = subprocess.run(
                ["bash", "-eu", "-c", body], cwd=repo, env=env,
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert done.returncode == 0, f"{page}:\n{body}\n{done.stdout}{done.stderr}"
            ran.append(page)
    assert ran == ["docs/getting-started.md"] * 3 + ["docs/troubleshooting.md", "README.md"]
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True
    )
    assert log.stdout == "Add mlci\n"


def test_every_page_with_shell_blocks_is_run_by_a_test() -> None:
    """A new page with ```bash blocks must join PAGES (or have its own test, as github-setup)."""
    pages = {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")} | {"README.md"}
    with_blocks = {p for p in pages if "```bash" in (REPO / p).read_text(encoding="utf-8")}
    assert with_blocks - set(PAGES) == {"docs/github-setup.md"}
