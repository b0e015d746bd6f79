"""`mlci monitor` through the CLI: a config without its section (the step: tests/monitor/)."""

from __future__ import annotations

from tests.conftest import Project


def test_monitor_without_a_monitor_section_is_exit_2_and_writes_no_report(project: Project) -> None:
    result = project.mlci("monitor", "--dry-run")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "mlci: error: mlci.yaml: monitor: missing section (data, prediction, ...)\n",
    )
    assert not (project.root / "mlci-monitor.json").exists()
