"""The monitor's alert: one GitHub issue per model, opened on a breach, updated on the next,
commented on and closed when a run is healthy again. A token that may not write issues is a
warning (the report still lands in the job summary), as with the sticky comment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlci.errors import InputError
from mlci.report.github_env import TOKEN_VARIABLES, GitHubContext, pointer, utf16_length
from mlci.report.outputs import COMMENT_LIMIT, fit
from mlci.results import GateReport

if TYPE_CHECKING:
    from mlci.ports import IssueTracker


@dataclass(frozen=True)
class AlertOutcome:
    """opened / updated / closed / quiet / forbidden, the issue's URL, what to tell the user."""

    state: str
    url: str
    message: str


def publish_alert(
    *, report: GateReport, body: str, ctx: GitHubContext, env: Mapping[str, str] | None = None
) -> AlertOutcome:
    from mlci.adapters.github import CommentForbidden, marker
    from mlci.wiring import issues_for

    env = os.environ if env is None else env
    if ctx.repository is None:
        raise InputError("--github-issue: GITHUB_REPOSITORY is not set (it is set in Actions)")
    token = next((env[v] for v in TOKEN_VARIABLES if env.get(v)), "")
    if not token:
        raise InputError("--github-issue: GITHUB_TOKEN is not set (give the job issues: write)")
    model = report.provenance.champion.name if report.provenance.champion else "model"
    tag = marker(f"monitor/{model}")
    client = issues_for(token)
    try:
        me = client.login()
        found = [i for i in client.open_issues(ctx.repository) if tag in i.body and i.login == me]
        text = f"{tag}\n" + fit(
            body, COMMENT_LIMIT - len(tag) - 1, pointer(ctx.run_url), measure=utf16_length
        )
        return _act(client, ctx.repository, found[-1].number if found else None, report, text)
    except CommentForbidden as exc:
        return AlertOutcome("forbidden", "", f"{exc}; the report is in the job summary instead")


def _act(
    client: IssueTracker, repo: str, number: int | None, report: GateReport, text: str
) -> AlertOutcome:
    model = report.provenance.champion.name if report.provenance.champion else "model"
    if report.passed:
        if number is None:
            return AlertOutcome("quiet", "", f"{model}: healthy, no open monitor issue")
        client.create_comment(
            repo, number, f"Healthy again: {report.provenance.created_at}.\n\n{text}"
        )
        done = client.update_issue(repo, number, {"state": "closed", "state_reason": "completed"})
        return AlertOutcome("closed", done.url, f"closed the monitor issue {done.url}")
    title = f"mlci monitor: {model} breached its checks"
    if number is None:
        made = client.create_issue(repo, title, text)
        return AlertOutcome("opened", made.url, f"opened the monitor issue {made.url}")
    done = client.update_issue(repo, number, {"title": title, "body": text})
    return AlertOutcome("updated", done.url, f"updated the monitor issue {done.url}")
