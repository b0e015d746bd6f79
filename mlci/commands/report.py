"""`mlci report`: render mlci-report.json, and deliver it to GitHub when asked.

Rendering never changes the verdict: `mlci report` exits 0 whatever the gate said (the gate's
own exit code is the verdict), 2 for a bad report or missing GitHub variable, 3 when GitHub
failed after retries. A token that may not comment (fork pull requests) is a warning only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlci.errors import InputError

if TYPE_CHECKING:
    from mlci.report.publish import CommentOutcome, GitHubContext
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
    from mlci.report.publish import GitHubContext

    report, _ = load_report(report_path)
    summary_path = _env_path("GITHUB_STEP_SUMMARY", "--summary") if summary else None
    output_path = _env_path("GITHUB_OUTPUT", "--github-output") if github_output else None
    # The event payload is read only when GitHub is asked for: plain rendering never needs it.
    ctx = GitHubContext.from_env() if github_comment or summary else None
    outcome = _comment(report, ctx, comment_key) if ctx is not None and github_comment else None
    if outcome is not None and outcome.state == "forbidden":
        # The fork fallback (CML #1421): a warning on the run, and the report in the summary.
        click.echo(f"::warning title=mlci report::{_workflow_data(outcome.message)}")
        summary_path = summary_path or _optional_env_path("GITHUB_STEP_SUMMARY")
    if outcome is not None:
        click.echo(f"mlci: {outcome.message}", err=True)
    if github_issue:
        _issue(report, ctx or GitHubContext.from_env())
    if summary_path is not None:
        _summary(report, ctx.run_url if ctx else None, summary_path, outcome)
    if max_annotations:
        _annotations(report, max_annotations)
    if output_path is not None:
        _outputs(report, report_path, outcome, output_path)
    _emit(report, fmt, output)
    return 0


def _comment(report: GateReport, ctx: GitHubContext, key: str | None) -> CommentOutcome:
    from mlci.report.publish import comment_key, publish_comment
    from mlci.report.render import render_markdown

    model = report.provenance.candidate.name if report.provenance.candidate else None
    body = render_markdown(report, artifact_url=ctx.run_url)
    return publish_comment(body=body, ctx=ctx, key=comment_key(ctx, model, key))


def _issue(report: GateReport, ctx: GitHubContext) -> None:
    from mlci.report.alert import publish_alert
    from mlci.report.render import render_markdown

    body = render_markdown(report, artifact_url=ctx.run_url)
    alert = publish_alert(report=report, body=body, ctx=ctx)
    if alert.state == "forbidden":
        click.echo(f"::warning title=mlci report::{_workflow_data(alert.message)}")
    click.echo(f"mlci: {alert.message}", err=True)


def _summary(
    report: GateReport, run_url: str | None, path: Path, outcome: CommentOutcome | None
) -> None:
    from mlci.report.outputs import append_summary
    from mlci.report.publish import pointer
    from mlci.report.render import render_markdown

    note = outcome.message if outcome is not None and outcome.state == "forbidden" else None
    append_summary(path, render_markdown(report, artifact_url=run_url, note=note), pointer(run_url))


def _annotations(report: GateReport, limit: int) -> None:
    from mlci.report.annotations import workflow_annotations

    for line in workflow_annotations(report, limit):
        click.echo(line)


def _outputs(
    report: GateReport, report_path: Path, outcome: CommentOutcome | None, path: Path
) -> None:
    from mlci.report.outputs import write_outputs

    values = {
        "verdict": report.verdict.value,
        "report-path": str(report_path),
        "comment-url": outcome.url if outcome is not None else "",
    }
    write_outputs(path, values)


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


def _env_path(name: str, option: str) -> Path:
    path = _optional_env_path(name)
    if path is None:
        raise InputError(f"{option}: ${name} is not set (it is set inside GitHub Actions)")
    return path


def _optional_env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _workflow_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
