"""`mlci version`: track data and models with DVC, push them, record lineage in MLflow."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option, progress, report_json_option


@click.command(name="version")
@config_option
@report_json_option
@click.option(
    "--dry-run", is_flag=True, help="Say what would be tracked, pushed and tagged; change nothing."
)
def command(config_path: Path, report_json: Path, dry_run: bool) -> int:
    """Track data and models with DVC and record lineage."""
    from mlci.adapters.mlflow_registry import DIGEST_TAG
    from mlci.config import load_config
    from mlci.gate import registry_for, report_of
    from mlci.lineage import run_version
    from mlci.report.io import write_report
    from mlci.results import ModelRef

    loaded = load_config(config_path)
    outcome = run_version(
        loaded=loaded, registry=registry_for(loaded), dry_run=dry_run, say=progress
    )
    v = outcome.version
    ref = (
        ModelRef(name=v.name, uri=v.uri, version=v.version, digest=v.tags.get(DIGEST_TAG))
        if v
        else None
    )
    report = report_of(loaded, outcome.step, candidate=ref)
    write_report(report, report_json)
    click.echo(f"mlci version: {'DRY RUN' if dry_run else report.verdict.value.upper()}")
    for check in outcome.step.checks:
        click.echo(f"  {check.status.value:5} {check.message}")
    return 0 if report.passed else 1
