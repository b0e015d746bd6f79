"""`mlci report`: render mlci-report.json."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="report")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mlci-report.json"),
    show_default=True,
    help="The GateReport to render.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json", "terminal"]), default="md", show_default=True
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
def command(report_path: Path, fmt: str, output: Path | None) -> int:
    """Render mlci-report.json as Markdown, JSON or text."""
    from mlci.report.io import load_report
    from mlci.report.render import render_markdown, render_terminal

    report, _ = load_report(report_path)
    text = {"md": render_markdown, "json": lambda r: r.dumps(), "terminal": render_terminal}[fmt](report)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}")
    return 0
