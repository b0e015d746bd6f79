"""The canary workflow's inputs reach `mlci canary`: `dry-run` becomes `--dry-run` exactly when set,
and the job runs inside the caller's Environment, in the promote workflow's concurrency group.

Read through the harness's own expression evaluator, so a renamed input or a broken expression
fails here. (The workflow is not yet run end to end in test_story.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.conftest import REPO
from tests.workflows.expressions import interpolate


def workflow(name: str) -> dict[Any, Any]:
    doc: dict[Any, Any] = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
    return doc


@pytest.mark.parametrize(("dry_run", "flag"), [(True, "--dry-run"), (False, "")])
def test_dry_run_input_becomes_the_flag(dry_run: bool, flag: str) -> None:
    doc = workflow("mlci-canary.yml")
    declared = doc[True]["workflow_call"]["inputs"]["dry-run"]  # YAML reads `on:` as True
    assert (declared["type"], declared["default"]) == ("boolean", False)
    step = next(s for s in doc["jobs"]["canary"]["steps"] if s.get("id") == "canary")
    assert interpolate(step["env"]["DRY_RUN"], {"inputs": {"dry-run": dry_run}}) == flag
    assert "--report-json mlci-canary.json $DRY_RUN" in step["run"]


def test_the_job_runs_in_the_environment_and_queues_with_promotions() -> None:
    job = workflow("mlci-canary.yml")["jobs"]["canary"]
    promote = workflow("mlci-promote.yml")["jobs"]["promote"]
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["concurrency"] == promote["concurrency"]
    assert job["permissions"] == {"contents": "read"}
