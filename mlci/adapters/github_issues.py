"""GitHub issues for the monitor's alerts: one open issue per model, found by a hidden marker.

The same client as the sticky comment (retries, rate limits, a read-only token as
CommentForbidden): this adds only the issue endpoints the alert needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mlci.adapters.github import PER_PAGE, GitHub, _next_page


@dataclass(frozen=True)
class Issue:
    number: int
    body: str
    login: str
    url: str

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Issue:
        user = doc.get("user") or {}
        return cls(
            int(doc["number"]),
            doc.get("body") or "",
            user.get("login", ""),
            doc.get("html_url", ""),
        )


class GitHubIssues(GitHub):
    def open_issues(self, repo: str) -> Iterator[Issue]:
        """Every open issue (pull requests, which the endpoint also lists, left out)."""
        url: str | None = f"/repos/{repo}/issues?state=open&per_page={PER_PAGE}"
        while url is not None:
            response = self._request("GET", url)
            yield from (Issue.from_json(d) for d in response.json() if "pull_request" not in d)
            url = self._same_origin(_next_page(response.headers.get("Link", "")))

    def create_issue(self, repo: str, title: str, body: str) -> Issue:
        doc = {"title": title, "body": body}
        return Issue.from_json(self._request("POST", f"/repos/{repo}/issues", body=doc).json())

    def update_issue(self, repo: str, number: int, fields: Mapping[str, Any]) -> Issue:
        response = self._request("PATCH", f"/repos/{repo}/issues/{number}", body=dict(fields))
        return Issue.from_json(response.json())
