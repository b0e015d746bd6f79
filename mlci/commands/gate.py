"""`mlci gate`: the whole gate, locally or in CI, with the same verdict and exit code."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option, report_json_option
from mlci.commands._steps import run_and_report


@click.command(name="gate")
@config_option
@report_json_option
def command(config_path: Path, report_json: Path) -> int:
    """Run validate and regress, write the report, exit 0 (pass) or 1 (fail)."""
    from mlci.gate import GATE

    return run_and_report(config_path=config_path, report_json=report_json, names=GATE)
