"""Two scheduled monitor runs on one breach at once, against a real `mlflow server`: one rolls back.

Ordered, not timed: the test holds the promotion lock itself until both children report (through
the `reached:` failpoint) that they have read the trail and are about to roll back, so both have
seen a trail without the rollback; only the check made again under the lock can stop the second.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.monitor.conftest import Logs, build_project

NAME = "bc-monitor-race"
REACHED = "mlci: failpoint monitor_before_rollback: reached"


def _until_reached(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:
        seen.append(line)
        if line.strip() == REACHED:
            return seen
    out = proc.stdout.read() if proc.stdout else ""
    raise AssertionError(f"the child ended before the rollback point: {out}{''.join(seen)}"[-3000:])


@pytest.mark.slow
def test_two_racing_monitor_runs_roll_back_once(
    tmp_path: Path, trained: Path, migrated_db: Path, mlflow_server: str
) -> None:
    from mlflow import MlflowClient

    project = build_project(
        tmp_path / "project", trained, migrated_db, mlflow_server, model_name=NAME
    )
    client = MlflowClient(mlflow_server, mlflow_server)
    # A third champion (the same model, other files), so that a second rollback of the same
    # breach would have somewhere to go (v3 -> v2 -> v1).
    project.use("tuned")
    (project.root / "models" / "candidate" / "NOTES.txt").write_text("a third version\n")
    for step in ("gate", "promote"):
        done = project.mlci(step)
        assert done.code == 0, done.text
    config = project.config()
    config["monitor"]["on_breach"] = "rollback"
    project.write_config(config)
    Logs(project).write(error_rate=0.2, version="3")

    lock = NAME + ".mlci-lock"
    holder = {
        "token": "test",
        "host": socket.gethostname(),
        "pid": str(os.getpid()),
        "expires_at": str(time.time() + 600),
    }
    client.create_registered_model(lock, tags=holder)
    env = {**os.environ, "MLCI_FAILPOINT": "reached:monitor_before_rollback"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mlci", "monitor", "--report-json", f"monitor-{i}.json"],
            cwd=project.root,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in (1, 2)
    ]
    try:
        early = [_until_reached(p) for p in procs]
    finally:
        client.delete_registered_model(lock)
    results = [
        Result(p.wait(timeout=300), out, "".join(seen) + err)
        for p, seen in zip(procs, early, strict=True)
        for out, err in [p.communicate()]
    ]
    assert [r.code for r in results] == [1, 1], results
    said = sorted(r.out.strip().splitlines()[-2] for r in results)
    events = [json.loads(line) for line in project.mlci("history", "--json").out.splitlines()]
    assert [(e["action"], e["version"], e["replaced_version"]) for e in events] == [
        ("rollback", "2", "3"),
        ("promote", "3", "2"),
        ("promote", "2", "1"),
        ("promote", "1", None),
    ]
    assert events[0]["cause"].startswith("mlci monitor: error_rate breached; breach ")
    assert said == [
        f"rollback: {NAME} v2 is now @champion (rolled back from v3) (error_rate breached)",
        f"rollback: not again: this breach (error_rate) already rolled {NAME} back "
        f"from v3 to v2 (event {events[0]['seq']})",
    ]
    assert str(client.get_registered_model(NAME).aliases["champion"]) == "2"


def test_the_check_under_the_lock_refuses_a_champion_moved_since_the_run_judged_it() -> None:
    """The second guard: @champion moved by someone else after this run read it."""
    from mlci.adapters.mlflow_registry import VersionInfo
    from mlci.monitor.rollback import _under_lock

    judged, now = (VersionInfo("bc", v, f"models:/bc/{v}") for v in ("2", "1"))
    unless = _under_lock(judged, "k", "error_rate")
    assert unless((), judged) is None
    assert (
        unless((), now) == "rollback: not now: @champion of bc moved to v1 since this run judged v2"
    )
