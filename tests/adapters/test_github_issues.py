"""mlci.adapters.github_issues against the local GitHub (tests/fake_github.py): the open issues,
pull requests left out, created and edited in place."""

from __future__ import annotations

from mlci.adapters.github import RetryPolicy
from mlci.adapters.github_issues import GitHubIssues, Issue
from tests.fake_github import FakeGitHub

REPO = "octo-org/models"


def client(gh: FakeGitHub) -> GitHubIssues:
    return GitHubIssues("ghs_token", api_url=gh.url, retry=RetryPolicy(attempts=1),
                        sleep=lambda _: None)  # fmt: skip


def test_create_list_and_close_an_issue(fake_github: FakeGitHub) -> None:
    gh = client(fake_github)
    made = gh.create_issue(REPO, "drift on m", "<!-- mlci-alert m -->\nbody")
    assert made == Issue(1, "<!-- mlci-alert m -->\nbody", "mlci-bot",
                         "https://github.com/o/r/issues/1")  # fmt: skip
    assert list(gh.open_issues(REPO)) == [made]
    edited = gh.update_issue(REPO, 1, {"body": "new", "state": "closed"})
    assert (edited.number, edited.body) == (1, "new")
    assert fake_github.issues[1]["state"] == "closed"
    assert list(gh.open_issues(REPO)) == []


def test_pull_requests_are_not_issues(fake_github: FakeGitHub) -> None:
    fake_github.issues[5] = {"number": 5, "title": "a PR", "body": "", "state": "open",
                             "user": {"login": "dev"}, "html_url": "", "pull_request": {}}  # fmt: skip
    gh = client(fake_github)
    made = gh.create_issue(REPO, "t", "b")
    assert [i.number for i in gh.open_issues(REPO)] == [made.number]


def test_missing_fields_read_as_empty() -> None:
    assert Issue.from_json({"number": "9", "body": None}) == Issue(9, "", "", "")
