"""GitHub over its REST API: one sticky comment per workflow and model, edited in place.

The narrow surface the report needs: who the token is, list/create/update issue comments, and
`upsert_comment`, which finds mlci's previous comment by a hidden marker written by the token's
own login (across every page of comments) and edits it, so a pull request never collects one
comment per push (CML #512, #719, #1144).

Failures are bounded: 429, 5xx and rate-limit 403s are retried, honouring `retry-after` and
`x-ratelimit-reset`, at most `attempts` times and never waiting longer than `max_wait` seconds at
once or `budget` seconds in all; a wait the server asks for beyond that ends the run now with a
ServiceError instead of stalling CI. A 403 "Resource not accessible by integration" (the read-only
token of a fork pull request, CML #1421, #1439) is a CommentForbidden the caller turns into a
warning. The token goes into one header and nowhere else: no message ever includes it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlci.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    import requests

DEFAULT_API_URL = "https://api.github.com"
# GITHUB_TOKEN is an installation token: GET /user answers 403 for it, and the comments it
# writes are authored by this bot account.
ACTIONS_BOT = "github-actions[bot]"
PER_PAGE = 100
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


class CommentForbidden(ServiceError):
    """The token may not comment here (fork pull requests get a read-only token)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long mlci keeps trying: count, longest single wait, and total waiting time (seconds)."""

    attempts: int = 5
    max_wait: float = 60.0
    budget: float = 180.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RetryPolicy:
        """MLCI_GITHUB_RETRIES and MLCI_GITHUB_MAX_WAIT override the defaults."""
        env = os.environ if env is None else env
        default = cls()
        attempts = _env_number(env, "MLCI_GITHUB_RETRIES", default.attempts)
        max_wait = _env_number(env, "MLCI_GITHUB_MAX_WAIT", default.max_wait)
        return cls(
            attempts=max(1, int(attempts)), max_wait=max_wait, budget=max(max_wait, 3 * max_wait)
        )


def _env_number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"{name}: expected a number of seconds or attempts, got {raw!r}"
        ) from None
    if value < 0:
        raise ConfigError(f"{name}: expected a number >= 0, got {raw!r}")
    return value


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    login: str
    url: str

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Comment:
        user = doc.get("user") or {}
        return cls(
            id=int(doc["id"]),
            body=doc.get("body") or "",
            login=user.get("login", ""),
            url=doc.get("html_url", ""),
        )


@dataclass(frozen=True)
class Upserted:
    comment: Comment
    created: bool


def marker(key: str) -> str:
    """The hidden line that identifies mlci's comment for one key (workflow + model)."""
    safe = re.sub(r"[^A-Za-z0-9._:/@+-]", "-", key)
    return f"<!-- mlci:{safe} -->"


class GitHub:
    """A small REST client; `sleep` is injectable so tests can see the waits it chose."""

    def __init__(
        self,
        token: str,
        *,
        api_url: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        import requests

        if not token:
            raise ServiceError(
                "GitHub: no token (set GITHUB_TOKEN or pass the action's github-token input)"
            )
        self.api_url = (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.retry = retry or RetryPolicy.from_env()
        self._sleep = sleep
        self._timeout = timeout
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "mlci",
            }
        )

    def login(self) -> str:
        """The token's own login; an installation token (GITHUB_TOKEN) is github-actions[bot]."""
        try:
            return str(self._request("GET", "/user").json()["login"])
        except CommentForbidden:
            return ACTIONS_BOT

    def list_comments(self, repo: str, number: int) -> Iterator[Comment]:
        """Every comment of an issue or pull request, following the `Link: rel="next"` pages."""
        url: str | None = f"/repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}"
        while url is not None:
            response = self._request("GET", url)
            yield from (Comment.from_json(c) for c in response.json())
            url = self._same_origin(_next_page(response.headers.get("Link", "")))

    def _same_origin(self, url: str | None) -> str | None:
        # The token goes wherever the next page is: only ever to the API it was meant for.
        if url is not None and not url.startswith(self.api_url + "/"):
            raise ServiceError(
                f"GitHub: a pagination link leaves {self.api_url}: {url.split('?')[0]}"
            )
        return url

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        response = self._request(
            "POST", f"/repos/{repo}/issues/{number}/comments", body={"body": body}
        )
        return Comment.from_json(response.json())

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment:
        response = self._request(
            "PATCH", f"/repos/{repo}/issues/comments/{comment_id}", body={"body": body}
        )
        return Comment.from_json(response.json())

    def upsert_comment(
        self, repo: str, number: int, key: str, body: str, login: str | None = None
    ) -> Upserted:
        """Edit this key's comment written by this login in place, else create it."""
        tag = marker(key)
        full = body if tag in body else f"{tag}\n{body}"
        me = login or self.login()
        mine = [c for c in self.list_comments(repo, number) if c.login == me and tag in c.body]
        if not mine:
            return Upserted(self.create_comment(repo, number, full), created=True)
        # The newest one is the sticky one; older duplicates (from a race) are left alone.
        return Upserted(self.update_comment(repo, mine[-1].id, full), created=False)

    def _request(
        self, method: str, url: str, body: Mapping[str, Any] | None = None
    ) -> requests.Response:
        import requests

        full = url if url.startswith(("http://", "https://")) else self.api_url + url
        waited = 0.0
        for attempt in range(1, self.retry.attempts + 1):
            try:
                response = self._session.request(method, full, json=body, timeout=self._timeout)
            except requests.RequestException as exc:
                problem = type(exc).__name__
                wait = _backoff(attempt, self.retry.max_wait)
            else:
                if response.status_code < 400:
                    return response
                _raise_unless_retryable(method, url, response)
                problem = f"HTTP {response.status_code}"
                wait = _wait_for(response, attempt, self.retry.max_wait)
            last = attempt == self.retry.attempts
            if last or wait > self.retry.max_wait or waited + wait > self.retry.budget:
                raise ServiceError(
                    _gave_up(method, url, problem, attempt=attempt, wait=wait, retry=self.retry)
                )
            self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable: the loop returns or raises")


def _next_page(link: str) -> str | None:
    found = _NEXT_LINK.search(link)
    return found.group(1) if found else None


def _message(response: requests.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return response.text[:200]
    return str(doc.get("message", "")) if isinstance(doc, dict) else ""


def _is_rate_limit(response: requests.Response) -> bool:
    headers = response.headers
    return (
        headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in headers
        or "rate limit" in _message(response).lower()
    )


def _raise_unless_retryable(method: str, url: str, response: requests.Response) -> None:
    status = response.status_code
    if status == 429 or status >= 500 or (status == 403 and _is_rate_limit(response)):
        return
    path = url.split("?", 1)[0]
    text = _message(response)
    if status == 403 and "not accessible by integration" in text.lower():
        raise CommentForbidden(
            f"GitHub: {method} {path}: 403 {text} (a fork pull request's token is read-only)"
        )
    raise ServiceError(f"GitHub: {method} {path}: HTTP {status} {text}".rstrip())


def _wait_for(response: requests.Response, attempt: int, cap: float) -> float:
    """Seconds to wait: retry-after, else the rate-limit reset, else our backoff."""
    headers = response.headers
    retry_after = headers.get("retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return float(retry_after)
    reset = headers.get("x-ratelimit-reset")
    if (
        headers.get("x-ratelimit-remaining") == "0"
        and reset is not None
        and reset.strip().isdigit()
    ):
        return max(0.0, float(reset) - time.time())
    return _backoff(attempt, cap)


def _backoff(attempt: int, cap: float) -> float:
    # Our own choice (the server named no time), so it is capped rather than refused.
    return min(float(2 ** (attempt - 1)), cap)


def _gave_up(
    method: str, url: str, problem: str, *, attempt: int, wait: float, retry: RetryPolicy
) -> str:
    path = url.split("?", 1)[0]
    where = f"GitHub: {method} {path}: {problem}"
    if attempt == retry.attempts:
        return f"{where}; gave up after {attempt} attempts"
    limits = f"max wait {retry.max_wait:g} s, budget {retry.budget:g} s"
    return f"{where}; the next retry would wait {wait:.0f} s, more than allowed ({limits})"
