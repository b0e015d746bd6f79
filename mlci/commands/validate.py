"""`mlci validate`: one step of the gate, written as a GateReport."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option, report_json_option
from mlci.commands._steps import run_and_report


@click.command(name="validate")
@config_option
@report_json_option
def command(config_path: Path, report_json: Path) -> int:
    """Check data: the schema contract, integrity, and drift against the reference.

    The data is read once, as a stream of Arrow record batches; every check runs on the
    resulting profile. Exit 0 passed (warnings allowed), 1 a check failed, 2 bad input.
    """
    return run_and_report(config_path=config_path, report_json=report_json, names=("validate",))
