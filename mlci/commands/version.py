"""`mlci version`: track data and models with DVC, push them, record lineage in MLflow."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option, progress


@click.command(name="version")
@config_option
@click.option(
    "--report-json",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mlci-version.json"),
    show_default=True,
    help="Where to write the version report (never the gate's mlci-report.json).",
)
@click.option(
    "--dry-run", is_flag=True, help="Say what would be tracked, pushed and tagged; change nothing."
)
@click.option(
    "--verify/--no-verify",
    default=None,
    help="No add or push: check that the DVC remote holds every committed pointer's objects, "
    "then record lineage. Default: --verify in CI (CI or GITHUB_ACTIONS set), --no-verify locally.",
)
def command(config_path: Path, report_json: Path, dry_run: bool, verify: bool | None) -> int:
    """Track data and models with DVC and record lineage."""
    from mlci.config_load import load_config
    from mlci.lineage import refuse_to_clobber, run_version, verify_by_default
    from mlci.provenance import step_report, version_ref
    from mlci.report.io import write_report
    from mlci.wiring import registry_for

    refuse_to_clobber(report_json)
    loaded = load_config(config_path)
    checking = verify_by_default(verify)
    outcome = run_version(
        loaded=loaded, registry=registry_for(loaded), dry_run=dry_run, verify=checking, say=progress
    )
    ref = version_ref(outcome.version) if outcome.version else None
    report = step_report(loaded, outcome.step, candidate=ref)
    write_report(report, report_json)
    label = "DRY RUN" if dry_run and not checking else report.verdict.value.upper()
    click.echo(f"mlci version{' --verify' if checking else ''}: {label}")
    for check in outcome.step.checks:
        click.echo(f"  {check.status.value:5} {check.message}")
    return 0 if report.passed else 1
