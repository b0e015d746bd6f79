"""A local GitHub for tests: the REST subset mlci calls, checked against GitHub's own description.

GitHub itself cannot run here, so this is the one stand-in in the suite (DESIGN.md). To keep it
honest, every request it receives is checked against the published REST description in the npm
package @octokit/openapi: the path must be one of GitHub's, the method one it allows there, query
parameters declared, and required body fields present. Anything else is recorded in
`violations` (and answered 404/422, as GitHub would). Webhook payloads come from
@octokit/webhooks-examples: real events, not hand-written ones.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import tool_missing

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / ".ci" / "node_modules"
OPENAPI = NODE_MODULES / "@octokit" / "openapi" / "generated" / "api.github.com.json"
WEBHOOKS = NODE_MODULES / "@octokit" / "webhooks-examples" / "api.github.com" / "index.json"
_npm_lock = threading.Lock()


def _ensure_npm_packages() -> None:
    """.ci/run installs them; a bare `pytest` installs them once here."""
    with _npm_lock:
        if OPENAPI.is_file() and WEBHOOKS.is_file():
            return
        npm = shutil.which("npm")
        if npm is None:
            tool_missing(
                "npm is required in CI for @octokit/openapi and @octokit/webhooks-examples",
                "npm not found: cannot install @octokit/openapi and @octokit/webhooks-examples",
            )
        subprocess.run(
            [npm, "install", "--prefix", str(REPO / ".ci"), "--silent", "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
        )


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    query: frozenset[str]
    required_body: tuple[str, ...]


class OpenApi:
    """Paths, methods, query parameters and required body fields of GitHub's REST API."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self._doc = doc
        self._routes: list[tuple[re.Pattern[str], str]] = [
            (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"), p)
            for p in doc["paths"]
        ]

    def template(self, path: str) -> str | None:
        # The most literal match wins: /repos/{o}/{r}/issues/comments beats .../issues/{n}.
        found = [t for rx, t in self._routes if rx.match(path)]
        return min(found, key=lambda t: t.count("{")) if found else None

    def operation(self, method: str, template: str) -> Operation | None:
        item = self._doc["paths"][template]
        op = item.get(method.lower())
        if op is None:
            return None
        params = [self._resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]
        query = frozenset(p["name"] for p in params if p.get("in") == "query")
        schema = (
            (op.get("requestBody") or {})
            .get("content", {})
            .get("application/json", {})
            .get("schema", {})
        )
        required = tuple(self._resolve(schema).get("required", ())) if schema else ()
        return Operation(method.upper(), template, query, required)

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if not ref:
            return node
        target: Any = self._doc
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        resolved: dict[str, Any] = target
        return resolved


@functools.lru_cache(maxsize=1)
def _openapi_doc() -> OpenApi:
    return OpenApi(json.loads(OPENAPI.read_text(encoding="utf-8")))


def openapi() -> OpenApi:
    _ensure_npm_packages()
    return _openapi_doc()


def webhook_example(event: str, action: str | None = None) -> dict[str, Any]:
    """The first published example payload of `event` (and `action`, when given)."""
    _ensure_npm_packages()
    for entry in json.loads(WEBHOOKS.read_text(encoding="utf-8")):
        if entry["name"] != event:
            continue
        for example in entry["examples"]:
            if action is None or example.get("action") == action:
                found: dict[str, Any] = example
                return found
    raise LookupError(f"no {event}/{action} example in @octokit/webhooks-examples")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str


class FakeGitHub:
    """A threaded HTTP server on 127.0.0.1 with comments kept per issue, and scripted failures."""

    def __init__(self, spec: OpenApi, *, login: str = "mlci-bot", token_kind: str = "user") -> None:
        self.spec = spec
        self.login = login
        self.token_kind = token_kind  # "installation" answers GET /user with 403, as GitHub does
        self.page_size: int | None = None  # force small pages to exercise Link pagination
        self.comments: dict[int, dict[str, Any]] = {}
        self.issues: dict[int, dict[str, Any]] = {}  # by number, as the monitor's alerts see them
        self.received: list[Received] = []
        self.violations: list[str] = []
        self.scripted: list[tuple[str, str, Reply]] = []  # (method, path regex, reply), used once
        self.forbid_writes = False
        self._next_id = 1000
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_comment(self, issue: int, body: str, login: str) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            cid = self._next_id
            doc = {
                "id": cid,
                "body": body,
                "user": {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"},
                "html_url": f"https://github.com/o/r/pull/{issue}#issuecomment-{cid}",
                "issue": issue,
            }
            self.comments[cid] = doc
            return doc

    def comments_on(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue"] == issue]

    def script(self, method: str, path_regex: str, reply: Reply, times: int = 1) -> None:
        self.scripted.extend([(method, path_regex, reply)] * times)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def do_PATCH(self) -> None:
                fake._serve(self, "PATCH")

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        query = parse_qs(parts.query)
        self.received.append(
            Received(method, parts.path, query, body, h.headers.get("Authorization", ""))
        )
        reply = self._check(method, parts.path, query, body, h.headers.get("Authorization", ""))
        reply = (
            reply
            or self._take_scripted(method, parts.path)
            or self._route(method, parts.path, query, body)
        )
        payload = json.dumps(reply.body).encode() if reply.body is not None else b""
        h.send_response(reply.status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(payload)))
        for key, value in reply.headers.items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(payload)

    def _check(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str
    ) -> Reply | None:
        where = f"{method} {path}"
        if not auth.startswith(("Bearer ", "token ")):
            self.violations.append(f"{where}: no Authorization header")
            return Reply(401, {"message": "Requires authentication"})
        template = self.spec.template(path)
        op = self.spec.operation(method, template) if template else None
        if op is None:
            self.violations.append(f"{where}: not an operation of GitHub's REST API")
            return Reply(404, {"message": "Not Found"})
        unknown = set(query) - op.query
        missing = [f for f in op.required_body if not isinstance(body, dict) or f not in body]
        if unknown or missing:
            self.violations.append(
                f"{where}: unknown query {sorted(unknown)}, missing body fields {missing}"
            )
            return Reply(422, {"message": "Validation Failed"})
        return None

    def _take_scripted(self, method: str, path: str) -> Reply | None:
        with self._lock:
            for i, (m, rx, reply) in enumerate(self.scripted):
                if m == method and re.search(rx, path):
                    del self.scripted[i]
                    return reply
        return None

    def _user(self) -> Reply:
        if self.token_kind == "installation":
            return Reply(403, {"message": "Resource not accessible by integration"})
        return Reply(200, {"login": self.login, "id": 1, "type": "User"})

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Reply:
        if path == "/user":
            return self._user()
        issue = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)/comments", path)
        if issue and method == "GET":
            return self._page(int(issue.group(1)), path, query)
        login = "github-actions[bot]" if self.token_kind == "installation" else self.login
        if self.forbid_writes and method in ("POST", "PATCH"):
            return Reply(403, {"message": "Resource not accessible by integration"})
        if issue and method == "POST":
            return Reply(201, _public(self.add_comment(int(issue.group(1)), body["body"], login)))
        edit = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", path)
        if edit and method == "PATCH" and int(edit.group(1)) in self.comments:
            doc = self.comments[int(edit.group(1))]
            doc["body"] = body["body"]
            return Reply(200, _public(doc))
        return self._issues(method, path, query, body, login) or Reply(
            404, {"message": "Not Found"}
        )

    def _issues(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, login: str
    ) -> Reply | None:
        """List (open ones, one page), create, and edit (title, body, state) issues."""
        if re.fullmatch(r"/repos/[^/]+/[^/]+/issues", path):
            if method == "GET":
                state = query.get("state", ["open"])[0]
                shown = [i for i in self.issues.values() if state in ("all", i["state"])]
                return Reply(200, shown)
            with self._lock:
                number = len(self.issues) + len(self.comments) + 1
                self.issues[number] = {
                    "number": number,
                    "title": body["title"],
                    "body": body.get("body", ""),
                    "state": "open",
                    "user": {"login": login},
                    "html_url": f"https://github.com/o/r/issues/{number}",
                }
            return Reply(201, self.issues[number])
        edit = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)", path)
        if edit and method == "PATCH" and int(edit.group(1)) in self.issues:
            doc = self.issues[int(edit.group(1))]
            doc.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            return Reply(200, doc)
        return None

    def _page(self, issue: int, path: str, query: dict[str, list[str]]) -> Reply:
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        size = self.page_size or per_page
        page = int(query.get("page", ["1"])[0])
        items = sorted(self.comments_on(issue), key=lambda c: c["id"])
        chunk = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            headers["Link"] = f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return Reply(200, [_public(c) for c in chunk], headers)


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "issue"}


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """Import into a test module's namespace (or a conftest) to use it as a fixture."""
    with FakeGitHub(openapi()) as server:
        yield server
        assert server.violations == [], "requests GitHub's REST description does not allow"


def parse_github_output(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file as the runner does: `name=value` lines and heredoc blocks."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            else:
                raise ValueError(f"output {name}: delimiter {delimiter} never closes")
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        elif line.strip():
            raise ValueError(f"not an output line: {line!r}")
    return values
