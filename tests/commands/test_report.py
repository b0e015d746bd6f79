"""`mlci report` through the CLI: a missing report (delivery: tests/report/test_command.py)."""

from __future__ import annotations

from tests.conftest import Project


def test_report_of_a_missing_file_is_exit_2(project: Project) -> None:
    result = project.mlci("report", "--report", "absent.json")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "mlci: error: absent.json: report not found (run `mlci gate` first)\n",
    )
