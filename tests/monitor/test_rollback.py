"""on_breach: rollback, against a real `mlflow server`: @champion moves back once, audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Project
from tests.monitor.conftest import MODEL, Logs, build_project


def _rollback_config(project: Project, name: str | None = None) -> None:
    config = project.config()
    config["monitor"]["on_breach"] = "rollback"
    if name is not None:
        config["model"]["name"] = name
    project.write_config(config)


@pytest.mark.slow
def test_a_breach_rolls_the_champion_back_once_over_http(
    tmp_path: Path, trained: Path, migrated_db: Path, mlflow_server: str
) -> None:
    from mlflow import MlflowClient

    name = "bc-monitor-http"
    project = build_project(
        tmp_path / "project", trained, migrated_db, mlflow_server, model_name=name
    )
    rolls_back_once(project, name, MlflowClient(mlflow_server, mlflow_server))


def test_a_breach_rolls_the_champion_back_once_in_sqlite(promoted: Project) -> None:
    rolls_back_once(promoted, MODEL, promoted.client())


def rolls_back_once(project: Project, name: str, client: Any) -> None:
    """A breach rolls v2 back to v1, audited; the same breach seen again moves nothing."""
    _rollback_config(project)
    Logs(project).write(error_rate=0.2)

    dry = project.mlci("monitor", "--dry-run")
    assert dry.code == 1, dry.text
    assert dry.out.strip().splitlines()[-2] == (
        f"rollback (dry run): would move @champion of {name} from v2 back to v1 (error_rate)"
    )
    assert str(client.get_registered_model(name).aliases["champion"]) == "2"

    first = project.mlci("monitor")
    assert first.code == 1, first.text
    assert first.out.strip().splitlines()[-2] == (
        f"rollback: {name} v1 is now @champion (rolled back from v2) (error_rate breached)"
    )
    assert {a: str(v) for a, v in client.get_registered_model(name).aliases.items()} == {
        "champion": "1"
    }
    events = [json.loads(line) for line in project.mlci("history", "--json").out.splitlines()]
    assert [(e["action"], e["version"], e["replaced_version"]) for e in events] == [
        ("rollback", "1", "2"),
        ("promote", "2", "1"),
        ("promote", "1", None),
    ]
    assert events[0]["cause"].startswith("mlci monitor: error_rate breached; breach ")

    # The same logs again: the same breach, acted on already; nothing moves.
    config = project.config()
    del config["monitor"]["model_version"]  # so v1 is judged on the same rows
    project.write_config(config)
    second = project.mlci("monitor")
    assert second.code == 1, second.text
    assert second.out.strip().splitlines()[-2] == (
        f"rollback: not again: this breach (error_rate) already rolled {name} back "
        f"from v2 to v1 (event {events[0]['seq']})"
    )
    assert str(client.get_registered_model(name).aliases["champion"]) == "1"
    assert len(project.mlci("history", "--json").out.splitlines()) == 3


def test_alert_only_by_default_and_never_past_the_first_champion(
    promoted: Project, logs: Logs
) -> None:
    logs.write(error_rate=0.2)
    alert = promoted.mlci("monitor")
    assert alert.code == 1
    assert "rollback" not in alert.out
    assert promoted.aliases()["champion"] == "2"

    _rollback_config(promoted)
    assert promoted.mlci("rollback").code == 0  # by hand: v1, the first champion, holds it now
    logs.write(error_rate=0.2, version="1", seed=1)
    again = promoted.mlci("monitor")
    assert again.code == 1
    assert again.out.strip().splitlines()[-2] == (
        "rollback: not possible: v1 is the first champion of breast-cancer-classifier"
    )
    assert promoted.aliases() == {"champion": "1"}


def test_a_breach_of_a_check_not_marked_rollback_worthy_only_alerts(
    promoted: Project, logs: Logs
) -> None:
    _rollback_config(promoted)
    config = promoted.config()
    config["monitor"]["rollback_on"] = ["latency_p95"]
    promoted.write_config(config)
    logs.write(error_rate=0.2)
    result = promoted.mlci("monitor")
    assert result.code == 1
    assert "rollback" not in result.out
    assert promoted.aliases()["champion"] == "2"
