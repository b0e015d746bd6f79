"""What GitHub Actions tells a step: the repository, the pull request, the run, the token.

Reads only what GitHub Actions sets: GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the webhook payload:
the pull request number lives there), GITHUB_WORKFLOW, GITHUB_SERVER_URL / GITHUB_RUN_ID (the
link to the run's artifacts), GITHUB_API_URL (GitHub Enterprise) and the token. Shared by the
sticky comment (`publish.py`) and the monitor's alert issue (`alert.py`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlci.errors import InputError

TOKEN_VARIABLES = ("MLCI_GITHUB_TOKEN", "GITHUB_TOKEN")


@dataclass(frozen=True)
class GitHubContext:
    repository: str | None
    event_name: str | None
    pr_number: int | None
    workflow: str | None
    run_url: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GitHubContext:
        env = os.environ if env is None else env
        event = _event(env.get("GITHUB_EVENT_PATH"))
        server, repo, run = (
            env.get("GITHUB_SERVER_URL"),
            env.get("GITHUB_REPOSITORY"),
            env.get("GITHUB_RUN_ID"),
        )
        return cls(
            repository=repo or None,
            event_name=env.get("GITHUB_EVENT_NAME") or None,
            pr_number=_pr_number(event),
            workflow=env.get("GITHUB_WORKFLOW") or None,
            run_url=f"{server.rstrip('/')}/{repo}/actions/runs/{run}"
            if server and repo and run
            else None,
        )


def _event(path: str | None) -> Mapping[str, Any]:
    if not path:
        return {}
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"GITHUB_EVENT_PATH: {path}: file not found") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"GITHUB_EVENT_PATH: {path}: not a JSON event payload: {exc}") from None
    return doc if isinstance(doc, dict) else {}


def _pr_number(event: Mapping[str, Any]) -> int | None:
    """pull_request / pull_request_target events, and issue_comment on a pull request."""
    pr = event.get("pull_request")
    if isinstance(pr, dict) and isinstance(pr.get("number"), int):
        return int(pr["number"])
    issue = event.get("issue")
    if isinstance(issue, dict) and "pull_request" in issue and isinstance(issue.get("number"), int):
        return int(issue["number"])
    return None


def utf16_length(text: str) -> int:
    """Length as JavaScript counts it (emoji outside the BMP count twice): the safe side."""
    return len(text.encode("utf-16-le")) // 2


def pointer(run_url: str | None) -> str:
    where = (
        f"[the workflow run's artifacts]({run_url})" if run_url else "the workflow run's artifacts"
    )
    return f"Cut to fit GitHub's size limit: the full report is in {where} (mlci-report)."
