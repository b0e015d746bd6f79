"""`mlci promote --canary` to `mlci canary`, end to end on a real `mlflow server`, through the CLI.

v1 (`baseline`) is gated and promoted, v2 (`tuned`) gated and put on @challenger. A service runs
the serving code docs/promotion.md shows (both aliases loaded with mlflow.pyfunc from the server)
and answers evaluation rows, half of them by the challenger, into `logs/`. The first rollout of v2
is broken (its deployment fails one request in four, which the service logs as errors): the canary
aborts it. The team archives that rollout's logs, puts v2 on @challenger again, and two healthy
runs graduate it.
"""

from __future__ import annotations

import json
import random
import shutil
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import Project
from tests.test_challenger import serving_code

DOCS_NAME = 'NAME = "breast-cancer-classifier"'


def story_project(project: Project, server: str) -> tuple[Project, str]:
    # The session's server is shared by other tests: a model name of this test's own.
    name = f"canary-{uuid.uuid4().hex[:8]}"
    config = project.config()
    config["registry"]["tracking_uri"] = server
    config["model"]["name"] = name
    config["model"]["bootstrap"] = {"resamples": 200}
    # Written before the gates: promote checks the config is the one the gate ran with.
    config["monitor"] = {
        "data": "logs",
        "timestamp": "timestamp",
        "window": "24h",
        "label": "label",
        "model_version": "model_version",
        "latency": {"column": "latency_ms"},
        "errors": {"column": "error", "max_rate": 0.05},
    }
    # Latency here is measured on a shared 2-core machine: noise, not the story (tests/test_canary.py
    # compares simulated latencies), so its comparison is made too loose to decide anything.
    config["canary"] = {"min_rows": 80, "consecutive": 2, "max_latency_increase": 100}
    project.write_config(config)
    return project, name


def gate(project: Project, kind: str) -> None:
    project.use(kind)
    gated = project.mlci("gate")
    assert gated.code == 0, gated.text


def aliases(server: str, name: str) -> dict[str, str]:
    from mlflow import MlflowClient

    model = MlflowClient(server, server).get_registered_model(name)
    return {alias: str(version) for alias, version in model.aliases.items()}


def trail(project: Project) -> list[tuple[str, str, str | None, str]]:
    shown = project.mlci("history", "--json")
    assert shown.code == 0, shown.text
    events = [json.loads(line) for line in reversed(shown.out.splitlines())]
    return [(e["action"], e["version"], e.get("alias"), e["state"]) for e in events]


def serve(project: Project, server: str, name: str, batch: int, *, failing: float = 0.0) -> Path:
    """The documented service answering 240 requests, half to the challenger, into logs/."""
    code = serving_code()
    assert DOCS_NAME in code
    service: dict[str, Any] = {}
    exec(code.replace(DOCS_NAME, f'NAME = "{name}"'), service)  # the docs' code, our model name
    service["SHARE"] = 0.5
    challenger = service["arms"][1][0]
    pool = pd.read_csv(project.root / "data" / "eval.csv")
    rows = pool.sample(n=240, replace=True, random_state=batch).reset_index(drop=True)
    labels = rows.pop("target")
    random.seed(batch)
    faults = random.Random(1000 + batch)
    logged = []
    for i in range(len(rows)):
        row = service["answer"](rows.iloc[[i]])
        # A broken deployment: the service times out on a share of the challenger's requests.
        row["error"] = row["model_version"] == challenger and faults.random() < failing
        row["label"] = labels[i]  # the outcome, joined back later as production would
        logged.append(row)
    folder = project.root / "logs"
    folder.mkdir(exist_ok=True)
    path = folder / f"batch-{batch}.parquet"
    pd.DataFrame(logged).to_parquet(path, index=False)
    return path


def canary(project: Project) -> tuple[int, str]:
    result = project.mlci("canary")
    assert result.code in (0, 1), result.text
    return result.code, result.out.strip().splitlines()[-2]


@pytest.mark.slow
# Three gates and a few hundred served requests against a server: minutes on a loaded machine.
@pytest.mark.timeout(1800)
def test_a_canary_from_promote_to_graduation_on_a_real_server(
    project: Project, mlflow_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, name = story_project(project, mlflow_server)
    gate(project, "baseline")
    assert project.mlci("promote").code == 0
    gate(project, "tuned")
    put = project.mlci("promote", "--canary")
    assert (put.code, put.out.strip()) == (0, f"{name} v2 is now @challenger; @champion unchanged")
    assert aliases(mlflow_server, name) == {"champion": "1", "challenger": "2"}
    assert trail(project) == [("promote", "1", None, "done"), ("canary", "2", "challenger", "done")]

    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)

    # The broken rollout: aborted on its first run, @champion untouched.
    serve(project, mlflow_server, name, 1, failing=0.25)
    code, said = canary(project)
    assert (code, said) == (
        1,
        f"abort: @challenger removed from {name} v2; @champion unchanged (1 failed run(s) of "
        "failure_limit 1: canary_error_rate, challenger_error_rate)",
    )
    assert aliases(mlflow_server, name) == {"champion": "1"}
    assert trail(project)[-1] == ("canary-abort", "2", "challenger", "done")

    # Its logs archived, v2 on @challenger again (the same gate report), served healthy.
    shutil.move(project.root / "logs", project.root / "archived-logs")
    again = project.mlci("promote", "--canary")
    assert (again.code, again.out.strip()) == (
        0, f"{name} v2 is now @challenger; @champion unchanged",
    )  # fmt: skip
    serve(project, mlflow_server, name, 2)
    assert canary(project) == (
        0, "continue: healthy run 1 of 2: 1 more healthy run(s) to graduate",
    )  # fmt: skip
    report = json.loads((project.root / "mlci-canary.json").read_text())
    checks = {c["id"]: c["status"] for c in report["steps"][0]["checks"]}
    assert checks["canary_metric"] in ("pass", "warn")
    assert checks["canary_error_rate"] == "pass"
    serve(project, mlflow_server, name, 3)
    assert canary(project) == (
        0,
        f"graduate: {name} v2 is now @champion (was v1); @challenger removed "
        "(2 healthy run(s) in a row of 2)",
    )
    assert aliases(mlflow_server, name) == {"champion": "2", "previous-champion": "1"}
    assert trail(project)[-2:] == [
        ("canary", "2", "challenger", "done"),
        ("promote", "2", None, "done"),
    ]
    stats = project.mlci("history", "--stats", "--json")
    assert stats.code == 0, stats.text
    figures = json.loads(stats.out)
    assert (figures["canaries"], figures["graduated"], figures["aborted"]) == (2, 1, 1)
