"""The body shared by validate, regress and gate: run steps, write the report, print, exit."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._terminal import Terminal


def run_and_report(
    *,
    config_path: Path,
    report_json: Path,
    names: tuple[str, ...],
    cache: bool = False,
    quiet: bool = False,
    as_json: bool = False,
) -> int:
    from mlci.cache import run_gate
    from mlci.config_load import load_config
    from mlci.report.io import write_report
    from mlci.report.render import render_terminal

    term = Terminal(quiet=quiet)
    loaded = load_config(config_path)
    outcome = run_gate(
        loaded=loaded,
        names=names,
        progress=term.progress,
        done=term.say,
        report_dir=report_json.resolve().parent,
        cache=cache,
    )
    report = outcome.report
    write_report(report, report_json)
    if outcome.cached:
        term.say(
            f"inputs unchanged since the run of {report.provenance.created_at}: "
            "its report is reused (--no-cache runs the gate again)"
        )
    if as_json:
        click.echo(report.dumps())
    elif quiet:
        click.echo(term.verdict(f"mlci verdict: {report.verdict.value.upper()}", report.passed))
    else:
        head, _, rest = render_terminal(report).partition("\n")
        click.echo(term.verdict(head, report.passed) + ("\n" + rest if rest else ""))
    if not (quiet or as_json):
        click.echo(f"report: {report_json}")
    return 0 if report.passed else 1
