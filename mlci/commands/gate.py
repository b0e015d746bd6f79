"""`mlci gate`: the whole gate, locally or in CI, with the same verdict and exit code."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option, report_json_option, terminal_options
from mlci.commands._steps import run_and_report


@click.command(name="gate")
@config_option
@report_json_option
@click.option(
    "--only",
    type=click.Choice(["validate", "regress"]),
    default=None,
    help="Run one step of the gate.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run even when the inputs are those of the last run (whose report is otherwise reused).",
)
@terminal_options
def command(
    *,
    config_path: Path,
    report_json: Path,
    only: str | None,
    no_cache: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    """Run validate and regress, write the report, exit 0 (pass) or 1 (fail).

    When the data, the candidate, the champion, the config and mlci are those of the last run,
    its report is reused (same verdict, same exit code) and the terminal says so.
    """
    from mlci.gate import GATE

    return run_and_report(
        config_path=config_path,
        report_json=report_json,
        names=(only,) if only else GATE,
        cache=not no_cache,
        quiet=quiet,
        as_json=as_json,
    )
