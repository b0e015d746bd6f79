"""`mlci report` end to end: the real CLI, real webhook payloads as GITHUB_EVENT_PATH, and the
local GitHub server behind GITHUB_API_URL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlci.report.io import write_report
from tests.conftest import run_mlci
from tests.fake_github import FakeGitHub, Reply, parse_github_output, webhook_example
from tests.report.samples import full_report

TOKEN = "ghs_neverPrintThisToken42"
HEAD = "<!-- mlci:report -->\n## ❌ mlci: **FAIL**"


@pytest.fixture
def actions_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_github: FakeGitHub
) -> dict[str, Path]:
    """The variables GitHub Actions sets for a step, around a pull_request `opened` event."""
    event = webhook_example("pull_request", "opened")
    paths = {
        name: tmp_path / name for name in ("event.json", "summary.md", "output", "mlci-report.json")
    }
    paths["event.json"].write_text(json.dumps(event))
    write_report(full_report(), paths["mlci-report.json"])
    for key, value in {
        "GITHUB_API_URL": fake_github.url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": event["repository"]["full_name"],
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(paths["event.json"]),
        "GITHUB_WORKFLOW": "model gate",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_STEP_SUMMARY": str(paths["summary.md"]),
        "GITHUB_OUTPUT": str(paths["output"]),
        "MLCI_GITHUB_MAX_WAIT": "0.01",
        "MLCI_GITHUB_RETRIES": "3",
    }.items():
        monkeypatch.setenv(key, value)
    return paths


def _report(paths: dict[str, Path], *args: str) -> tuple[int, str, str]:
    result = run_mlci("report", "--report", paths["mlci-report.json"], *args)
    return result.code, result.out, result.err


def test_sticky_comment_summary_outputs_annotations_and_html(
    actions_env: dict[str, Path], fake_github: FakeGitHub, tmp_path: Path
) -> None:
    pr = webhook_example("pull_request", "opened")["pull_request"]["number"]
    args = (
        "--github-comment",
        "--summary",
        "--github-output",
        "--annotations",
        "2",
        "--format",
        "html",
        "-o",
        str(tmp_path / "r.html"),
    )
    first = _report(actions_env, *args)
    second = _report(actions_env, *args)
    assert (first[0], second[0]) == (0, 0)
    [comment] = fake_github.comments_on(pr)
    assert comment["body"].startswith("<!-- mlci:model-gate/breast-cancer-classifier -->\n" + HEAD)
    assert "[the workflow run's artifacts](https://github.com/" in comment["body"]
    assert (
        "created the pull request comment" in first[2]
        and "updated the pull request comment" in second[2]
    )
    assert first[1].splitlines()[:2] == [
        "::error title=mlci validate%3A categories (clinic)::clinic: unexpected values "
        "@org/everyone, </details>",
        "::error title=mlci validate%3A Distribution drift (worst_radius)::"
        "worst_radius drifted: psi 0.31 > 0.2",
    ]
    outputs = parse_github_output(actions_env["output"].read_text())
    assert outputs == {
        "verdict": "fail",
        "report-path": str(actions_env["mlci-report.json"]),
        "comment-url": comment["html_url"],
    }
    assert actions_env["summary.md"].read_text().count("## ❌ mlci: **FAIL**") == 2
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")
    assert TOKEN not in first[1] + first[2]


def test_fork_pull_request_falls_back_to_the_summary(
    actions_env: dict[str, Path], fake_github: FakeGitHub
) -> None:
    fake_github.token_kind = "installation"
    fake_github.forbid_writes = True
    code, out, err = _report(actions_env, "--github-comment", "--github-output", "--format", "json")
    assert code == 0
    assert out.startswith("::warning title=mlci report::GitHub: POST /repos/")
    assert "403 Resource not accessible by integration" in err
    summary = actions_env["summary.md"].read_text()
    assert summary.startswith(HEAD)
    assert "> [!WARNING]\n> GitHub: POST" in summary
    assert parse_github_output(actions_env["output"].read_text())["comment-url"] == ""


@pytest.mark.parametrize("event", ["push", "workflow_dispatch"])
def test_events_without_a_pull_request_skip_the_comment(
    actions_env: dict[str, Path],
    fake_github: FakeGitHub,
    event: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actions_env["event.json"].write_text(json.dumps(webhook_example(event)))
    monkeypatch.setenv("GITHUB_EVENT_NAME", event)
    code, _, err = _report(actions_env, "--github-comment", "--summary", "--format", "terminal")
    assert code == 0
    assert f"mlci: no pull request in {event}: no comment to make" in err
    assert fake_github.received == []
    assert actions_env["summary.md"].read_text().startswith(HEAD)


def test_github_failing_after_retries_exits_3(
    actions_env: dict[str, Path], fake_github: FakeGitHub
) -> None:
    fake_github.script("GET", r"/comments$", Reply(502, {"message": "Bad Gateway"}), times=3)
    code, _, err = _report(actions_env, "--github-comment", "--format", "json")
    assert code == 3
    assert err.strip().endswith("/comments: HTTP 502; gave up after 3 attempts")
    assert TOKEN not in err


def test_summary_outside_actions_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    write_report(full_report(), tmp_path / "r.json")
    result = run_mlci("report", "--report", tmp_path / "r.json", "--summary")
    assert result.code == 2
    assert (
        result.err == "mlci: error: --summary: $GITHUB_STEP_SUMMARY is not set "
        "(it is set inside GitHub Actions)\n"
    )


def test_bad_report_and_bad_format(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text('{"schema_version": "0.1"}')
    result = run_mlci("report", "--report", tmp_path / "r.json")
    assert result.code == 2
    assert "not an mlci report of schema 1.0 (schema_version: '0.1')" in result.err
    assert run_mlci("report", "--format", "pdf").code == 2


@pytest.mark.parametrize(
    ("fmt", "start"),
    [
        ("md", "<!-- mlci:report -->\n## ❌ mlci"),
        ("json", "{"),
        ("terminal", "mlci verdict: FAIL"),
        ("html", "<!doctype html>"),
    ],
)
def test_formats_to_stdout(tmp_path: Path, fmt: str, start: str) -> None:
    write_report(full_report(), tmp_path / "r.json")
    result = run_mlci("report", "--report", tmp_path / "r.json", "--format", fmt)
    assert result.code == 0
    assert result.out.startswith(start)


def test_the_command_module_stays_light() -> None:
    """`mlci --help` imports every command's module list lazily; report's must not pull in
    requests or jinja2 (they load only when a report is rendered or posted)."""
    code = (
        "import sys, mlci.commands.report; "
        "print(sorted(m for m in ('requests', 'jinja2', 'markupsafe') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_huge_report_is_cut_to_the_comment_limit(
    actions_env: dict[str, Path], fake_github: FakeGitHub
) -> None:
    from mlci.results import CheckResult, GateReport, Status, StepResult

    many = tuple(
        CheckResult(
            "range", "range", Status.FAIL, f"c{i}: {'v' * 100} out of range", column=f"c{i}"
        )
        for i in range(1500)
    )
    big = full_report()
    write_report(
        GateReport((StepResult("validate", many), *big.steps), big.provenance),
        actions_env["mlci-report.json"],
    )
    code, _, _ = _report(actions_env, "--github-comment", "--format", "json")
    assert code == 0
    [comment] = fake_github.comments.values()
    assert len(comment["body"]) <= 65_536
    assert comment["body"].endswith(
        "Cut to fit GitHub's size limit: the full report is in "
        "[the workflow run's artifacts](https://github.com/"
        f"{webhook_example('pull_request', 'opened')['repository']['full_name']}"
        "/actions/runs/4242) (mlci-report).\n"
    )


def test_comment_without_a_token_or_with_a_broken_event_is_an_input_error(
    actions_env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, fake_github: FakeGitHub
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    code, _, err = _report(actions_env, "--github-comment", "--format", "json")
    assert code == 2
    assert err == (
        "mlci: error: --github-comment: GITHUB_TOKEN is not set (the action passes its token)\n"
    )
    actions_env["event.json"].write_text("{not json")
    code, _, err = _report(actions_env, "--summary", "--format", "json")
    assert code == 2
    assert err.startswith(
        f"mlci: error: GITHUB_EVENT_PATH: {actions_env['event.json']}: not a JSON"
    )
    assert fake_github.received == []


def test_annotations_need_no_github_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "missing.json"))  # never read here
    write_report(full_report(), tmp_path / "r.json")
    result = run_mlci(
        "report", "--report", tmp_path / "r.json", "--annotations", "1", "-o", tmp_path / "r.md"
    )
    assert result.code == 0
    assert result.out == (
        "::error title=mlci validate%3A categories (clinic)::clinic: unexpected values "
        "@org/everyone, </details>\n"
    )
    assert result.err == f"wrote {tmp_path / 'r.md'}\n"
