"""How the step commands talk: progress only on a terminal, colour only when wanted, --quiet."""

from __future__ import annotations

import os
import pty
import sys

import pytest

from mlci.commands._terminal import Terminal

ON_A_TERMINAL = """
from mlci.commands._terminal import Terminal
t = Terminal()
t.progress("loading")
print(t.verdict("mlci verdict: FAIL", passed=False))
"""


def on_a_terminal(code: str, env: dict[str, str]) -> str:
    """Run CODE in a child Python with stdout and stderr on a pseudo-terminal; all it printed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec, never return into pytest
        os.execve(sys.executable, [sys.executable, "-c", code], {**os.environ, **env})
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


def test_captured_output_gets_no_progress_and_no_colour(capsys: pytest.CaptureFixture[str]) -> None:
    term = Terminal()
    term.progress("loading the models")
    term.say("validate: pass")
    assert term.verdict("mlci verdict: PASS", passed=True) == "mlci verdict: PASS"
    assert capsys.readouterr() == ("", "mlci: validate: pass\n")


def test_quiet_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    term = Terminal(quiet=True)
    term.progress("loading")
    term.say("validate: pass")
    assert capsys.readouterr() == ("", "")


def test_a_terminal_sees_progress_and_a_red_failing_verdict() -> None:
    seen = on_a_terminal(ON_A_TERMINAL, {"NO_COLOR": ""})  # empty: unset, as no-color.org says
    assert seen.replace("\r\n", "\n") == "mlci: loading\n\x1b[31m\x1b[1mmlci verdict: FAIL\x1b[0m\n"


def test_no_color_keeps_a_terminal_plain() -> None:
    seen = on_a_terminal(ON_A_TERMINAL, {"NO_COLOR": "1"})
    assert seen.replace("\r\n", "\n") == "mlci: loading\nmlci verdict: FAIL\n"
