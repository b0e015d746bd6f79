"""mlci/gate.py: the steps in order, what they say while running, the report's provenance, and
the registry a config names."""

from __future__ import annotations

import re

from mlci.config_load import load_config
from mlci.gate import GATE, STEPS, run_steps
from mlci.results import Status
from tests.conftest import Project, git


def test_the_gate_is_validate_then_regress() -> None:
    assert GATE == ("validate", "regress")
    assert set(STEPS) == set(GATE)


def test_run_steps_says_each_step_and_records_provenance(project: Project) -> None:
    git("init", "-q", "-b", "main", cwd=project.root)
    git("add", "mlci.yaml", cwd=project.root)
    git("commit", "-q", "-m", "config", cwd=project.root)
    loaded = load_config(project.config_path)
    said: list[str] = []
    done: list[str] = []
    report = run_steps(loaded=loaded, names=("validate",), progress=said.append, done=done.append)
    assert said == ["validate: running"]
    assert len(done) == 1
    assert re.fullmatch(r"validate: pass \(\d+ checks, \d+\.\ds\)", done[0]), done
    assert [s.name for s in report.steps] == ["validate"]
    assert report.steps[0].status is Status.PASS
    provenance = report.provenance
    assert provenance.git_sha == git("rev-parse", "HEAD", cwd=project.root)
    assert provenance.config_digest == loaded.digest
    assert (provenance.candidate, provenance.champion) == (None, None)  # validate names no model
    assert set(provenance.data) == {"data", "reference"}  # the validated files' digests
    assert provenance.data["data"] != provenance.data["reference"]
