"""mlci/provenance.py: a report's provenance and a step run outside the gate."""

from __future__ import annotations

from mlci.config_load import load_config
from mlci.gate import run_steps
from mlci.provenance import step_report
from tests.conftest import Project


def test_step_report_wraps_one_step(project: Project) -> None:
    loaded = load_config(project.config_path)
    first = run_steps(loaded=loaded, names=("validate",), progress=lambda _: None)
    alone = step_report(loaded, first.steps[0])
    assert alone.steps == first.steps
    assert alone.provenance.git_sha is None  # not a git repository
    assert alone.provenance.data == {}
