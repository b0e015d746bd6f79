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
def command(config_path: Path, report_path: Path) -> int:
    """Move @champion to the candidate, through a passing report."""
    from mlci.config import load_config
    from mlci.gate import now_iso, registry_for
    from mlci.promotion import PromoteRequest, promote
    from mlci.report.io import load_report

    loaded = load_config(config_path)
    model = loaded.require_model()
    report, digest = load_report(report_path)
    request = PromoteRequest(
        report=report,
        report_digest=digest,
        candidate_uri=model.candidate,
        model_name=model.name,
        config_digest=loaded.digest,
        alias=loaded.config.registry.champion_alias,
        at=now_iso(),
        lock_wait_seconds=loaded.config.registry.lock_wait_seconds,
    )
    moved = promote(registry=registry_for(loaded), request=request)
    click.echo(moved.message)
    return 0
