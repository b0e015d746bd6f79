"""The monitor's story, end to end through examples/workflows/mlci-monitor.yml on a schedule.

The team of test_story.py (a real `mlflow server`, a DVC remote, tests/fake_github.py) has v1
then v2 promoted from a laptop, each with its baseline. Production writes inference logs (the
champion's real scikit-learn model answering evaluation rows) into the repository's `logs/`; the
scheduled caller checks them: healthy (success, no issue), a breach (the run fails, one issue
opened), a breach again with `on_breach: rollback` (the same issue updated, @champion back to
v1 once, audited), healthy again on v1 (the issue commented on and closed, nothing moves).
"""

from __future__ import annotations

import copy
import json
import shutil
from typing import Any

import pytest

from tests.conftest import Project
from tests.fake_github import FakeGitHub
from tests.monitor.conftest import MONITOR, Logs
from tests.workflows.harness import Event, WorkflowRun
from tests.workflows.test_story import (
    MODEL,
    TEAM,
    Team,
    fake_github,
    git,
    repository_payload,
    seed_champion,
    stack,
    team,
)

__all__ = ["fake_github", "stack", "team"]  # fixtures, imported to be used here


def schedule_event(sha: str) -> Event:
    # GitHub's schedule payload: the cron line and the repository, no sender.
    payload = {"schedule": "17 */6 * * *", "repository": repository_payload()}
    return Event("schedule", payload, TEAM, "refs/heads/main", sha)


def production(team: Team, on_breach: str, **logs: Any) -> str:
    """The team's main with `logs/` freshly written by production and monitor configured."""
    project = Project(root=team.dev, trained=team.trained)
    config = project.config()
    monitor = copy.deepcopy(MONITOR)
    del monitor["model_version"]  # after a rollback v1 is judged on the rows v2 answered
    config["monitor"] = {**monitor, "on_breach": on_breach}
    project.write_config(config)
    Logs(project).write(**logs)
    git("add", "-A", cwd=team.dev)
    git("commit", "--quiet", "-m", "Production logs", cwd=team.dev)
    return team.push("HEAD:refs/heads/main")


def monitored(team: Team, sha: str) -> WorkflowRun:
    return team.run("mlci-monitor.yml", schedule_event(sha))


def report(run: WorkflowRun) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (run.artifacts / "mlci-monitor" / "mlci-monitor.json").read_text()
    )
    return doc


def failed_checks(run: WorkflowRun) -> list[str]:
    [step] = [s for s in report(run)["steps"] if s["name"] == "monitor"]
    return sorted(c["id"] for c in step["checks"] if c["status"] == "fail")


@pytest.mark.slow
# The production shape is covered by the PR -> promote -> rollback story; once is enough here.
@pytest.mark.parametrize("stack", ["embedded"], indirect=True)
def test_scheduled_monitor_alerts_rolls_back_and_recovers(
    team: Team, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # v2 (tuned) promoted over v1 from a laptop, each with its baseline.
    git("checkout", "--quiet", "main", cwd=team.dev)
    shutil.rmtree(team.dev / "models" / "candidate")
    shutil.copytree(team.trained / "models" / "tuned", team.dev / "models" / "candidate")
    seed_champion(team.dev, team.stack, monkeypatch)
    assert team.aliases() == {"champion": "2", "previous-champion": "1"}

    # Healthy: the run passes, no issue.
    healthy = monitored(team, production(team, "alert", model="tuned", seed=1))
    assert healthy.conclusion == "success", healthy.job("mlci").log
    assert healthy.job("mlci").outputs == {"exit-code": "0"}
    assert report(healthy)["verdict"] in ("pass", "warn")
    assert fake_github.issues == {}

    # An error burst: the run fails after opening exactly one issue; nothing moves (alert).
    breach = monitored(team, production(team, "alert", model="tuned", error_rate=0.2, seed=2))
    assert breach.conclusion == "failure"
    assert breach.job("mlci").outputs == {"exit-code": "1"}
    assert failed_checks(breach) == ["error_rate"]
    [(number, issue)] = fake_github.issues.items()
    assert issue["state"] == "open"
    assert issue["title"] == f"mlci monitor: {MODEL} breached its checks"
    assert issue["body"].startswith(f"<!-- mlci:monitor/{MODEL} -->\n")
    first_body = issue["body"]
    assert team.aliases() == {"champion": "2", "previous-champion": "1"}

    # Breaching again, now with on_breach: rollback: the same issue updated, @champion back to
    # v1 once, audited as the monitor's doing.
    rolled = monitored(team, production(team, "rollback", model="tuned", error_rate=0.2, seed=3))
    assert rolled.conclusion == "failure"
    assert rolled.job("mlci").outputs == {"exit-code": "1"}
    assert list(fake_github.issues) == [number]
    assert fake_github.issues[number]["state"] == "open"
    assert fake_github.issues[number]["body"] != first_body
    assert team.aliases()["champion"] == "1"
    tags = team.tags("1")
    assert tags["mlci.last_action"] == "rollback"
    assert tags["mlci.replaced_version"] == "2"
    assert "rollback: " in rolled.job("mlci").log
    assert "(error_rate breached)" in rolled.job("mlci").log

    # Healthy again on v1: the issue is commented on and closed; nothing moves.
    recovered = monitored(team, production(team, "rollback", model="baseline", seed=4))
    assert recovered.conclusion == "success", recovered.job("mlci").log
    assert recovered.job("mlci").outputs == {"exit-code": "0"}
    assert fake_github.issues[number]["state"] == "closed"
    [comment] = fake_github.comments_on(number)
    assert comment["body"].startswith("Healthy again: ")
    assert list(fake_github.issues) == [number]
    assert team.aliases()["champion"] == "1"
    assert fake_github.violations == []
