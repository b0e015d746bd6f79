"""`mlci rollback`: @champion back to the previous champion, or to a named version."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import config_option


@click.command(name="rollback")
@config_option
@click.option(
    "--to",
    "to",
    metavar="VERSION",
    help="Roll back to this version (or models:/NAME/VERSION) instead of the previous champion.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Allow a version that never passed a gate (recorded in the trail).",
)
def command(config_path: Path, to: str | None, force: bool) -> int:
    """Move @champion back to the previous champion."""
    from mlci.config_load import load_config
    from mlci.promotion import rollback_as_configured

    moved = rollback_as_configured(load_config(config_path), to=to, force=force)
    click.echo(moved.message)
    return 0
