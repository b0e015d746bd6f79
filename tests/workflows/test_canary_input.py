"""The promote workflow's `canary` input: the Promote step passes `--canary` exactly when set.

The harness's own expression evaluator reads the step from the workflow file, so a renamed input
or a broken expression fails here (the full story runs in test_story.py).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.conftest import REPO
from tests.workflows.expressions import interpolate


def promote_step() -> dict[str, Any]:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "mlci-promote.yml").read_text())
    steps = workflow["jobs"]["promote"]["steps"]
    step: dict[str, Any] = next(s for s in steps if s.get("name") == "Promote")
    return step


@pytest.mark.parametrize(("canary", "args"), [(True, "--canary"), (False, "")])
def test_canary_input_becomes_the_promote_argument(canary: bool, args: str) -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "mlci-promote.yml").read_text())
    declared = workflow[True]["workflow_call"]["inputs"]["canary"]  # YAML reads `on:` as True
    assert (declared["type"], declared["default"]) == ("boolean", False)
    given = promote_step()["with"]["args"]
    assert interpolate(given, {"inputs": {"canary": canary}}) == args
