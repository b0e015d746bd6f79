"""`mlci gate` through the CLI: --only, --quiet, --report-json (the steps: tests/test_gate.py)."""

from __future__ import annotations

import json

from tests.conftest import Project


def test_gate_only_validate_quiet_writes_a_one_step_report(project: Project) -> None:
    result = project.mlci("gate", "--only", "validate", "--quiet", "--report-json", "g.json")
    assert (result.code, result.out, result.err) == (0, "mlci verdict: PASS\n", "")
    report = json.loads((project.root / "g.json").read_text())
    assert [step["name"] for step in report["steps"]] == ["validate"]
    assert not (project.root / "mlci-report.json").exists()


def test_gate_only_an_unknown_step_is_a_usage_error(project: Project) -> None:
    result = project.mlci("gate", "--only", "deploy")
    assert result.code == 2
    assert result.err == (
        "mlci: error: Invalid value for '--only': 'deploy' is not one of 'validate', 'regress' "
        "(see `mlci gate --help`)\n"
    )
