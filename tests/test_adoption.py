"""Adopting a registry: a champion set before mlci, by plain MLflow calls, as teams have it.

The first mlci move over it records it (history, @previous-champion, rollback reaches it); a
candidate with the champion's very files is a no-op that changes nothing in the registry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Project

MODEL = "breast-cancer-classifier"


def hand_registered_champion(client: Any, files: Path, name: str = MODEL) -> str:
    """What a team did before mlci: log the model's files to a run, register, set @champion."""
    experiment = client.create_experiment(f"before-mlci-{name}")
    run = client.create_run(experiment)
    client.log_artifacts(run.info.run_id, str(files), artifact_path="model")
    client.set_terminated(run.info.run_id)
    client.create_registered_model(name)
    version = client.create_model_version(
        name, source=f"{run.info.artifact_uri}/model", run_id=run.info.run_id
    )
    client.set_registered_model_alias(name, "champion", version.version)
    return str(version.version)


def aliases(client: Any, name: str) -> dict[str, str]:
    return {a: str(v) for a, v in (client.get_registered_model(name).aliases or {}).items()}


def trail(project: Project) -> list[tuple[int, str, str, str | None]]:
    result = project.mlci("history", "--json")
    assert result.code == 0, result.text
    events = [json.loads(line) for line in result.out.splitlines()]
    return [(e["seq"], e["action"], e["version"], e["replaced_version"]) for e in events]


def registry_state(client: Any, name: str) -> tuple[dict[str, str], dict[str, str], list[Any]]:
    """Aliases, model tags and version tags, less the monitoring baseline's tag: a no-op promote
    still attaches the champion's baseline when it has none (docs/monitoring.md), which moves
    nothing and registers nothing."""
    model = client.get_registered_model(name)
    versions = sorted(
        (
            (v.version, {k: x for k, x in v.tags.items() if k != "mlci.baseline_run"})
            for v in client.search_model_versions(f"name = '{name}'")
        ),
        key=lambda v: int(v[0]),
    )
    return aliases(client, name), dict(model.tags or {}), versions


def test_first_promote_adopts_a_hand_set_champion_and_rollback_reaches_it(
    project: Project,
) -> None:
    client = project.client()
    assert hand_registered_champion(client, project.trained / "models" / "baseline") == "1"
    assert project.mlci("history").out.strip() == f"{MODEL}: no promotions recorded by mlci"

    gate = project.mlci("gate")
    assert gate.code == 0, gate.text
    promoted = project.mlci("promote")
    assert (promoted.code, promoted.out.strip()) == (0, f"{MODEL} v2 is now @champion (was v1)")
    assert aliases(client, MODEL) == {"champion": "2", "previous-champion": "1"}
    assert trail(project) == [(2, "promote", "2", "1"), (1, "adopt", "1", None)]
    adopted = client.get_model_version(MODEL, "1").tags
    assert adopted["mlci.adopted_at"] and adopted["mlci.replaced_by"] == "2"
    assert "mlci.promoted_at" not in adopted  # adopted, never gated: the trail says which

    rolled = project.mlci("rollback")
    assert (rolled.code, rolled.out.strip()) == (
        0,
        f"{MODEL} v1 is now @champion (rolled back from v2)",
    )
    assert aliases(client, MODEL) == {"champion": "1"}
    assert trail(project)[0] == (3, "rollback", "1", "2")
    table = project.mlci("history").out.splitlines()
    assert [line.split()[1:3] for line in table] == [
        ["rollback", "v1"], ["promote", "v2"], ["adopt", "v1"],
    ]  # fmt: skip


def test_candidate_with_the_champions_files_is_a_noop(project: Project) -> None:
    client = project.client()
    hand_registered_champion(client, project.trained / "models" / "tuned")
    gate = project.mlci("gate")
    assert gate.code == 0, gate.text
    before = registry_state(client, MODEL)

    result = project.mlci("promote")
    assert (result.code, result.out.strip(), result.err) == (
        0,
        f"{MODEL} v1 already holds @champion with the candidate's files (same digest): nothing to do",
        "",
    )
    assert registry_state(client, MODEL) == before
    assert project.versions() == ["1"]
    assert "mlci.baseline_run" in client.get_model_version(MODEL, "1").tags
    assert project.mlci("history").out.strip() == f"{MODEL}: no promotions recorded by mlci"


def test_champion_moved_by_hand_after_mlci_is_adopted_in_the_stack(project: Project) -> None:
    project.use("baseline")
    assert project.mlci("gate").code == 0
    assert project.mlci("promote").code == 0  # v1, by mlci
    client = project.client()
    hand = client.create_model_version(
        MODEL, source=client.get_model_version(MODEL, "1").source
    )  # v2: same files, registered and made champion by hand
    client.set_registered_model_alias(MODEL, "champion", hand.version)
    project.use("tuned")
    assert project.mlci("gate").code == 0
    promoted = project.mlci("promote")
    assert (promoted.code, promoted.out.strip()) == (0, f"{MODEL} v3 is now @champion (was v2)")
    assert trail(project) == [
        (3, "promote", "3", "2"),
        (2, "adopt", "2", None),
        (1, "promote", "1", None),
    ]
    assert aliases(client, MODEL) == {"champion": "3", "previous-champion": "2"}
    assert (
        project.mlci("rollback").out.strip() == f"{MODEL} v2 is now @champion (rolled back from v3)"
    )
    assert aliases(client, MODEL) == {"champion": "2", "previous-champion": "1"}


@pytest.mark.slow
def test_adoption_over_a_real_mlflow_server(project: Project, mlflow_server: str) -> None:
    from mlflow import MlflowClient

    name = "bc-adopted-over-http"
    config = project.config()
    config["model"]["name"] = name
    config["registry"]["tracking_uri"] = mlflow_server
    project.write_config(config)
    client = MlflowClient(mlflow_server, mlflow_server)
    hand_registered_champion(client, project.trained / "models" / "baseline", name)

    assert project.mlci("gate").code == 0
    promoted = project.mlci("promote")
    assert (promoted.code, promoted.out.strip()) == (0, f"{name} v2 is now @champion (was v1)")
    assert aliases(client, name) == {"champion": "2", "previous-champion": "1"}
    rolled = project.mlci("rollback")
    assert (rolled.code, rolled.out.strip()) == (
        0,
        f"{name} v1 is now @champion (rolled back from v2)",
    )
    assert aliases(client, name) == {"champion": "1"}
    assert [line.split()[1:3] for line in project.mlci("history").out.splitlines()] == [
        ["rollback", "v1"], ["promote", "v2"], ["adopt", "v1"],
    ]  # fmt: skip

    # The same files as the (adopted) champion again: nothing registered, nothing moved.
    project.use("baseline")
    assert project.mlci("gate").code == 0
    before = registry_state(client, name)
    same = project.mlci("promote")
    assert (same.code, same.out.strip()) == (
        0,
        f"{name} v1 already holds @champion with the candidate's files (same digest): nothing to do",
    )
    assert registry_state(client, name) == before
