"""How the step commands talk: progress only on a terminal, colour only when wanted, --quiet."""

from __future__ import annotations

import pytest

from mlci.commands._terminal import Terminal
from tests.terminal import on_a_terminal

ON_A_TERMINAL = """
from mlci.commands._terminal import Terminal
t = Terminal()
t.progress("loading")
print(t.verdict("mlci verdict: FAIL", passed=False))
"""


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
    seen = on_a_terminal(
        ["-c", ON_A_TERMINAL], env={"NO_COLOR": ""}
    )  # empty: unset, as no-color.org says
    assert seen.replace("\r\n", "\n") == "mlci: loading\n\x1b[31m\x1b[1mmlci verdict: FAIL\x1b[0m\n"


def test_no_color_keeps_a_terminal_plain() -> None:
    seen = on_a_terminal(["-c", ON_A_TERMINAL], env={"NO_COLOR": "1"})
    assert seen.replace("\r\n", "\n") == "mlci: loading\nmlci verdict: FAIL\n"
