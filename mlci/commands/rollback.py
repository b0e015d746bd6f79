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
    from mlci.config import load_config
    from mlci.gate import now_iso, registry_for
    from mlci.promotion import rollback

    loaded = load_config(config_path)
    model = loaded.require_model()
    moved = rollback(
        registry=registry_for(loaded),
        name=model.name,
        alias=loaded.config.registry.champion_alias,
        to=to,
        force=force,
        at=now_iso(),
        lock_wait_seconds=loaded.config.registry.lock_wait_seconds,
    )
    click.echo(moved.message)
    return 0
