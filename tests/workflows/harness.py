"""Run a GitHub Actions workflow's jobs locally, with GitHub's semantics for the syntax mlci uses.

A `World` is the local GitHub: bare git repositories by `owner/name` (the checkout origin and
where `uses: owner/name/.github/workflows/x.yml@ref` resolves), the interpreter setup-python
provides, the API URL. `run_workflow` reads a workflow at the event's commit and runs its jobs
in `needs` order, each on a fresh runner (workspace, temp, home). Steps run for real (`bash
--noprofile --norc -eo pipefail {0}`), local composite actions are expanded from their
action.yml, and the only third-party actions are the stand-ins in `actions.py`. What GitHub
enforces and a laptop cannot (permissions, environments' reviewers, concurrency, timeouts) is
evaluated and recorded on the job, not enforced. Unknown keys, contexts and functions raise.
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.workflows import actions
from tests.workflows.commands import (
    Annotation,
    find_annotations,
    parse_key_values,
    parse_path_file,
)
from tests.workflows.expressions import (
    condition,
    evaluate,
    hash_files,
    interpolate,
    to_string,
    truthy,
)

SHELLS = {
    "bash": "bash --noprofile --norc -eo pipefail {0}",
    "sh": "sh -e {0}",
    "python": "python {0}",
}
STEP_KEYS = {"id", "name", "if", "uses", "with", "run", "shell", "env", "working-directory"}
STEP_KEYS |= {"continue-on-error", "timeout-minutes"}
JOB_KEYS = {"name", "runs-on", "needs", "if", "permissions", "environment", "concurrency"}
JOB_KEYS |= {"outputs", "env", "defaults", "steps", "timeout-minutes", "continue-on-error"}
CALL_KEYS = {"name", "uses", "with", "secrets", "needs", "if", "permissions", "concurrency"}
STEP_TIMEOUT = 900.0


class WorkflowError(ValueError):
    """Syntax GitHub would reject or this harness does not implement: the test fails."""


@dataclass
class World:
    root: Path
    repositories: dict[str, Path]
    python: Path = Path(sys.executable)
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    token: str = "ghs_harnessToken"
    base_env: dict[str, str] = field(default_factory=dict)
    runs: int = 0

    def repository(self, name: str) -> Path:
        found = next((p for n, p in self.repositories.items() if n.lower() == name.lower()), None)
        if found is None:
            raise WorkflowError(f"repository {name!r} is not in this World")
        return found

    def git(self, name: str, *args: str) -> str:
        return _git("--git-dir", str(self.repository(name)), *args)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any]
    repository: str
    ref: str
    sha: str
    actor: str = "octocat"


@dataclass
class StepRecord:
    id: str
    name: str
    outcome: str
    conclusion: str
    outputs: dict[str, str]
    log: str


@dataclass
class JobRecord:
    id: str
    result: str = "skipped"
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)
    summary: str = ""
    annotations: list[Annotation] = field(default_factory=list)
    declared: dict[str, Any] = field(default_factory=dict)  # environment, concurrency, ...

    def step(self, name: str) -> StepRecord:
        return next(s for s in self.steps if name in (s.id, s.name))

    @property
    def log(self) -> str:
        return "\n".join(f"--- {s.name} ({s.outcome})\n{s.log}" for s in self.steps)


@dataclass
class WorkflowRun:
    id: int
    conclusion: str
    jobs: dict[str, JobRecord]
    outputs: dict[str, str]
    artifacts: Path

    def job(self, name: str) -> JobRecord:
        return self.jobs[name]


@dataclass
class Call:
    """One workflow file being run: its identity, contexts and where its artifacts go."""

    world: World
    event: Event
    run_id: int
    workflow_name: str
    github: dict[str, Any]
    inputs: dict[str, Any]
    secrets: dict[str, str]
    vars: dict[str, str]
    identity: dict[str, str]  # job.workflow_repository / _sha / _ref / _file_path
    artifacts: Path
    prefix: str = ""


def load_yaml(text: str, where: str) -> dict[str, Any]:
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise WorkflowError(f"{where}: not a mapping")
    if True in doc:  # YAML 1.1 reads the `on:` key as the boolean true
        doc["on"] = doc.pop(True)
    return doc


def run_workflow(
    world: World,
    *,
    path: str,
    event: Event,
    secrets: Mapping[str, str] | None = None,
    vars: Mapping[str, str] | None = None,
) -> WorkflowRun:
    """Run `path` of event.repository at event.sha for `event`."""
    world.runs += 1
    text = world.git(event.repository, "show", f"{event.sha}:{path}")
    workflow = load_yaml(text, path)
    triggers = _triggers(workflow, path)
    if event.name not in triggers:
        raise WorkflowError(f"{path}: not triggered by {event.name} (on: {sorted(triggers)})")
    inputs: dict[str, Any] = {}
    if event.name == "workflow_dispatch":
        given = event.payload.get("inputs") or {}
        inputs = _typed_inputs(triggers[event.name] or {}, given, path, strings=True)
    artifacts = world.root / "artifacts" / str(world.runs)
    artifacts.mkdir(parents=True)
    name = str(workflow.get("name") or path)
    github = _github_context(world, event, name, run_id=world.runs, path=path)
    call = Call(
        world=world,
        event=event,
        run_id=world.runs,
        workflow_name=name,
        github=github,
        inputs=inputs,
        secrets={"GITHUB_TOKEN": world.token, **(secrets or {})},
        vars=dict(vars or {}),
        identity=_identity(event.repository, event.sha, event.ref, path),
        artifacts=artifacts,
    )
    jobs = _run_jobs(workflow, call)
    failed = any(j.result == "failure" for j in jobs.values())
    return WorkflowRun(world.runs, "failure" if failed else "success", jobs, {}, artifacts)


def _triggers(workflow: dict[str, Any], where: str) -> dict[str, Any]:
    on = workflow.get("on")
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(t): None for t in on}
    if isinstance(on, dict):
        return on
    raise WorkflowError(f"{where}: on: expected an event, a list or a mapping")


def _identity(repository: str, sha: str, ref: str, path: str) -> dict[str, str]:
    return {
        "workflow_repository": repository,
        "workflow_sha": sha,
        "workflow_ref": f"{repository}/{path}@{ref}",
        "workflow_file_path": path,
    }


def _github_context(
    world: World, event: Event, workflow: str, *, run_id: int, path: str
) -> dict[str, Any]:
    ref_name = event.ref.split("/", 2)[-1] if event.ref.startswith("refs/") else event.ref
    pull = event.payload.get("pull_request") or {}
    return {
        "event_name": event.name,
        "event": event.payload,
        "repository": event.repository,
        "repository_owner": event.repository.split("/")[0],
        "ref": event.ref,
        "ref_name": ref_name,
        "ref_type": "tag" if event.ref.startswith("refs/tags/") else "branch",
        "sha": event.sha,
        "head_ref": (pull.get("head") or {}).get("ref", ""),
        "base_ref": (pull.get("base") or {}).get("ref", ""),
        "actor": event.actor,
        "triggering_actor": event.actor,
        "token": world.token,
        "workflow": workflow,
        "workflow_ref": f"{event.repository}/{path}@{event.ref}",
        "run_id": str(run_id),
        "run_number": str(run_id),
        "run_attempt": "1",
        "server_url": world.server_url,
        "api_url": world.api_url,
        "graphql_url": f"{world.api_url}/graphql",
        "retention_days": "90",
    }


def _typed_inputs(
    declared: Mapping[str, Any], given: Mapping[str, Any], where: str, *, strings: bool = False
) -> dict[str, Any]:
    """Inputs of workflow_call (typed values) or workflow_dispatch (strings in the payload)."""
    spec = (declared or {}).get("inputs") or {}
    unknown = set(given) - set(spec)
    if unknown:
        raise WorkflowError(f"{where}: unexpected inputs {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, item in spec.items():
        kind = item.get("type", "string")
        if name in given:
            values[name] = _coerce(given[name], kind, f"{where}: inputs.{name}", strings)
        elif item.get("required"):
            raise WorkflowError(f"{where}: inputs.{name} is required")
        elif "default" in item:
            values[name] = _coerce(item["default"], kind, f"{where}: inputs.{name}", True)
        else:
            values[name] = {"boolean": False, "number": 0.0}.get(kind, "")
    return values


def _coerce(value: Any, kind: str, where: str, strings: bool) -> Any:
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if strings and str(value) in ("true", "false"):
            return str(value) == "true"
        raise WorkflowError(f"{where}: expected a boolean, got {value!r}")
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise WorkflowError(f"{where}: expected a number, got {value!r}") from None
    if kind in ("string", "choice", "environment"):
        if isinstance(value, (dict, list)):
            raise WorkflowError(f"{where}: expected a string, got {value!r}")
        return to_string(value) if not isinstance(value, str) else value
    raise WorkflowError(f"{where}: unknown input type {kind!r}")


def _run_jobs(workflow: dict[str, Any], call: Call) -> dict[str, JobRecord]:
    jobs: dict[str, Any] = workflow.get("jobs") or {}
    env = workflow.get("env") or {}
    done: dict[str, JobRecord] = {}
    for job_id in _job_order(jobs):
        spec = jobs[job_id]
        needs = _needs(spec)
        needs_ctx = {n: {"result": done[n].result, "outputs": done[n].outputs} for n in needs}
        ok = all(done[n].result == "success" for n in needs)
        contexts = _base_contexts(call) | {"needs": needs_ctx}
        functions = _status(ok, needs_failed=any(done[n].result == "failure" for n in needs))
        record = JobRecord(id=call.prefix + job_id)
        if not truthy(evaluate(condition(spec.get("if", "")), contexts, functions)):
            done[job_id] = record
            continue
        if "uses" in spec:
            _check_keys(spec, CALL_KEYS, f"jobs.{job_id}")
            done[job_id] = _call_workflow(job_id, spec, call, contexts, record)
        else:
            _check_keys(spec, JOB_KEYS, f"jobs.{job_id}")
            done[job_id] = _run_job(job_id, spec, call, contexts, workflow_env=env, record=record)
    return done


def _base_contexts(call: Call) -> dict[str, Any]:
    return {"github": call.github, "inputs": call.inputs, "vars": call.vars}


def _needs(spec: Mapping[str, Any]) -> list[str]:
    needs = spec.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def _job_order(jobs: Mapping[str, Any]) -> list[str]:
    order: list[str] = []
    pending = dict(jobs)
    while pending:
        ready = [j for j, s in pending.items() if all(n in order for n in _needs(s))]
        if not ready:
            raise WorkflowError(f"jobs: needs cycle or unknown job among {sorted(pending)}")
        order.extend(ready)
        for job_id in ready:
            del pending[job_id]
    return order


def _check_keys(spec: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(spec) - allowed
    if unknown:
        raise WorkflowError(f"{where}: keys this harness does not implement: {sorted(unknown)}")


def _status(ok: bool, *, needs_failed: bool = False) -> dict[str, Any]:
    return {
        "success": lambda: ok,
        "failure": lambda: needs_failed or not ok,
        "always": lambda: True,
        "cancelled": lambda: False,
    }


def _call_workflow(
    job_id: str, spec: Mapping[str, Any], call: Call, contexts: dict[str, Any], record: JobRecord
) -> JobRecord:
    """A caller job: `uses: owner/repo/path@ref` from a bare repository of the World."""
    uses = str(spec["uses"])
    target, _, ref = uses.partition("@")
    parts = target.split("/")
    if uses.startswith("./") or len(parts) < 4 or not ref:
        raise WorkflowError(f"jobs.{job_id}.uses: expected owner/repo/path@ref, got {uses!r}")
    repository, path = "/".join(parts[:2]), "/".join(parts[2:])
    sha = call.world.git(repository, "rev-parse", f"{ref}^{{commit}}")
    workflow = load_yaml(call.world.git(repository, "show", f"{sha}:{path}"), uses)
    declared = _triggers(workflow, uses).get("workflow_call")
    if "workflow_call" not in _triggers(workflow, uses):
        raise WorkflowError(f"{uses}: has no workflow_call trigger")
    with_ = {
        k: interpolate(v, contexts) if isinstance(v, str) else v for k, v in _map(spec, "with")
    }
    inputs = _typed_inputs(declared or {}, with_, uses)
    callee = Call(
        world=call.world,
        event=call.event,
        run_id=call.run_id,
        workflow_name=call.workflow_name,
        github=call.github,  # a called workflow's github context is the caller's
        inputs=inputs,
        secrets=_passed_secrets(spec, declared or {}, call, contexts, uses),
        vars=call.vars,
        identity=_identity(repository, sha, ref, path),
        artifacts=call.artifacts,
        prefix=f"{call.prefix}{job_id}/",
    )
    record.declared = {"uses": uses, "permissions": spec.get("permissions")}
    inner = _run_jobs(workflow, callee)
    jobs_ctx = {j: {"result": r.result, "outputs": r.outputs} for j, r in inner.items()}
    outs = ((declared or {}).get("outputs")) or {}
    out_ctx = _base_contexts(callee) | {"jobs": jobs_ctx}
    record.outputs = {k: to_string(interpolate(v["value"], out_ctx)) for k, v in outs.items()}
    record.result = "failure" if any(r.result == "failure" for r in inner.values()) else "success"
    record.steps = [s for r in inner.values() for s in r.steps]
    record.declared["jobs"] = inner
    return record


def _map(spec: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = spec.get(key) or {}
    if not isinstance(value, dict):
        raise WorkflowError(f"{key}: expected a mapping, got {value!r}")
    return list(value.items())


def _passed_secrets(
    spec: Mapping[str, Any],
    declared: Mapping[str, Any],
    call: Call,
    contexts: dict[str, Any],
    uses: str,
) -> dict[str, str]:
    allowed = (declared.get("secrets") or {}) if declared else {}
    given = spec.get("secrets")
    if given == "inherit":
        passed = dict(call.secrets)
    else:
        ctx = contexts | {"secrets": call.secrets}
        passed = {k: to_string(interpolate(str(v), ctx)) for k, v in _map(spec, "secrets")}
        unknown = set(passed) - set(allowed)
        if unknown:
            raise WorkflowError(f"{uses}: secrets not declared by workflow_call: {sorted(unknown)}")
    for name, item in allowed.items():
        if (item or {}).get("required") and not passed.get(name):
            raise WorkflowError(f"{uses}: secret {name} is required")
    passed = {k: v for k, v in passed.items() if v != ""}
    return {"GITHUB_TOKEN": call.world.token, **passed}


@dataclass
class Runner:
    """One job's machine: its folders, the environment file commands built up, its log."""

    call: Call
    job_id: str
    root: Path
    workspace: Path
    env_files: dict[str, str] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    record: JobRecord = field(default_factory=lambda: JobRecord(id=""))
    post: list[Any] = field(default_factory=list)
    counter: int = 0

    def context(self) -> dict[str, Any]:
        return {
            "os": "Linux",
            "arch": "X64",
            "name": f"harness-{self.job_id}",
            "temp": str(self.root / "temp"),
            "tool_cache": str(self.root / "tool-cache"),
            "environment": "github-hosted",
            "debug": "",
        }

    def base_env(self) -> dict[str, str]:
        github = self.call.github
        venv_bin = str(Path(sys.prefix) / "bin")
        system_path = [p for p in os.environ.get("PATH", "").split(":") if p != venv_bin]
        return {
            **self.call.world.base_env,
            "PATH": ":".join([*reversed(self.path), *system_path]),
            "HOME": str(self.root / "home"),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_EVENT_NAME": github["event_name"],
            "GITHUB_EVENT_PATH": str(self.root / "event.json"),
            "GITHUB_REPOSITORY": github["repository"],
            "GITHUB_REPOSITORY_OWNER": github["repository_owner"],
            "GITHUB_SHA": github["sha"],
            "GITHUB_REF": github["ref"],
            "GITHUB_REF_NAME": github["ref_name"],
            "GITHUB_HEAD_REF": github["head_ref"],
            "GITHUB_BASE_REF": github["base_ref"],
            "GITHUB_ACTOR": github["actor"],
            "GITHUB_WORKFLOW": github["workflow"],
            "GITHUB_JOB": self.job_id,
            "GITHUB_RUN_ID": github["run_id"],
            "GITHUB_RUN_NUMBER": github["run_number"],
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_SERVER_URL": github["server_url"],
            "GITHUB_API_URL": github["api_url"],
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": str(self.root / "temp"),
            "RUNNER_TOOL_CACHE": str(self.root / "tool-cache"),
            **self.env_files,
        }


def _run_job(
    job_id: str,
    spec: Mapping[str, Any],
    call: Call,
    contexts: dict[str, Any],
    *,
    workflow_env: Mapping[str, Any],
    record: JobRecord,
) -> JobRecord:
    root = call.world.root / "runners" / f"{call.run_id}-{(call.prefix + job_id).replace('/', '-')}"
    for folder in ("work", "temp", "home", "tool-cache"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    runner = Runner(call, job_id, root, root / "work", record=record)
    (root / "event.json").write_text(json.dumps(call.event.payload))
    contexts = contexts | {"secrets": call.secrets, "runner": runner.context()}
    record.declared = {
        k: interpolate(v, contexts) if isinstance(v, str) else v
        for k, v in spec.items()
        if k in ("runs-on", "environment", "concurrency", "permissions", "timeout-minutes")
    }
    env = _env(workflow_env, contexts, {})
    env = _env(spec.get("env") or {}, contexts, env)
    defaults = ((spec.get("defaults") or {}).get("run")) or {}
    job_ctx = {"status": "success", **call.identity}
    scope = Scope(runner, contexts | {"job": job_ctx}, env, defaults, action_path=None)
    ok = scope.run_steps(spec.get("steps") or [], f"jobs.{job_id}")
    for hook in runner.post:
        hook()
    out_ctx = scope.contexts()
    record.outputs = {
        k: to_string(interpolate(str(v), out_ctx)) for k, v in (spec.get("outputs") or {}).items()
    }
    record.result = "success" if ok else "failure"
    return record


def _env(spec: Mapping[str, Any], contexts: dict[str, Any], env: dict[str, str]) -> dict[str, str]:
    ctx = contexts | {"env": env}
    return {**env, **{k: to_string(interpolate(str(v), ctx)) for k, v in spec.items()}}


class Scope:
    """The steps of a job or of a composite action, with their own `steps` context."""

    def __init__(
        self,
        runner: Runner,
        contexts: dict[str, Any],
        env: dict[str, str],
        defaults: Mapping[str, Any],
        action_path: Path | None,
    ) -> None:
        self.runner = runner
        self.outer = contexts
        self.env = env
        self.defaults = defaults
        self.action_path = action_path
        self.steps: dict[str, Any] = {}
        self.failed = False

    def contexts(self, step_env: Mapping[str, str] | None = None) -> dict[str, Any]:
        github = dict(self.outer["github"])
        if self.action_path is not None:
            github["action_path"] = str(self.action_path)
        job = dict(self.outer.get("job") or {})
        job["status"] = "failure" if self.failed else "success"
        env = {**self.runner.env_files, **self.env, **(step_env or {})}
        return self.outer | {"github": github, "steps": self.steps, "env": env, "job": job}

    def run_steps(self, steps: list[dict[str, Any]], where: str) -> bool:
        for i, step in enumerate(steps):
            _check_keys(step, STEP_KEYS, f"{where}.steps[{i}]")
            self.run_step(i, step)
        return not self.failed

    def run_step(self, i: int, step: Mapping[str, Any]) -> None:
        step_id = str(step.get("id") or f"__step{i}")
        name = str(step.get("name") or step.get("uses") or step.get("run", "")[:40])
        functions = {
            **_status(not self.failed),
            "hashfiles": functools.partial(hash_files, self.runner.workspace),
        }
        ctx = self.contexts()
        if not truthy(evaluate(condition(step.get("if", "")), ctx, functions)):
            self.steps[step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            self.runner.record.steps.append(StepRecord(step_id, name, "skipped", "skipped", {}, ""))
            return
        env = _env(step.get("env") or {}, ctx, {**self.runner.env_files, **self.env})
        ctx = self.contexts(env)
        if "run" in step:
            code, outputs, log = self.shell(step, env, ctx)
        elif "uses" in step:
            code, outputs, log = self.uses(step, env, ctx)
        else:
            raise WorkflowError(f"step {name!r}: neither run nor uses")
        outcome = "success" if code == 0 else "failure"
        keep_going = truthy(interpolate(step.get("continue-on-error", False), ctx, functions))
        conclusion = "success" if code == 0 or keep_going else "failure"
        self.failed = self.failed or conclusion == "failure"
        self.steps[step_id] = {"outputs": outputs, "outcome": outcome, "conclusion": conclusion}
        self.runner.record.steps.append(
            StepRecord(step_id, name, outcome, conclusion, outputs, log)
        )

    def working_directory(self, step: Mapping[str, Any], ctx: dict[str, Any]) -> Path:
        relative = step.get("working-directory") or self.defaults.get("working-directory") or "."
        return self.runner.workspace / to_string(interpolate(str(relative), ctx))

    def shell(
        self, step: Mapping[str, Any], env: dict[str, str], ctx: dict[str, Any]
    ) -> tuple[int, dict[str, str], str]:
        runner = self.runner
        shell = step.get("shell") or self.defaults.get("shell")
        if shell is None and self.action_path is not None:
            raise WorkflowError("composite run steps need shell:")
        template = SHELLS.get(str(shell or "bash"), str(shell or "bash"))
        if "{0}" not in template:
            raise WorkflowError(f"shell {shell!r}: not bash, sh, python or a command with {{0}}")
        runner.counter += 1
        files = runner.root / "temp" / f"step-{runner.counter}"
        files.mkdir(parents=True)
        script = files / "script"
        script.write_text(to_string(interpolate(str(step["run"]), ctx)))
        command = [part.replace("{0}", str(script)) for part in shlex.split(template)]
        cwd = self.working_directory(step, ctx)
        if not cwd.is_dir():
            return 1, {}, f"working-directory {cwd} does not exist"
        return self.process(command, cwd, env, files)

    def process(
        self, command: list[str], cwd: Path, env: dict[str, str], files: Path
    ) -> tuple[int, dict[str, str], str]:
        runner = self.runner
        commands = {n: files / n for n in ("output", "env", "path", "summary")}
        for file in commands.values():
            file.touch()
        full_env = {**runner.base_env(), **env}
        full_env.update(
            GITHUB_OUTPUT=str(commands["output"]),
            GITHUB_ENV=str(commands["env"]),
            GITHUB_PATH=str(commands["path"]),
            GITHUB_STEP_SUMMARY=str(commands["summary"]),
            GITHUB_ACTION=uuid.uuid4().hex[:8],
        )
        if self.action_path is not None:
            full_env["GITHUB_ACTION_PATH"] = str(self.action_path)
        done = subprocess.run(
            command,
            cwd=cwd,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        runner.record.annotations.extend(find_annotations(done.stdout))
        runner.env_files.update(parse_key_values(commands["env"].read_text(), "GITHUB_ENV"))
        runner.path.extend(parse_path_file(commands["path"].read_text()))
        runner.record.summary += commands["summary"].read_text()
        outputs = parse_key_values(commands["output"].read_text(), "GITHUB_OUTPUT")
        return done.returncode, outputs, done.stdout

    def uses(
        self, step: Mapping[str, Any], env: dict[str, str], ctx: dict[str, Any]
    ) -> tuple[int, dict[str, str], str]:
        uses = str(step["uses"])
        with_ = {k: interpolate(v, ctx) if isinstance(v, str) else v for k, v in _map(step, "with")}
        if uses.startswith("./"):
            return self.composite(self.runner.workspace / uses, with_, env)
        if uses.startswith("docker://") or "@" not in uses:
            raise WorkflowError(f"uses: {uses!r}: only ./local actions and owner/name@ref")
        stand_in = actions.STAND_INS.get(uses.split("@", 1)[0].lower())
        if stand_in is None:
            raise WorkflowError(f"uses: {uses!r}: a third-party action with no local stand-in")
        result = stand_in(actions.Request(self.runner, with_, env, ctx))
        self.runner.record.annotations.extend(find_annotations(result.log))
        return result.code, result.outputs, result.log

    def composite(
        self, folder: Path, with_: dict[str, Any], env: dict[str, str]
    ) -> tuple[int, dict[str, str], str]:
        files = [folder / "action.yml", folder / "action.yaml"]
        found = next((f for f in files if f.is_file()), None)
        if found is None:
            return 1, {}, f"Can't find 'action.yml' or 'action.yaml' under {folder}"
        action = load_yaml(found.read_text(), str(found))
        runs = action.get("runs") or {}
        if runs.get("using") != "composite":
            raise WorkflowError(f"{found}: only composite actions run here")
        declared = action.get("inputs") or {}
        unknown = set(with_) - set(declared)
        if unknown:
            raise WorkflowError(f"{found}: unexpected inputs {sorted(unknown)}")
        outer = self.outer | {"env": {**self.runner.env_files, **env}}
        inputs = {
            k: to_string(with_[k] if k in with_ else interpolate(str(v.get("default", "")), outer))
            for k, v in declared.items()
        }
        contexts = {k: v for k, v in self.outer.items() if k in ("github", "runner", "job")}
        inner = Scope(self.runner, contexts | {"inputs": inputs}, env, {}, action_path=folder)
        ok = inner.run_steps(runs.get("steps") or [], str(found))
        ctx = inner.contexts()
        outputs = {
            k: to_string(interpolate(str(v["value"]), ctx))
            for k, v in (action.get("outputs") or {}).items()
        }
        return (0 if ok else 1), outputs, ""


def _git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise WorkflowError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()
