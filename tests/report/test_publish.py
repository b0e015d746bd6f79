"""mlci/report/publish.py's delivery policy, called directly with an explicit environment (the
end-to-end runs through `mlci report` are in test_command.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlci.errors import InputError
from mlci.report.annotations import workflow_annotations, workflow_command
from mlci.report.publish import Delivery, deliver
from tests.fake_github import FakeGitHub, parse_github_output, webhook_example
from tests.report.samples import full_report


class Heard(list[str]):
    def __call__(self, line: str) -> None:
        self.append(line)


def test_outputs_and_annotations_need_no_pull_request(tmp_path: Path) -> None:
    report, log, say = full_report(), Heard(), Heard()
    env = {"GITHUB_OUTPUT": str(tmp_path / "output")}
    asked = Delivery(report_path=Path("r.json"), outputs=True, annotations=2)
    assert deliver(report, asked, log=log, say=say, env=env) is None
    assert (log, say) == (workflow_annotations(report, 2), [])
    assert parse_github_output((tmp_path / "output").read_text()) == {
        "verdict": "fail",
        "report-path": "r.json",
        "comment-url": "",
    }


def test_a_missing_variable_is_an_input_error_before_anything_is_written(tmp_path: Path) -> None:
    asked = Delivery(report_path=Path("r.json"), outputs=True, summary=True, annotations=1)
    env = {"GITHUB_OUTPUT": str(tmp_path / "output")}
    with pytest.raises(InputError) as caught:
        deliver(full_report(), asked, log=Heard(), say=Heard(), env=env)
    assert str(caught.value) == (
        "--summary: $GITHUB_STEP_SUMMARY is not set (it is set inside GitHub Actions)"
    )
    assert not (tmp_path / "output").exists()


def test_a_forbidden_comment_warns_and_falls_back_to_the_summary(
    tmp_path: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url)  # the client reads it from os.environ
    fake_github.token_kind = "installation"
    fake_github.forbid_writes = True
    event = webhook_example("pull_request", "opened")
    (tmp_path / "event.json").write_text(json.dumps(event))
    env = {
        "GITHUB_TOKEN": "ghs_publishTOKEN1",
        "GITHUB_REPOSITORY": event["repository"]["full_name"],
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    log, say = Heard(), Heard()
    outcome = deliver(
        full_report(), Delivery(report_path=Path("r.json"), comment=True), log=log, say=say, env=env
    )
    assert outcome is not None and outcome.state == "forbidden"
    assert log == [workflow_command("warning", "mlci report", outcome.message)]
    assert say == [outcome.message]
    assert outcome.message.endswith("; the report is in the job summary instead")
    assert "> [!WARNING]\n> GitHub: POST" in (tmp_path / "summary.md").read_text()
