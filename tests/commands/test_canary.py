"""`mlci canary` through the CLI: what the command itself decides (the analysis: tests/test_canary.py)."""

from __future__ import annotations

from tests.conftest import Project

MISSING = "mlci: error: mlci.yaml: monitor: missing section (data, prediction, ...)\n"


def test_canary_without_a_monitor_section_is_exit_2_and_writes_no_report(project: Project) -> None:
    for args in (("canary",), ("canary", "--dry-run")):
        result = project.mlci(*args)
        assert (result.code, result.out, result.err) == (2, "", MISSING), args
    assert not (project.root / "mlci-canary.json").exists()
