"""DVC through its own command line, run with this interpreter (`python -m dvc`).

The CLI rather than dvc.repo.Repo: it is DVC's stable interface, it releases its locks when the
process ends, and its errors are the ones DVC users already know.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mlci.errors import InputError, ServiceError


def dvc(args: list[str], cwd: Path, *, service: bool = False) -> str:
    """Run one DVC command; a failure is a service error for push/pull, an input error otherwise."""
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"exit {done.returncode}"
        error = ServiceError if service else InputError
        raise error(f"dvc {' '.join(args)} (in {cwd}): {reason}")
    return done.stdout
