"""`mlci demo`: build a real example project and run the whole gate on it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click


@click.command(name="demo")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
def command(directory: Path | None) -> int:
    """Build a real example project in DIRECTORY (default: a new temp dir) and run the gate.

    git, DVC with a local remote, a sqlite MLflow registry, real scikit-learn models:
    a first model is promoted, a worse candidate refused, a better one promoted, then
    rolled back. No network, no setup.
    """
    from mlci.demo import run_demo

    root = (directory or Path(tempfile.mkdtemp(prefix="mlci-demo-"))).resolve()
    result = run_demo(root=root, say=click.echo)
    click.echo("")
    click.echo(f"demo finished: @champion is v{result.champion}")
    click.echo(f"report: {result.report_json}")
    click.echo(f"        {result.report_md} (the Markdown a pull request would get)")
    click.echo(f"try:    cd {root} && mlci history && mlci gate")
    return 0
