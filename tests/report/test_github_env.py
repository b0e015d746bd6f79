"""What GitHub Actions tells a step, read from its variables and the event payload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlci.errors import InputError
from mlci.report.github_env import GitHubContext, pointer, utf16_length


def event(tmp_path: Path, payload: object) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def test_a_pull_request_run(tmp_path: Path) -> None:
    env = {
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": event(tmp_path, {"pull_request": {"number": 7}}),
        "GITHUB_WORKFLOW": "mlci",
        "GITHUB_SERVER_URL": "https://github.example/",
        "GITHUB_RUN_ID": "42",
    }
    assert GitHubContext.from_env(env) == GitHubContext(
        repository="acme/model",
        event_name="pull_request",
        pr_number=7,
        workflow="mlci",
        run_url="https://github.example/acme/model/actions/runs/42",
    )


def test_a_comment_on_a_pull_request_names_it_and_one_on_an_issue_does_not(
    tmp_path: Path,
) -> None:
    on_pr = {"issue": {"number": 9, "pull_request": {"url": "u"}}}
    assert GitHubContext.from_env({"GITHUB_EVENT_PATH": event(tmp_path, on_pr)}).pr_number == 9
    on_issue = {"issue": {"number": 9}}
    assert (
        GitHubContext.from_env({"GITHUB_EVENT_PATH": event(tmp_path, on_issue)}).pr_number is None
    )


def test_outside_actions_everything_is_none() -> None:
    assert GitHubContext.from_env({}) == GitHubContext(None, None, None, None, None)


def test_a_bad_event_file_is_an_input_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.json")
    with pytest.raises(InputError) as err:
        GitHubContext.from_env({"GITHUB_EVENT_PATH": missing})
    assert str(err.value) == f"GITHUB_EVENT_PATH: {missing}: file not found"
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(InputError) as err:
        GitHubContext.from_env({"GITHUB_EVENT_PATH": str(bad)})
    assert str(err.value).startswith(f"GITHUB_EVENT_PATH: {bad}: not a JSON event payload: ")


def test_lengths_count_as_javascript_does() -> None:
    assert utf16_length("abc") == 3
    assert utf16_length("é😀") == 3  # an emoji outside the BMP is two UTF-16 units


def test_the_pointer_links_the_run_when_known() -> None:
    assert pointer("https://x/runs/1") == (
        "Cut to fit GitHub's size limit: the full report is in "
        "[the workflow run's artifacts](https://x/runs/1) (mlci-report)."
    )
    assert pointer(None).endswith("in the workflow run's artifacts (mlci-report).")
