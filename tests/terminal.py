"""A child process on a pseudo-terminal, for what mlci does only when a person watches."""

from __future__ import annotations

import os
import pty
import sys
from pathlib import Path


def on_a_terminal(args: list[str], *, env: dict[str, str], cwd: Path | None = None) -> str:
    """`python ARGS` with stdout and stderr on a pseudo-terminal (ENV over ours): all it printed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec, never return into pytest
        if cwd is not None:
            os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, *args], {**os.environ, **env})
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()
