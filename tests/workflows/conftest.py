"""Small real git repositories for the harness: files in, a bare repository and a commit out."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.workflows.harness import Event, World

Publish = Callable[[str, Mapping[str, str]], str]


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def publish(world: World, name: str, files: Mapping[str, str], *, tag: str | None = None) -> str:
    """Commit `files` to `name`'s main branch in the World (creating it), return the commit."""
    bare = world.root / "origin" / f"{name}.git"
    work = world.root / "clones" / name
    if name not in world.repositories:
        bare.mkdir(parents=True)
        git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=world.root)
        work.parent.mkdir(parents=True, exist_ok=True)
        git("clone", "--quiet", str(bare), str(work), cwd=world.root)
        git("checkout", "--quiet", "-B", "main", cwd=work)
        world.repositories[name] = bare
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", f"{len(files)} file(s)", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    if tag:
        git("tag", "-f", tag, cwd=work)
        git("push", "--quiet", "-f", "origin", tag, cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def push_event(repository: str, sha: str, ref: str = "refs/heads/main") -> Event:
    payload = {
        "ref": ref,
        "after": sha,
        "repository": {"full_name": repository, "default_branch": "main"},
    }
    return Event("push", payload, repository, ref, sha)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(root=tmp_path / "world", repositories={})
