"""mlci.adapters.github against the local GitHub (tests/fake_github.py), whose every received
request is checked against GitHub's published REST description."""

from __future__ import annotations

import time

import pytest

from mlci.adapters.github import ACTIONS_BOT, CommentForbidden, GitHub, RetryPolicy, marker
from mlci.errors import ConfigError, ServiceError
from tests.fake_github import FakeGitHub, Reply

TOKEN = "ghs_secretTOKENvalue123"
REPO = "octo-org/models"
FAST = RetryPolicy(attempts=3, max_wait=10.0, budget=30.0)


class Waits(list[float]):
    """Records the waits the client chose instead of sleeping them: the values are what these
    tests check, and sleeping 7 real seconds would only slow the suite down."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(gh: FakeGitHub, waits: Waits | None = None, retry: RetryPolicy = FAST) -> GitHub:
    return GitHub(TOKEN, api_url=gh.url, retry=retry, sleep=waits if waits is not None else Waits())


def test_upsert_creates_once_then_edits_in_place(fake_github: FakeGitHub) -> None:
    gh = client(fake_github)
    first = gh.upsert_comment(REPO, 7, "ci/breast-cancer", "## report v1")
    second = gh.upsert_comment(REPO, 7, "ci/breast-cancer", "## report v2")
    assert (first.created, second.created) == (True, False)
    assert first.comment.id == second.comment.id
    [only] = fake_github.comments_on(7)
    assert only["body"] == "<!-- mlci:ci/breast-cancer -->\n## report v2"
    assert second.comment.url == f"https://github.com/o/r/pull/7#issuecomment-{only['id']}"
    assert [r.method for r in fake_github.received].count("POST") == 1
    assert all(r.authorization == f"Bearer {TOKEN}" for r in fake_github.received)


def test_finds_its_comment_on_a_later_page(fake_github: FakeGitHub) -> None:
    for i in range(70):
        fake_github.add_comment(3, f"comment {i}", "someone")
    mine = fake_github.add_comment(3, f"{marker('wf/model')}\nold", "mlci-bot")
    fake_github.add_comment(3, "after", "someone")
    fake_github.page_size = 25
    done = client(fake_github).upsert_comment(REPO, 3, "wf/model", "new")
    assert done.created is False
    assert done.comment.id == mine["id"]
    pages = [
        r.query.get("page", ["1"])[0]
        for r in fake_github.received
        if r.method == "GET" and "comments" in r.path
    ]
    assert pages == ["1", "2", "3"]  # 72 comments in pages of 25; ours is on the last
    assert len(fake_github.comments_on(3)) == 72


def test_ignores_the_marker_in_someone_elses_comment_and_other_keys(
    fake_github: FakeGitHub,
) -> None:
    fake_github.add_comment(5, f"quoting: {marker('wf/model')}", "a-human")
    fake_github.add_comment(5, f"{marker('wf/other-model')}\nother", "mlci-bot")
    done = client(fake_github).upsert_comment(REPO, 5, "wf/model", "mine")
    assert done.created is True
    assert len(fake_github.comments_on(5)) == 3


def test_installation_token_is_github_actions_bot(fake_github: FakeGitHub) -> None:
    fake_github.token_kind = "installation"
    old = fake_github.add_comment(9, f"{marker('k')}\nold", ACTIONS_BOT)
    gh = client(fake_github)
    assert gh.login() == ACTIONS_BOT
    done = gh.upsert_comment(REPO, 9, "k", "new")
    assert (done.created, done.comment.id) == (False, old["id"])


def test_marker_neutralises_characters_that_could_end_the_html_comment() -> None:
    assert marker("wf --> <b>/model") == "<!-- mlci:wf------b-/model -->"


def test_api_url_comes_from_github_api_url(
    fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url + "/")
    gh = GitHub(TOKEN, retry=FAST)
    assert gh.api_url == fake_github.url
    assert gh.login() == "mlci-bot"


def test_retries_5xx_with_capped_backoff(fake_github: FakeGitHub) -> None:
    fake_github.script("POST", r"/comments$", Reply(502, {"message": "Bad Gateway"}), times=2)
    waits = Waits()
    gh = client(fake_github, waits, RetryPolicy(attempts=3, max_wait=1.5, budget=10))
    done = gh.create_comment(REPO, 1, "hello")
    assert done.body == "hello"
    assert waits == [1.0, 1.5]  # 1 s, then 2 s capped at max_wait


def test_honours_retry_after_on_429(fake_github: FakeGitHub) -> None:
    fake_github.script(
        "GET", r"/user$", Reply(429, {"message": "Too Many Requests"}, {"retry-after": "7"})
    )
    waits = Waits()
    assert client(fake_github, waits).login() == "mlci-bot"
    assert waits == [7.0]


def test_honours_ratelimit_reset_on_a_rate_limit_403(fake_github: FakeGitHub) -> None:
    reset = str(int(time.time()) + 5)
    limited = Reply(
        403,
        {"message": "API rate limit exceeded"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
    )
    fake_github.script("GET", r"/comments$", limited)
    waits = Waits()
    assert list(client(fake_github, waits).list_comments(REPO, 1)) == []
    assert len(waits) == 1
    assert 3.0 <= waits[0] <= 5.0


def test_a_wait_longer_than_allowed_fails_now_without_sleeping(fake_github: FakeGitHub) -> None:
    fake_github.script(
        "GET", r"/user$", Reply(429, {"message": "slow down"}, {"retry-after": "3600"})
    )
    waits = Waits()
    with pytest.raises(ServiceError) as err:
        client(fake_github, waits).login()
    assert str(err.value) == (
        "GitHub: GET /user: HTTP 429; the next retry would wait 3600 s, more than allowed "
        "(max wait 10 s, budget 30 s)"
    )
    assert waits == []


def test_gives_up_after_the_attempts(fake_github: FakeGitHub) -> None:
    fake_github.script(
        "PATCH", r"/issues/comments/\d+$", Reply(503, {"message": "unavailable"}), times=5
    )
    comment = fake_github.add_comment(2, "x", "mlci-bot")
    waits = Waits()
    with pytest.raises(ServiceError) as err:
        client(fake_github, waits).update_comment(REPO, comment["id"], "y")
    assert (
        str(err.value) == f"GitHub: PATCH /repos/{REPO}/issues/comments/{comment['id']}: HTTP 503; "
        "gave up after 3 attempts"
    )
    assert waits == [1.0, 2.0]
    assert TOKEN not in str(err.value)


def test_resource_not_accessible_by_integration_is_comment_forbidden(
    fake_github: FakeGitHub,
) -> None:
    fake_github.forbid_writes = True
    with pytest.raises(CommentForbidden) as err:
        client(fake_github).upsert_comment(REPO, 4, "k", "body")
    assert "403 Resource not accessible by integration" in str(err.value)
    assert fake_github.comments_on(4) == []


def test_other_errors_name_the_call_and_never_the_token(fake_github: FakeGitHub) -> None:
    fake_github.script("GET", r"/comments$", Reply(404, {"message": "Not Found"}))
    with pytest.raises(ServiceError) as err:
        list(client(fake_github).list_comments(REPO, 404))
    assert str(err.value) == f"GitHub: GET /repos/{REPO}/issues/404/comments: HTTP 404 Not Found"
    assert TOKEN not in str(err.value)


def test_connection_errors_are_retried_then_a_service_error() -> None:
    waits = Waits()
    gh = GitHub(
        TOKEN,
        api_url="http://127.0.0.1:9",
        retry=RetryPolicy(attempts=2, max_wait=0.0, budget=0.0),
        sleep=waits,
    )
    with pytest.raises(ServiceError) as err:
        gh.login()
    assert str(err.value) == "GitHub: GET /user: ConnectionError; gave up after 2 attempts"
    assert waits == [0.0]


def test_no_token_is_a_service_error() -> None:
    with pytest.raises(ServiceError, match=r"GitHub: no token"):
        GitHub("", api_url="http://127.0.0.1:9")


def test_retry_policy_from_env() -> None:
    policy = RetryPolicy.from_env({"MLCI_GITHUB_RETRIES": "2", "MLCI_GITHUB_MAX_WAIT": "0.01"})
    assert policy == RetryPolicy(attempts=2, max_wait=0.01, budget=0.03)
    assert RetryPolicy.from_env({}) == RetryPolicy()
    # A bad setting is the user's to fix (exit 2), not GitHub failing (exit 3).
    with pytest.raises(
        ConfigError,
        match=r"^MLCI_GITHUB_MAX_WAIT: expected a number of seconds or attempts, got 'soon'$",
    ):
        RetryPolicy.from_env({"MLCI_GITHUB_MAX_WAIT": "soon"})
    with pytest.raises(
        ConfigError, match=r"^MLCI_GITHUB_RETRIES: expected a number >= 0, got '-1'$"
    ):
        RetryPolicy.from_env({"MLCI_GITHUB_RETRIES": "-1"})


def test_a_pagination_link_to_another_host_is_refused(fake_github: FakeGitHub) -> None:
    fake_github.script(
        "GET",
        r"/comments$",
        Reply(200, [], {"Link": '<https://evil.example/steal?page=2>; rel="next"'}),
    )
    with pytest.raises(ServiceError) as err:
        list(client(fake_github).list_comments(REPO, 1))
    assert str(err.value) == (
        f"GitHub: a pagination link leaves {fake_github.url}: https://evil.example/steal"
    )
