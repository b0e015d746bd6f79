"""Failpoints: inert unless MLCI_FAILPOINT names the point; raise, reached and kill do as named."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from mlci.faults import InjectedFault, failpoint


def test_a_failpoint_is_inert_without_the_variable_or_for_another_point(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MLCI_FAILPOINT", raising=False)
    failpoint("after_lock")
    monkeypatch.setenv("MLCI_FAILPOINT", "raise:before_unlock")
    failpoint("after_lock")
    assert capsys.readouterr().err == ""


def test_raise_and_reached_at_the_named_point(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MLCI_FAILPOINT", "raise:after_lock")
    with pytest.raises(InjectedFault, match=r"^failpoint after_lock$"):
        failpoint("after_lock")
    monkeypatch.setenv("MLCI_FAILPOINT", "reached:after_lock")
    failpoint("after_lock")
    assert capsys.readouterr().err == "mlci: failpoint after_lock: reached\n"


def test_the_bare_point_kills_the_process() -> None:
    # SIGKILL cannot be caught: only a child process can show it.
    code = "from mlci.faults import failpoint; failpoint('after_lock'); print('survived')"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"MLCI_FAILPOINT": "after_lock", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (-signal.SIGKILL, "")
