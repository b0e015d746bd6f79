"""Where the report goes on GitHub: the sticky comment, with the job summary as the fallback.

`deliver` is the policy `mlci report` runs: the comment (a fork's read-only token is a warning
and the report goes to the job summary instead, CML #1421), the monitor's alert issue, the job
summary, the `::error`/`::warning` annotations and the step outputs. What it reads of GitHub
Actions' variables is in `mlci/report/github_env.py`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.errors import InputError
from mlci.report.github_env import TOKEN_VARIABLES, GitHubContext, pointer, utf16_length
from mlci.report.outputs import COMMENT_LIMIT, fit

if TYPE_CHECKING:
    from mlci.results import GateReport


@dataclass(frozen=True)
class CommentOutcome:
    """created / updated / skipped / forbidden, the comment's URL, and what to tell the user."""

    state: str
    url: str
    message: str


def comment_key(ctx: GitHubContext, model: str | None, override: str | None) -> str:
    """One sticky comment per workflow and model, unless the caller names the key."""
    if override:
        return override
    return f"{ctx.workflow or 'mlci'}/{model or 'report'}"


def publish_comment(
    *, body: str, ctx: GitHubContext, key: str, env: Mapping[str, str] | None = None
) -> CommentOutcome:
    """Create or edit the sticky comment; a read-only token becomes a warning, not a failure."""
    from mlci.adapters.github import CommentForbidden, marker
    from mlci.wiring import github_for

    env = os.environ if env is None else env
    if ctx.pr_number is None or ctx.repository is None:
        what = ctx.event_name or "this event"
        return CommentOutcome("skipped", "", f"no pull request in {what}: no comment to make")
    token = next((env[v] for v in TOKEN_VARIABLES if env.get(v)), "")
    if not token:
        raise InputError("--github-comment: GITHUB_TOKEN is not set (the action passes its token)")
    # The marker line is added in front of the body, so it counts against the limit too.
    room = COMMENT_LIMIT - len(marker(key)) - 1
    try:
        done = github_for(token).upsert_comment(
            ctx.repository,
            ctx.pr_number,
            key,
            fit(body, room, pointer(ctx.run_url), measure=utf16_length),
        )
    except CommentForbidden as exc:
        return CommentOutcome("forbidden", "", f"{exc}; the report is in the job summary instead")
    state = "created" if done.created else "updated"
    return CommentOutcome(
        state, done.comment.url, f"{state} the pull request comment {done.comment.url}"
    )


@dataclass(frozen=True)
class Delivery:
    """What `mlci report` was asked to do besides rendering (its flags)."""

    report_path: Path
    comment: bool = False
    comment_key: str | None = None
    issue: bool = False
    summary: bool = False
    outputs: bool = False
    annotations: int = 0  # how many of the worst checks


Say = Callable[[str], None]


def deliver(
    report: GateReport, asked: Delivery, *, log: Say, say: Say, env: Mapping[str, str] | None = None
) -> CommentOutcome | None:
    """Do what ASKED says. LOG: a line for the workflow log (stdout: workflow commands); SAY:
    a message for the user (stderr). Missing GitHub variables are input errors, before anything."""
    env = os.environ if env is None else env
    summary_path = _env_path(env, "GITHUB_STEP_SUMMARY", "--summary") if asked.summary else None
    output_path = _env_path(env, "GITHUB_OUTPUT", "--github-output") if asked.outputs else None
    # The event payload is read only when GitHub is asked for: plain rendering never needs it.
    ctx = GitHubContext.from_env(env) if asked.comment or asked.summary else None
    outcome = _comment(report, ctx, asked.comment_key, env) if ctx and asked.comment else None
    if outcome is not None and outcome.state == "forbidden":
        log(_warning(outcome.message))
        summary_path = summary_path or _optional_env_path(env, "GITHUB_STEP_SUMMARY")
    if outcome is not None:
        say(outcome.message)
    if asked.issue:
        _issue(report, ctx or GitHubContext.from_env(env), env, log=log, say=say)
    if summary_path is not None:
        _summary(report, ctx.run_url if ctx else None, summary_path, outcome)
    if asked.annotations:
        from mlci.report.annotations import workflow_annotations

        for line in workflow_annotations(report, asked.annotations):
            log(line)
    if output_path is not None:
        _outputs(report, asked.report_path, outcome, output_path)
    return outcome


def _comment(
    report: GateReport, ctx: GitHubContext, key: str | None, env: Mapping[str, str]
) -> CommentOutcome:
    from mlci.report.render import render_markdown

    model = report.provenance.candidate.name if report.provenance.candidate else None
    body = render_markdown(report, artifact_url=ctx.run_url)
    return publish_comment(body=body, ctx=ctx, key=comment_key(ctx, model, key), env=env)


def _issue(
    report: GateReport, ctx: GitHubContext, env: Mapping[str, str], *, log: Say, say: Say
) -> None:
    from mlci.report.alert import publish_alert
    from mlci.report.render import render_markdown

    body = render_markdown(report, artifact_url=ctx.run_url)
    alert = publish_alert(report=report, body=body, ctx=ctx, env=env)
    if alert.state == "forbidden":
        log(_warning(alert.message))
    say(alert.message)


def _summary(
    report: GateReport, run_url: str | None, path: Path, outcome: CommentOutcome | None
) -> None:
    from mlci.report.outputs import append_summary
    from mlci.report.render import render_markdown

    note = outcome.message if outcome is not None and outcome.state == "forbidden" else None
    append_summary(path, render_markdown(report, artifact_url=run_url, note=note), pointer(run_url))


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


def _warning(message: str) -> str:
    from mlci.report.annotations import workflow_command

    return workflow_command("warning", "mlci report", message)


def _env_path(env: Mapping[str, str], name: str, option: str) -> Path:
    path = _optional_env_path(env, name)
    if path is None:
        raise InputError(f"{option}: ${name} is not set (it is set inside GitHub Actions)")
    return path


def _optional_env_path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name)
    return Path(value) if value else None
