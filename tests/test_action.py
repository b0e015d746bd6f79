"""The composite action (action.yml), its `run:` steps executed for real.

Each bash step runs as the runner runs it (`bash --noprofile --norc -eo pipefail`), in a temp
workspace, with the variables GitHub sets (GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
GITHUB_EVENT_PATH, ...), and its `env:` expressions substituted from the inputs and earlier steps'
outputs. `uses:` steps (actions/cache) cannot run here and are recorded as skipped. mlci is not
pip-installed: the chosen interpreter is this venv, which already imports mlci from the action's
folder (an editable install), so the install step must skip on its own: that is under test too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Project
from tests.fake_github import FakeGitHub, openapi, parse_github_output, webhook_example

REPO = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
TOKEN = "ghs_actionTestToken"


@dataclass
class StepRun:
    name: str
    code: int
    out: str
    outputs: dict[str, str]
    summary: str


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> int:
        return self.steps[-1].code

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


def run_action(
    inputs: dict[str, str],
    *,
    workspace: Path,
    env: dict[str, str],
    action_path: Path = REPO,
    stop_before: str | None = None,
) -> ActionRun:
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    outputs: dict[str, dict[str, str]] = {}
    run = ActionRun()

    def resolve(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr == "github.token":
                return TOKEN
            if expr.startswith("inputs."):
                return resolve(values[expr[len("inputs.") :]])
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if step:
                return outputs.get(step.group(1), {}).get(step.group(2), "")
            raise AssertionError(
                f"action.yml uses an expression this harness does not know: {expr}"
            )

        return EXPRESSION.sub(one, text)

    for i, step in enumerate(ACTION["runs"]["steps"]):
        name = step.get("id") or step.get("name", f"step {i}")
        if name == stop_before:
            break
        if name == "install" and outputs.get("setup", {}).get("install") == "true":
            # Never pip-install into the environment running the tests.
            raise AssertionError("the action would pip-install into the test environment")
        if "uses" in step:
            run.skipped.append(step["uses"])
            continue
        assert "if" not in step, f"{name}: run steps must decide in bash, not with if:"
        result = _run_step(
            i, step, resolve, workspace, {**env, "GITHUB_ACTION_PATH": str(action_path)}
        )
        run.steps.append(StepRun(name, *result))
        outputs[name] = result[2]
        if result[0] != 0:
            break
    run.outputs = {k: resolve(v["value"]) for k, v in ACTION["outputs"].items()}
    return run


def _run_step(
    i: int, step: dict[str, Any], resolve: Any, workspace: Path, env: dict[str, str]
) -> tuple[int, str, dict[str, str], str]:
    files = workspace.parent / "runner" / f"step-{i}"
    files.mkdir(parents=True, exist_ok=True)
    script, output, summary = files / "script.sh", files / "output", files / "summary.md"
    script.write_text(step["run"])
    output.touch()
    step_env = {k: resolve(str(v)) for k, v in (step.get("env") or {}).items()}
    cwd = workspace / resolve(step.get("working-directory", "."))
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env={**env, **step_env, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    text = summary.read_text() if summary.exists() else ""
    return done.returncode, done.stdout + done.stderr, parse_github_output(output.read_text()), text


def runner_env(
    workspace: Path, event: dict[str, Any], event_name: str, api_url: str
) -> dict[str, str]:
    event_path = workspace.parent / "event.json"
    event_path.write_text(json.dumps(event))
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "MLCI_", "MLFLOW_TRACKING_URI"))
    }
    return {
        **base,
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_REPOSITORY": event["repository"]["full_name"],
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "777",
        "GITHUB_WORKFLOW": "model gate",
        "RUNNER_OS": "Linux",
        "MLCI_GITHUB_MAX_WAIT": "0.01",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }


def test_every_input_reaches_bash_through_env_only() -> None:
    for step in ACTION["runs"]["steps"]:
        assert step.get("shell", "bash") == "bash" or "uses" in step
        if "run" in step:
            assert "${{" not in step["run"], step.get("id")
            assert step["shell"] == "bash"
    assert set(ACTION["inputs"]) >= {
        "command",
        "config",
        "args",
        "github-token",
        "comment",
        "python",
    }
    assert set(ACTION["outputs"]) >= {"verdict", "report-path", "comment-url"}
    assert ACTION["branding"] == {"icon": "check-circle", "color": "green"}


@pytest.mark.slow
def test_gate_on_a_pull_request_then_a_refused_candidate(project: Project) -> None:
    # The action's `install: auto` must find mlci imported from this checkout, as in CI (an
    # editable install of the clone); from anywhere else it would pip-install into this venv.
    where = subprocess.run(
        [sys.executable, "-c", "import mlci; print(mlci.__file__)"],
        cwd=project.root, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if REPO.resolve() not in Path(where).resolve().parents:
        pytest.fail(
            f"run the tests from an editable install of this checkout (mlci is imported from {where})"
        )
    event = webhook_example("pull_request", "synchronize")
    pr = event["pull_request"]["number"]
    workspace = project.root.parent
    # The project's registry is empty: in CI that is refused unless the config expects it.
    config = project.config()
    config["registry"]["first_model"] = "allow"
    project.write_config(config)
    inputs = {"command": "gate", "python": sys.executable, "working-directory": project.root.name}
    with FakeGitHub(openapi()) as gh:
        env = runner_env(workspace, event, "pull_request", gh.url)
        first = run_action(inputs, workspace=workspace, env=env)
        assert first.code == 0, first.steps[-1].out
        assert [s.name for s in first.steps] == [
            "setup",
            "install",
            "run",
            "report",
            "Exit with the command's verdict",
        ]
        assert first.skipped == ["actions/cache@5a3ec84eff668545956fd18022155c47e93e2684"]
        assert first.step("setup").outputs["install"] == "false"
        assert first.step("install").out.startswith(
            f"mlci: using the mlci {sys.executable} already imports"
        )
        [comment] = gh.comments_on(pr)
        assert first.outputs == {
            "verdict": "pass",
            "report-path": "mlci-report.json",
            "comment-url": comment["html_url"],
            "exit-code": "0",
        }
        assert comment["body"].startswith(
            "<!-- mlci:model-gate/breast-cancer-classifier -->\n"
            "<!-- mlci:report -->\n## ✅ mlci: **PASS**"
        )
        assert first.step("report").summary.startswith("<!-- mlci:report -->\n## ✅ mlci: **PASS**")
        assert "<svg" in (project.root / "mlci-report.html").read_text()

        project.use("broken")
        second = run_action(inputs, workspace=workspace, env=env)
        assert second.code == 1
        assert second.outputs["verdict"] == "fail"
        assert second.outputs["exit-code"] == "1"
        assert "mlci gate exited with 1 (1: the gate said no" in second.steps[-1].out
        assert "::error title=mlci regress" in second.step("report").out
        [edited] = gh.comments_on(pr)
        assert edited["id"] == comment["id"]
        assert "## ❌ mlci: **FAIL**" in edited["body"]
        assert gh.violations == []
        assert TOKEN not in "".join(s.out for s in first.steps + second.steps)


def test_setup_decides_to_install_when_mlci_is_not_from_the_action(tmp_path: Path) -> None:
    action_path = tmp_path / "action"
    action_path.mkdir()
    shutil.copy(REPO / "action.yml", action_path)
    shutil.copy(REPO / "pyproject.toml", action_path)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = runner_env(workspace, webhook_example("push"), "push", "http://127.0.0.1:9")
    run = run_action(
        {"command": "report", "python": sys.executable, "install": "auto"},
        workspace=workspace,
        env=env,
        action_path=action_path,
        stop_before="install",
    )
    setup = run.step("setup")
    assert setup.outputs["install"] == "true"
    assert setup.outputs["python"] == sys.executable
    assert re.fullmatch(r"mlci-pip-Linux-py3\.\d+-[0-9a-f]{16}", setup.outputs["cache-key"])
    # The install step would now pip-install from the action folder; stop before it downloads.


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"command": "deploy"},
            "::error title=mlci action::command: expected gate, validate, regress, version, "
            "promote, rollback, monitor or report, got 'deploy'",
        ),
        (
            {"python": "no-such-python3"},
            "::error title=mlci action::python: 'no-such-python3' not found on PATH",
        ),
        (
            {"install": "sometimes"},
            "::error title=mlci action::install: expected auto, always or never, got 'sometimes'",
        ),
    ],
)
def test_bad_inputs_stop_in_setup(tmp_path: Path, inputs: dict[str, str], message: str) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = runner_env(
        workspace, webhook_example("workflow_dispatch"), "workflow_dispatch", "http://127.0.0.1:9"
    )
    run = run_action({"python": sys.executable, **inputs}, workspace=workspace, env=env)
    assert [s.name for s in run.steps] == ["setup"]
    assert run.code == 2
    assert run.steps[0].out.strip() == message


def test_report_command_without_a_report_says_so(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = runner_env(workspace, webhook_example("push"), "push", "http://127.0.0.1:9")
    run = run_action({"command": "report", "python": sys.executable}, workspace=workspace, env=env)
    assert run.code == 0
    assert run.step("report").out.strip() == (
        "mlci: no report at mlci-report.json: the command stopped before writing one "
        "(see its error above)"
    )
    assert run.outputs["verdict"] == ""


def test_report_command_with_args_on_two_lines(tmp_path: Path) -> None:
    from mlci.report.io import write_report
    from tests.report.samples import full_report

    workspace = tmp_path / "ws"
    workspace.mkdir()
    write_report(full_report(), workspace / "mlci-report.json")
    env = runner_env(workspace, webhook_example("push"), "push", "http://127.0.0.1:9")
    inputs = {
        "command": "report",
        "python": sys.executable,
        "args": "--annotations\n2",
        "comment": "false",
    }
    run = run_action(inputs, workspace=workspace, env=env)
    assert run.code == 0
    report = run.step("report")
    assert [
        line.split("::")[1].split(" ")[0]
        for line in report.out.splitlines()
        if line.startswith("::")
    ] == [
        "error",
        "error",
    ]
    assert run.outputs["verdict"] == "fail"
    assert report.summary.startswith("<!-- mlci:report -->\n## ❌ mlci: **FAIL**")
    assert (workspace / "mlci-report.html").read_text().startswith("<!doctype html>")


REUSABLE = (
    "mlci-pr.yml",
    "mlci-promote.yml",
    "mlci-rollback.yml",
    "mlci-monitor.yml",
    "mlci-canary.yml",
)


@pytest.mark.parametrize("name", REUSABLE)
def test_reusable_workflows_check_out_their_own_repository_and_commit(name: str) -> None:
    doc = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
    # PyYAML reads the `on:` key as True.
    for trigger in doc[True].values():
        inputs = trigger["inputs"]
        assert inputs["mlci-repository"]["default"] == ""
        assert inputs["mlci-ref"]["default"] == ""
    [job] = doc["jobs"].values()
    [checkout] = [s for s in job["steps"] if s.get("name") == "Check out the mlci action"]
    assert checkout["with"]["repository"] == (
        "${{ inputs.mlci-repository || job.workflow_repository }}"
    )
    assert checkout["with"]["ref"] == "${{ inputs.mlci-ref || job.workflow_sha }}"


@pytest.mark.parametrize("name", REUSABLE)
def test_example_callers_name_mlci_only_in_their_uses_line(name: str) -> None:
    text = (REPO / "examples" / "workflows" / name).read_text()
    named = [
        line.strip()
        for line in text.splitlines()
        if "mlci/" in line and not line.lstrip().startswith("#")
    ]
    assert named == [
        f"uses: OWNER/mlci/.github/workflows/{name}@v1 # zizmor: ignore[unpinned-uses] pin a "
        "commit SHA if your policy requires it"
    ]


def test_promote_workflow_version_step_leaves_the_gate_report_to_promote() -> None:
    doc = yaml.safe_load((REPO / ".github" / "workflows" / "mlci-promote.yml").read_text())
    steps = doc["jobs"]["promote"]["steps"]
    commands = [s["with"]["command"] for s in steps if s.get("uses") == "./.mlci-action"]
    assert commands == ["gate", "version", "promote"]
    # Neither version nor promote overrides its report path: version writes mlci-version.json,
    # promote reads the gate's mlci-report.json.
    used = [s["with"] for s in steps if s.get("uses") == "./.mlci-action"]
    assert all("report-path" not in w for w in used)
    # only promote takes args, and only `--canary` (the input canary: true)
    args = {w["command"]: w.get("args") for w in used}
    assert (args["gate"], args["version"]) == (None, None)
    assert args["promote"] == "${{ inputs.canary && '--canary' || '' }}"


def test_an_unset_tracking_uri_secret_fails_the_job_with_one_line(project: Project) -> None:
    (project.root / "mlflow.db").unlink()  # a fresh runner has no registry file
    workspace = project.root.parent
    inputs = {"command": "gate", "python": sys.executable, "working-directory": project.root.name}
    env = runner_env(workspace, webhook_example("push"), "push", "http://127.0.0.1:9")
    env["MLFLOW_TRACKING_URI"] = ""  # how an unset secret reaches the step's env
    run = run_action(inputs, workspace=workspace, env=env)
    assert run.code == 2
    assert run.outputs["exit-code"] == "2"
    errors = [line for line in run.step("run").out.splitlines() if line.startswith("mlci: error:")]
    assert errors == [
        "mlci: error: MLFLOW_TRACKING_URI is not set: the registry would be a new, empty mlflow.db "
        "on this runner, so there is no champion to compare with; set the MLFLOW_TRACKING_URI "
        "secret to your MLflow server (or set registry.first_model: allow in mlci.yaml)"
    ]
    assert not (project.root / "mlflow.db").exists()
    assert "no report at mlci-report.json" in run.step("report").out
