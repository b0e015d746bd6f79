"""`mlci validate` through the CLI: verdict, report path, progress on stderr (the checks: tests/data/)."""

from __future__ import annotations

import json
import re

from tests.conftest import Project


def test_validate_writes_the_report_where_asked(project: Project) -> None:
    result = project.mlci("validate", "--report-json", "v.json")
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert (lines[0], lines[1], lines[-1]) == (
        "mlci verdict: PASS",
        "  validate: pass (132 pass, 1 skip)",
        "report: v.json",
    )
    assert re.fullmatch(r"mlci: validate: pass \(133 checks, \d+\.\ds\)\n", result.err)
    report = json.loads((project.root / "v.json").read_text())
    assert [step["name"] for step in report["steps"]] == ["validate"]
    assert not (project.root / "mlci-report.json").exists()
