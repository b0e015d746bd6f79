"""The handler's own outcomes, in child processes: a bug is exit 70 with a crash file (never 3,
which CI jobs retry), Ctrl-C mid-run is exit 130 and leaves the registry as it was."""

from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from mlci import __version__
from mlci.errors import ExitCode
from tests.conftest import Project, run_mlci_process

MODEL = "breast-cancer-classifier"
BUG = [
    "mlci: internal error: InjectedFault: failpoint command_start",
    "mlci: this is a bug in mlci or a library it uses; "
    "details in {path} (please attach it to a bug report)",
]


def test_internal_error_is_exit_70_with_a_crash_file(tmp_path: Path) -> None:
    result = run_mlci_process(
        "validate", "--config", "nowhere.yaml", cwd=tmp_path,
        env={"MLCI_FAILPOINT": "raise:command_start", "MLCI_CRASH_DIR": ""},
    )  # fmt: skip
    crash = tmp_path / "mlci-crash.log"
    assert (result.code, result.err.splitlines()) == (
        ExitCode.INTERNAL,
        [BUG[0], BUG[1].format(path=crash)],
    )
    assert int(ExitCode.INTERNAL) == 70
    text = crash.read_text()
    assert text.startswith("### command\n\nmlci validate --config nowhere.yaml\n\n### versions\n\n")
    assert f"mlci: {__version__}\n" in text
    assert f"python: {sys.version.splitlines()[0]}" in text
    assert f"platform: {platform.platform()}\n" in text
    for name in ("mlflow", "dvc", "pandas", "pyarrow", "scikit-learn"):
        assert f"{name}: {metadata.version(name)}\n" in text
    assert "Traceback (most recent call last):" in text
    assert text.rstrip().endswith("mlci.faults.InjectedFault: failpoint command_start")


def test_crash_dir_is_honoured_and_an_unwritable_one_is_said(tmp_path: Path) -> None:
    crash_dir = tmp_path / "crashes" / "ci"
    result = run_mlci_process(
        "history", cwd=tmp_path,
        env={"MLCI_FAILPOINT": "raise:command_start", "MLCI_CRASH_DIR": str(crash_dir)},
    )  # fmt: skip
    assert result.code == 70
    assert result.err.splitlines()[1] == BUG[1].format(path=crash_dir / "mlci-crash.log")
    assert "### traceback" in (crash_dir / "mlci-crash.log").read_text()

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_mlci_process(
        "history", cwd=tmp_path,
        env={"MLCI_FAILPOINT": "raise:command_start", "MLCI_CRASH_DIR": str(blocker)},
    )  # fmt: skip
    assert (result.code, result.err.splitlines()) == (
        70,
        [
            BUG[0],
            "mlci: this is a bug in mlci or a library it uses; no crash file "
            f"({blocker}/mlci-crash.log: File exists); rerun with --debug",
        ],
    )


def test_debug_prints_the_traceback_and_keeps_exit_70(tmp_path: Path) -> None:
    result = run_mlci_process(
        "--debug", "history", cwd=tmp_path, env={"MLCI_FAILPOINT": "raise:command_start"}
    )
    assert result.code == 70
    assert "Traceback (most recent call last):" in result.err
    assert result.err.splitlines()[-2] == BUG[0]


def test_sigint_mid_promote_is_exit_130_and_nothing_moves(project: Project) -> None:
    project.use("baseline")
    assert project.mlci("gate").code == 0
    assert project.mlci("promote").code == 0
    project.use("tuned")
    assert project.mlci("gate").code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlci", "promote"],
        cwd=project.root,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MLCI_FAILPOINT": "pause:after_event_pending"},
    )
    assert proc.stderr is not None
    paused = proc.stderr.readline()  # the candidate is registered, the lock held, the event pending
    assert paused == "mlci: failpoint after_event_pending: paused\n"
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    # click ends the ^C line with a newline of its own before mlci's one line
    assert (proc.wait(timeout=60), rest) == (130, "\nmlci: interrupted\n")
    assert project.aliases() == {"champion": "1"}
    lock = MODEL + ".mlci-lock"
    assert lock not in {m.name for m in project.client().search_registered_models()}
    # The interrupted move is aborted by the next run, which then completes it.
    again = project.mlci("promote")
    assert (again.code, again.out.strip()) == (0, f"{MODEL} v2 is now @champion (was v1)")
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}


def test_sigint_while_waiting_for_the_lock_is_exit_130_and_the_holders_lock_stays(
    project: Project,
) -> None:
    assert project.mlci("gate").code == 0  # a first model: promote registers it, then locks
    lock = MODEL + ".mlci-lock"
    # A live holder: this process, on this host, with a lease far in the future.
    theirs = {"token": "theirs", "host": socket.gethostname(), "pid": str(os.getpid()),
              "expires_at": str(time.time() + 600)}  # fmt: skip
    project.client().create_registered_model(lock, tags=theirs)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlci", "promote"], cwd=project.root, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    # No failpoint: the child really waits (lock_wait_seconds is 120) once v1 is registered.
    while project.versions() != ["1"]:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.strip()) == (130, "mlci: interrupted")
    assert project.aliases() == {}
    assert project.client().get_registered_model(lock).tags == theirs  # not broken, not taken
    assert project.client().get_registered_model(MODEL).tags == {}  # no trail event begun


def test_debug_still_writes_the_crash_file_and_mlci_debug_is_the_same(tmp_path: Path) -> None:
    crash = tmp_path / "crashes" / "mlci-crash.log"
    env = {"MLCI_FAILPOINT": "raise:command_start", "MLCI_CRASH_DIR": str(crash.parent)}
    flag = run_mlci_process("--debug", "history", cwd=tmp_path, env=env)
    variable = run_mlci_process("history", cwd=tmp_path, env={**env, "MLCI_DEBUG": "1"})
    for result in (flag, variable):
        assert result.code == 70
        lines = result.err.splitlines()
        assert lines[0] == "Traceback (most recent call last):"
        assert lines[-2:] == [BUG[0], BUG[1].format(path=crash)]
    assert crash.read_text().rstrip().endswith("mlci.faults.InjectedFault: failpoint command_start")
