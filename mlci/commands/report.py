"""`mlci report`: render mlci-report.json, and deliver it to GitHub when asked.

Rendering never changes the verdict: `mlci report` exits 0 whatever the gate said (the gate's
own exit code is the verdict), 2 for a bad report or missing GitHub variable, 3 when GitHub
failed after retries. What is delivered where is `mlci.report.publish.deliver`'s policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlci.errors import InputError

if TYPE_CHECKING:
    from mlci.results import GateReport

FORMATS = ("md", "html", "json", "terminal")


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
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="md",
    show_default=True,
    help="md: the PR comment; html: one self-contained file; json: the report; terminal: text.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here instead of stdout.",
)
@click.option(
    "--github-comment",
    is_flag=True,
    help="Create or edit the sticky pull request comment (GITHUB_TOKEN).",
)
@click.option(
    "--comment-key",
    metavar="KEY",
    help="Which sticky comment to edit [default: <workflow>/<model>].",
)
@click.option(
    "--github-issue",
    is_flag=True,
    help="Monitor reports: open/update the model's alert issue on a breach, close it when healthy.",
)
@click.option("--summary", is_flag=True, help="Append the report to $GITHUB_STEP_SUMMARY.")
@click.option(
    "--github-output",
    is_flag=True,
    help="Write verdict, report-path, comment-url to $GITHUB_OUTPUT.",
)
@click.option(
    "--annotations",
    "max_annotations",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Print ::error/::warning annotations for the N worst checks.",
)
def command(
    *,
    report_path: Path,
    fmt: str,
    output: Path | None,
    github_comment: bool,
    comment_key: str | None,
    summary: bool,
    github_output: bool,
    max_annotations: int,
    github_issue: bool = False,
) -> int:
    """Render mlci-report.json as Markdown, HTML, JSON or text."""
    from mlci.report.io import load_report
    from mlci.report.publish import Delivery, deliver

    report, _ = load_report(report_path)
    asked = Delivery(
        report_path=report_path,
        comment=github_comment,
        comment_key=comment_key,
        issue=github_issue,
        summary=summary,
        outputs=github_output,
        annotations=max_annotations,
    )
    deliver(report, asked, log=click.echo, say=lambda m: click.echo(f"mlci: {m}", err=True))
    _emit(report, fmt, output)
    return 0


def _emit(report: GateReport, fmt: str, output: Path | None) -> None:
    from mlci.report.render import render_html, render_markdown, render_terminal

    renderers = {
        "md": render_markdown,
        "html": render_html,
        "json": lambda r: r.dumps(),
        "terminal": render_terminal,
    }
    text = renderers[fmt](report)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}", err=True)
