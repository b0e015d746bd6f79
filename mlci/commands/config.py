"""`mlci config schema` and `mlci config check`: the config's JSON Schema, and a check of a
config and the files it points to, without running anything."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mlci.commands._options import config_option


@click.group(name="config")
def command() -> None:
    """Print the JSON Schema of mlci.yaml, or check a config and its files."""


@command.command(name="schema")
def schema() -> int:
    """Print the JSON Schema of mlci.yaml (for editors: yaml-language-server, VS Code)."""
    from mlci.checkup import config_schema

    click.echo(json.dumps(config_schema(), indent=2, sort_keys=True))
    return 0


@command.command(name="check")
@config_option
def check(config_path: Path) -> int:
    """Validate the config and the files it points to (exist, readable, right format).
    Exit 0 when all is well, 2 otherwise."""
    from mlci.checkup import check_config

    checked = check_config(config_path)
    for line in checked.ok:
        click.echo(f"  ok    {line}")
    for problem in checked.problems:
        click.echo(f"mlci: error: {problem}", err=True)
    if checked.problems:
        return 2
    click.echo(f"{checked.loaded.path.name}: ok")
    return 0
