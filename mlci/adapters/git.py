"""The little mlci asks of git: the commit being tested, and whether files are committed."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from mlci.errors import InputError


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def head_sha(cwd: Path) -> str | None:
    """HEAD's commit, or None outside a repository (or without git): provenance, not a gate."""
    try:
        out = _git(["rev-parse", "HEAD"], cwd)
    except OSError:
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def toplevel(cwd: Path) -> Path:
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except OSError:
        raise InputError("git is not installed (mlci version records the commit)") from None
    if out.returncode != 0:
        raise InputError(f"{cwd}: not a git repository (mlci version records the commit)")
    return Path(out.stdout.strip()).resolve()


def uncommitted(root: Path, paths: Sequence[Path]) -> list[str]:
    """Those of paths that are modified, staged or untracked, relative to root."""
    if not paths:
        return []
    out = _git(["status", "--porcelain", "--untracked-files=all", "--", *map(str, paths)], root)
    return sorted(line[3:] for line in out.stdout.splitlines() if line.strip())


def commit_time(cwd: Path, sha: str) -> datetime | None:
    """When sha was committed, or None when it is not in this repository (or there is none)."""
    try:
        out = _git(["show", "-s", "--format=%cI", f"{sha}^{{commit}}", "--"], cwd)
    except OSError:
        return None
    text = out.stdout.strip()
    return datetime.fromisoformat(text) if out.returncode == 0 and text else None
