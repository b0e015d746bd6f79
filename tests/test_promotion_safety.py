"""Promotion under faults and concurrency: SIGKILL at every point, random kills, two racing
processes against a real `mlflow server`, a held lock, a dead server."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mlci.faults import POINTS
from mlci.locking import Holder
from tests.conftest import Project, Result, free_port, run_mlci_process

MODEL = "breast-cancer-classifier"


def champion_and_gated_candidate(project: Project) -> None:
    """v1 (baseline) holds @champion; the tuned candidate passed a gate against it."""
    project.use("baseline")
    assert project.mlci("gate").code == 0
    assert project.mlci("promote").code == 0
    project.use("tuned")
    assert project.mlci("gate").code == 0


def history(project: Project) -> list[tuple[str, str]]:
    result = project.mlci("history", "--json")
    assert result.code == 0, result.text
    return [(e["action"], e["version"]) for e in map(json.loads, reversed(result.out.splitlines()))]


def assert_consistent(project: Project) -> None:
    """The alias and the trail agree, and the champion is the old one or the new one."""
    champion = project.aliases()["champion"]
    assert champion in {"1", "2"}
    assert history(project)[-1][1] == champion


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_every_point_then_rerun_completes(project: Project, point: str) -> None:
    champion_and_gated_candidate(project)
    killed = run_mlci_process("promote", cwd=project.root, env={"MLCI_FAILPOINT": point})
    assert killed.code == -signal.SIGKILL, killed.text
    assert_consistent(project)
    expected_before = {"after_lock": "1", "after_event_pending": "1", "after_previous_alias": "1"}
    assert project.aliases()["champion"] == expected_before.get(point, "2")

    rerun = project.mlci("promote")
    assert rerun.code == 0, rerun.text
    assert rerun.out.strip() in {
        f"{MODEL} v2 is now @champion (was v1)",
        f"{MODEL} v2 already holds @champion: nothing to do",
    }
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    assert history(project) == [("promote", "1"), ("promote", "2")]
    assert project.versions() == ["1", "2"]
    assert project.client().get_model_version(MODEL, "2").tags["mlci.replaced_version"] == "1"
    assert MODEL + ".mlci-lock" not in {m.name for m in project.client().search_registered_models()}


@pytest.mark.slow
def test_random_sigkill_leaves_before_or_after(project: Project) -> None:
    champion_and_gated_candidate(project)
    rng = random.Random(20261126)
    proc = subprocess.Popen([sys.executable, "-m", "mlci", "promote"], cwd=project.root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(rng.uniform(1.0, 6.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_consistent(project)
    rerun = project.mlci("promote")
    assert rerun.code == 0, rerun.text
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    assert history(project) == [("promote", "1"), ("promote", "2")]


def test_a_held_lock_makes_promote_wait_then_exit_3(project: Project) -> None:
    champion_and_gated_candidate(project)
    config = project.config()
    config["registry"]["lock_wait_seconds"] = 1
    project.write_config(config)
    assert project.mlci("gate").code == 0  # the config changed: gate again
    # A live holder: this test process, on this host, with a lease far in the future.
    holder = {
        "token": "t",
        "host": socket.gethostname(),
        "pid": str(os.getpid()),
        "expires_at": str(time.time() + 600),
    }
    project.client().create_registered_model(MODEL + ".mlci-lock", tags=holder)
    result = project.mlci("promote")
    assert result.code == 3
    assert result.err.strip() == (
        f"mlci: error: registered model {MODEL}: another promotion holds {MODEL}.mlci-lock; gave up after 1s"
    )
    assert project.aliases() == {"champion": "1"}
    # An expired lease is broken, and the promotion goes through.
    project.client().set_registered_model_tag(
        MODEL + ".mlci-lock", "expires_at", str(time.time() - 1)
    )
    assert project.mlci("promote").code == 0
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}


@pytest.mark.slow
def test_two_racing_promotes_exactly_one_wins(
    tmp_path: Path, trained: Path, mlflow_server: str
) -> None:
    import shutil

    from tests.conftest import EXAMPLE

    def make(name: str) -> Project:
        root = tmp_path / name
        shutil.copytree(EXAMPLE, root)
        shutil.copytree(trained / "data", root / "data")
        from mlci.data.contract import dump_contract
        from mlci.data.infer import infer_contract
        from mlci.data.reader import read_table

        contract = infer_contract(read_table(root / "data" / "train.csv"), range_margin=1.0)
        (root / "mlci.schema.yaml").write_text(dump_contract(contract))
        proj = Project(root=root, trained=trained)
        config = proj.config()
        config["model"]["name"] = "raced"
        config["registry"]["tracking_uri"] = mlflow_server
        proj.write_config(config)
        return proj

    a, b = make("a"), make("b")
    a.use("baseline")
    assert a.mlci("gate").code == 0 and a.mlci("promote").code == 0
    a.use("tuned")
    b.use("tuned")
    (b.root / "models" / "candidate" / "NOTES.txt").write_text(
        "same model, other files: another candidate\n"
    )
    assert a.mlci("gate").code == 0
    assert b.mlci("gate").code == 0
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mlci", "promote"],
            cwd=p.root,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for p in (a, b)
    ]
    results = [Result(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(r.code for r in results)
    assert codes == [0, 1], results
    winner = next(r for r in results if r.code == 0)
    loser = next(r for r in results if r.code == 1)
    won_version = winner.out.strip().split()[1].lstrip("v")
    assert winner.out.strip() == f"raced v{won_version} is now @champion (was v1)"
    assert loser.err.strip() == (
        "mlci: error: refusing to promote: champion changed since the gate ran "
        f"(gate compared against v1, @champion is now v{won_version}); run the gate again"
    )
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server, mlflow_server)
    model = client.get_registered_model("raced")
    assert {k: str(v) for k, v in model.aliases.items()} == {
        "champion": won_version,
        "previous-champion": "1",
    }
    events = [json.loads(v) for k, v in sorted(model.tags.items()) if k.startswith("mlci.history.")]
    assert [(e["action"], e["version"], e["state"]) for e in events] == [
        ("promote", "1", "done"),
        ("promote", won_version, "done"),
    ]


def test_promote_with_the_registry_down_is_exit_3(project: Project) -> None:
    assert project.mlci("gate").code == 0
    # Same bytes but for the URI would change the config digest: point MLflow elsewhere by env.
    env_uri = f"http://127.0.0.1:{free_port()}"
    result = run_mlci_process("promote", cwd=project.root, env={"MLFLOW_TRACKING_URI": env_uri})
    assert result.code == 3, result.text
    assert result.err.strip().startswith(
        f"mlci: error: registered model {MODEL}: MLflow registry failed: "
    )


class Outage:
    """A TCP relay to a real mlflow server that goes down for good when a request carries
    `cut_at` (that request is dropped unsent), and comes back with `restore()`."""

    def __init__(self, upstream: str) -> None:
        self.upstream = ("127.0.0.1", int(upstream.rsplit(":", 1)[1]))
        self.cut_at: bytes | None = None
        self.down = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def restore(self) -> None:
        self.cut_at, self.down = None, False

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if self.down:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, watch: bool) -> None:
        seen = b""
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                seen = (seen + chunk)[-8192:]  # headers and body may come in separate chunks
                if watch and (self.down or (self.cut_at is not None and self.cut_at in seen)):
                    self.down = True
                    break
                sink.sendall(chunk)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


def trail(client: Any, name: str) -> list[tuple[str, str, str]]:
    tags = client.get_registered_model(name).tags
    events = [json.loads(v) for k, v in sorted(tags.items()) if k.startswith("mlci.history.")]
    return [(e["action"], e["version"], e["state"]) for e in events]


def test_an_outage_at_the_champion_move_leaves_it_unmoved_and_a_rerun_finishes(
    project: Project, mlflow_server: str
) -> None:
    from mlflow import MlflowClient

    name = "outage"
    outage = Outage(mlflow_server)
    config = project.config()
    config["model"]["name"] = name
    config["registry"]["tracking_uri"] = outage.url
    config["registry"]["lock_wait_seconds"] = 30
    project.write_config(config)
    champion_and_gated_candidate(project)
    # The registry goes away just as @champion would move to v2: the candidate is registered,
    # the pending event written and @previous-champion set before that, nothing after.
    outage.cut_at = b'"alias": "champion"'
    result = run_mlci_process("promote", cwd=project.root)
    assert outage.down
    assert result.code == 3, result.text
    # The move's own failure is said, not the lock release's that fails after it.
    assert result.err.strip().startswith(
        f"mlci: error: registered model {name}: MLflow registry failed: "
    ), result.err
    server = MlflowClient(mlflow_server, mlflow_server)
    model = server.get_registered_model(name)
    assert {k: str(v) for k, v in model.aliases.items()} == {
        "champion": "1",
        "previous-champion": "1",
    }
    assert trail(server, name) == [("promote", "1", "done"), ("promote", "2", "pending")]
    audit = {"mlci.promoted_at", "mlci.replaced_version", "mlci.replaced_by"}
    assert audit & set(server.get_model_version(name, "2").tags) == set()
    assert "mlci.replaced_by" not in server.get_model_version(name, "1").tags
    # The dead child could not release its lock; the next run breaks it (its owner is gone).
    lock = Holder.from_tags(server.get_registered_model(name + ".mlci-lock").tags)
    assert lock is not None and lock.pid != os.getpid()

    outage.restore()
    rerun = project.mlci("promote")
    assert (rerun.code, rerun.out.strip()) == (0, f"{name} v2 is now @champion (was v1)")
    model = server.get_registered_model(name)
    assert {k: str(v) for k, v in model.aliases.items()} == {
        "champion": "2",
        "previous-champion": "1",
    }
    assert trail(server, name) == [
        ("promote", "1", "done"),
        ("promote", "2", "aborted"),
        ("promote", "2", "done"),
    ]
    assert server.get_model_version(name, "2").tags["mlci.replaced_version"] == "1"
    assert name + ".mlci-lock" not in {m.name for m in server.search_registered_models()}
