"""`mlci promote`: move @champion to the candidate named by a passing report."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option


@click.command(name="promote")
@config_option
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mlci-report.json"),
    show_default=True,
    help="The GateReport that must have passed for this candidate.",
)
@click.option(
    "--canary",
    is_flag=True,
    help="Move the challenger alias instead (registry.challenger_alias); @champion is untouched.",
)
def command(config_path: Path, report_path: Path, canary: bool) -> int:
    """Move @champion to the candidate, through a passing report."""
    from mlci.challenger import promote_canary_as_configured
    from mlci.config_load import load_config
    from mlci.promotion import promote_as_configured

    run = promote_canary_as_configured if canary else promote_as_configured
    moved = run(load_config(config_path), report_path)
    click.echo(moved.message)
    return 0
