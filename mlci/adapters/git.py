"""The little mlci asks of git: the commit being tested."""

from __future__ import annotations

import subprocess
from pathlib import Path


def head_sha(cwd: Path) -> str | None:
    """HEAD's commit, or None outside a repository (or without git): provenance, not a gate."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
