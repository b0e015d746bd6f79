"""The body shared by validate, regress and gate: run steps, write the report, print, exit."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import progress


def run_and_report(*, config_path: Path, report_json: Path, names: tuple[str, ...]) -> int:
    from mlci.config import load_config
    from mlci.gate import run_steps
    from mlci.report.io import write_report
    from mlci.report.render import render_terminal

    loaded = load_config(config_path)
    report = run_steps(
        loaded=loaded, names=names, progress=progress, report_dir=report_json.resolve().parent
    )
    write_report(report, report_json)
    click.echo(render_terminal(report))
    click.echo(f"report: {report_json}")
    return 0 if report.passed else 1
