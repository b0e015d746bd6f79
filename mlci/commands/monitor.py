"""`mlci monitor`: a window of inference logs against the champion's baseline; exit 0 or 1."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option


@click.command(name="monitor")
@config_option
@click.option(
    "--report-json",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mlci-monitor.json"),
    show_default=True,
    help="Where to write the GateReport JSON.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check and report, but log nothing to MLflow and move no alias (say what would move).",
)
def command(config_path: Path, report_json: Path, dry_run: bool) -> int:
    """Check production inference logs against the champion's stored baseline."""
    from mlci.config_load import load_config
    from mlci.monitor.step import run_monitor
    from mlci.report.io import write_report
    from mlci.report.render import render_terminal

    outcome = run_monitor(loaded=load_config(config_path), dry_run=dry_run)
    write_report(outcome.report, report_json)
    click.echo(render_terminal(outcome.report))
    if outcome.action:
        click.echo(outcome.action)
    click.echo(f"report: {report_json}")
    return 0 if outcome.report.passed else 1
