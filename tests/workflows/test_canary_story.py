"""The canary's story, end to end through examples/workflows/: promote with `canary: true`, then
the scheduled canary workflow graduating the challenger behind the Environment.

The team of test_story.py (a real `mlflow server`, a DVC remote, tests/fake_github.py) has v1
(`baseline`) promoted from a laptop. The team turns `canary: true` on in its promote caller and
merges a better candidate: the promote workflow puts v2 on @challenger, @champion stays v1.
Production answers with both (the champion's and the challenger's real models, each row logged with
the version that answered) into `logs/`; the scheduled canary caller analyses them and, healthy,
graduates v2 inside the "production" environment: @champion v2, @previous-champion v1.
"""

from __future__ import annotations

import copy
import json

import pytest

from tests.conftest import Project
from tests.fake_github import FakeGitHub
from tests.monitor.conftest import MONITOR, Logs
from tests.workflows.test_monitor_story import schedule_event
from tests.workflows.test_story import (
    MODEL,
    PR,
    Team,
    fake_github,
    git,
    push_event,
    stack,
    team,
)

__all__ = ["fake_github", "stack", "team"]  # fixtures, imported to be used here

CANARY_LINE = "      # canary: true  # put the candidate on @challenger"


def canary_on(team: Team) -> None:
    """The team's promote caller with the example's commented `canary: true` turned on."""
    caller = team.dev / ".github" / "workflows" / "mlci-promote.yml"
    text = caller.read_text()
    assert CANARY_LINE in text
    caller.write_text(text.replace("# canary: true  #", "canary: true  #"))


def production(team: Team) -> str:
    """main with logs/ written by both arms and the canary configured, pushed."""
    project = Project(root=team.dev, trained=team.trained)
    config = project.config()
    config["monitor"] = copy.deepcopy(MONITOR)
    config["canary"] = {"min_rows": 100, "consecutive": 1}
    project.write_config(config)
    logs = Logs(project)
    logs.write("champion.parquet", rows=400, model="baseline", version="1", seed=1)
    logs.write("challenger.parquet", rows=200, model="tuned", version="2", seed=2)
    git("add", "-A", cwd=team.dev)
    git("commit", "--quiet", "-m", "Production logs; canary configured", cwd=team.dev)
    return team.push("HEAD:refs/heads/main")


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("stack", ["embedded"], indirect=True)
def test_promote_canary_then_the_scheduled_canary_graduates(
    team: Team, fake_github: FakeGitHub
) -> None:
    assert team.aliases() == {"champion": "1"}
    canary_on(team)
    team.use("tuned", "Tune the model; roll it out as a canary")
    before = git("rev-parse", "main", cwd=team.dev)
    git("checkout", "--quiet", "main", cwd=team.dev)
    git("merge", "--quiet", "--no-ff", "-m", f"Merge pull request #{PR}", "better", cwd=team.dev)
    merged = team.push("HEAD:refs/heads/main")
    promoted = team.run("mlci-promote.yml", push_event(merged, before))
    assert promoted.conclusion == "success", promoted.job("mlci").log
    assert f"{MODEL} v2 is now @challenger; @champion unchanged" in promoted.job("mlci").log
    assert team.aliases() == {"champion": "1", "challenger": "2"}
    assert "mlci.promoted_at" not in team.tags("2")

    ran = team.run("mlci-canary.yml", schedule_event(production(team)))
    assert ran.conclusion == "success", ran.job("mlci").log
    assert ran.job("mlci").outputs == {"exit-code": "0"}
    assert ran.job("mlci").declared["jobs"]["canary"].declared["environment"] == "production"
    assert (
        f"graduate: {MODEL} v2 is now @champion (was v1); @challenger removed "
        "(1 healthy run(s) in a row of 1)"
    ) in ran.job("mlci").log
    assert team.aliases() == {"champion": "2", "previous-champion": "1"}
    tags = team.tags("2")
    assert (tags["mlci.last_action"], tags["mlci.replaced_version"]) == ("promote", "1")
    doc = json.loads((ran.artifacts / "mlci-canary" / "mlci-canary.json").read_text())
    assert [s["name"] for s in doc["steps"]] == ["canary"]
    assert fake_github.violations == []
