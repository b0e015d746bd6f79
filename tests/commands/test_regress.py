"""`mlci regress` through the CLI: the first model, without a champion (the step: tests/model/)."""

from __future__ import annotations

import json

from tests.conftest import Project


def test_regress_of_a_first_model_passes_on_floors_and_writes_the_report(project: Project) -> None:
    result = project.mlci("regress")
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert lines[:3] == [
        "mlci verdict: PASS",
        "  regress: pass (6 pass)",
        "    note: no champion yet: first model (floors apply, change rules skipped)",
    ]
    assert lines[-1] == "report: mlci-report.json"
    report = json.loads((project.root / "mlci-report.json").read_text())
    assert [step["name"] for step in report["steps"]] == ["regress"]
    assert project.versions() == []  # regress evaluates; only promote registers
