"""`mlci regress`: one step of the gate, written as a GateReport."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option, report_json_option
from mlci.commands._steps import run_and_report


@click.command(name="regress")
@config_option
@report_json_option
def command(config_path: Path, report_json: Path) -> int:
    """Test the candidate model against the registry's champion."""
    return run_and_report(config_path=config_path, report_json=report_json, names=("regress",))
