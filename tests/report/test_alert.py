"""The monitor's alert issue through `mlci report --github-issue`, against the local GitHub server:
opened once on a breach, updated on the next, commented on and closed when healthy again."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.report.io import write_report
from mlci.results import CheckResult, GateReport, ModelRef, Provenance, Status, StepResult
from tests.conftest import run_mlci
from tests.fake_github import FakeGitHub

MODEL = "bc"


def monitor_report(status: Status, at: str) -> GateReport:
    check = CheckResult("error_rate", "Error rate", status, "12 of 400 requests failed (3.00%)")
    champion = ModelRef(MODEL, f"models:/{MODEL}/2", "2")
    provenance = Provenance(None, "sha256:c", "0.1", at, champion=champion)
    return GateReport(steps=(StepResult("monitor", (check,)),), provenance=provenance)


@pytest.fixture
def issue_env(monkeypatch: pytest.MonkeyPatch, fake_github: FakeGitHub) -> None:
    for key, value in {
        "GITHUB_API_URL": fake_github.url,
        "GITHUB_TOKEN": "ghs_secret",
        "GITHUB_REPOSITORY": "o/r",
        "MLCI_GITHUB_MAX_WAIT": "0.01",
        "MLCI_GITHUB_RETRIES": "2",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)


def alert(tmp_path: Path, report: GateReport) -> tuple[int, str]:
    path = tmp_path / "mlci-monitor.json"
    write_report(report, path)
    result = run_mlci("report", "--report", path, "--github-issue", "--format", "json")
    return result.code, result.err.strip()


@pytest.mark.usefixtures("issue_env")
def test_one_issue_opened_updated_then_closed(tmp_path: Path, fake_github: FakeGitHub) -> None:
    url = "https://github.com/o/r/issues/1"
    assert alert(tmp_path, monitor_report(Status.PASS, "t0")) == (
        0,
        f"mlci: {MODEL}: healthy, no open monitor issue",
    )
    assert fake_github.issues == {}
    assert alert(tmp_path, monitor_report(Status.FAIL, "t1")) == (
        0,
        f"mlci: opened the monitor issue {url}",
    )
    assert alert(tmp_path, monitor_report(Status.FAIL, "t2")) == (
        0,
        f"mlci: updated the monitor issue {url}",
    )
    [issue] = fake_github.issues.values()
    assert issue["title"] == f"mlci monitor: {MODEL} breached its checks"
    assert issue["body"].startswith(f"<!-- mlci:monitor/{MODEL} -->\n")
    assert "12 of 400 requests failed" in issue["body"]
    assert alert(tmp_path, monitor_report(Status.PASS, "t3")) == (
        0,
        f"mlci: closed the monitor issue {url}",
    )
    assert issue["state"] == "closed"
    [comment] = fake_github.comments_on(1)
    assert comment["body"].startswith("Healthy again: t3.")
    assert fake_github.violations == []
    # The next breach opens a new issue: the closed one is history.
    assert alert(tmp_path, monitor_report(Status.FAIL, "t4"))[1].startswith(
        "mlci: opened the monitor issue"
    )
    assert [i["state"] for i in fake_github.issues.values()] == ["closed", "open"]


@pytest.mark.usefixtures("issue_env")
def test_a_token_that_may_not_write_issues_is_a_warning(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    fake_github.forbid_writes = True
    path = tmp_path / "mlci-monitor.json"
    write_report(monitor_report(Status.FAIL, "t1"), path)
    result = run_mlci("report", "--report", path, "--github-issue", "--format", "json")
    assert result.code == 0
    assert result.out.startswith("::warning title=mlci report::GitHub: POST /repos/o/r/issues")
    assert fake_github.issues == {}
