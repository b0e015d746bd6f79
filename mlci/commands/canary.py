"""`mlci canary`: the challenger's logs against the champion's; graduate, abort or continue."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option


@click.command(name="canary")
@config_option
@click.option(
    "--report-json",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mlci-canary.json"),
    show_default=True,
    help="Where to write the GateReport JSON.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Analyse and report, but write no counter and move no alias (say what would happen).",
)
def command(config_path: Path, report_json: Path, dry_run: bool) -> int:
    """Analyse the challenger against the champion on the logs: graduate, abort or continue."""
    from mlci.canary import Decision, run_canary
    from mlci.config_load import load_config
    from mlci.report.io import write_report
    from mlci.report.render import render_terminal

    outcome = run_canary(loaded=load_config(config_path), dry_run=dry_run)
    write_report(outcome.report, report_json)
    click.echo(render_terminal(outcome.report))
    click.echo(outcome.message)
    click.echo(f"report: {report_json}")
    return 1 if outcome.decision is Decision.ABORT else 0
