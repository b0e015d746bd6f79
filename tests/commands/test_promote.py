"""`mlci promote` through the CLI: the report it needs (the moves: tests/test_promotion.py)."""

from __future__ import annotations

from tests.conftest import Project


def test_promote_without_a_report_is_exit_2_and_registers_nothing(project: Project) -> None:
    result = project.mlci("promote")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "mlci: error: mlci-report.json: report not found (run `mlci gate` first)\n",
    )
    other = project.mlci("promote", "--canary", "--report", "elsewhere.json")
    assert (other.code, other.err) == (
        2,
        "mlci: error: elsewhere.json: report not found (run `mlci gate` first)\n",
    )
    assert project.versions() == []
