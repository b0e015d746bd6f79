"""The story a team lives, end to end through the three caller workflows of examples/workflows/.

A "team" repository (the example project, data and model tracked by DVC and pushed to the
stack's remote) calls the reusable workflows of a bare repository holding this worktree's code
(tag v1). Every job starts from a fresh clone; MLflow is a real server, GitHub's REST API the
local one (tests/fake_github.py), events shaped like @octokit/webhooks-examples. The champion
before the story is the baseline model, promoted by a developer with `mlci` from a laptop.

(a) a pull request with a better candidate passes, with one sticky comment and the report
artifact; (b) a worse candidate pushed to it fails and edits that comment; (c) the merge
promotes: @champion moves, @previous-champion is kept, audit tags are written; (d) a dispatched
rollback moves @champion back.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, REPO, run_mlci
from tests.fake_github import FakeGitHub, fake_github, webhook_example
from tests.workflows.harness import Event, WorkflowRun, World, run_workflow
from tests.workflows.stack import Stack, embedded_stack, production_stack

__all__ = ["fake_github"]  # a fixture, imported to be used here

MODEL = "breast-cancer-classifier"
TEAM = "acme-ml/models"
OWNER = "acme-ml"  # what a team writes where the examples say OWNER
PR = 7
DVC_TRACKED = ("data/train.csv", "data/eval.csv", "data/new.csv", "models/candidate")


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def dvc(*args: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode == 0, f"dvc {' '.join(args)}: {done.stderr}"


def mlci_repository(root: Path) -> tuple[str, Path]:
    """This worktree's files (committed or not, minus what git ignores) as a bare repository
    tagged v1, under the name the examples' `uses:` lines give it."""
    listed = git("ls-files", "-co", "--exclude-standard", "-z", cwd=REPO).split("\0")
    work = root / "mlci-src"
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, work / name)
    git("init", "--quiet", "--initial-branch=main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "mlci under test", cwd=work)
    git("tag", "v1", cwd=work)
    bare = root / "mlci.git"
    git("clone", "--quiet", "--bare", str(work), str(bare), cwd=root)
    uses = (REPO / "examples" / "workflows" / "mlci-pr.yml").read_text()
    owner = uses.split("uses: ", 1)[1].split("/", 1)[0].replace("OWNER", OWNER)
    return f"{owner}/mlci", bare


@dataclass
class Team:
    """A developer's clone of the team repository, and the World the workflows run in."""

    dev: Path
    world: World
    stack: Stack
    trained: Path

    def use(self, kind: str, message: str) -> str:
        """Train-and-commit, as the developer would: a new candidate, its pointer, dvc push."""
        target = self.dev / "models" / "candidate"
        shutil.rmtree(target)
        shutil.copytree(self.trained / "models" / kind, target)
        dvc("add", "models/candidate", cwd=self.dev, env=dict(self.stack.env))
        git("add", "-A", cwd=self.dev)
        git("commit", "--quiet", "-m", message, cwd=self.dev)
        dvc("push", cwd=self.dev, env=dict(self.stack.env))
        return self.push("HEAD:refs/heads/better")

    def push(self, refspec: str) -> str:
        git("push", "--quiet", "--force", "origin", refspec, cwd=self.dev)
        return git("rev-parse", refspec.split(":", maxsplit=1)[0], cwd=self.dev)

    def pull_request_merge(self) -> str:
        """GitHub's refs/pull/N/merge: the head merged into the base, as the PR's checkout sees."""
        head = git("rev-parse", "HEAD", cwd=self.dev)
        git("checkout", "--quiet", "--detach", "main", cwd=self.dev)
        git("merge", "--quiet", "--no-ff", "-m", f"Merge {head} into main", head, cwd=self.dev)
        merge = self.push(f"HEAD:refs/pull/{PR}/merge")
        git("checkout", "--quiet", "better", cwd=self.dev)
        return merge

    def run(self, workflow: str, event: Event) -> WorkflowRun:
        path = f".github/workflows/{workflow}"
        return run_workflow(self.world, path=path, event=event, secrets=dict(self.stack.secrets))

    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(self.stack.tracking_uri, self.stack.tracking_uri)

    def aliases(self) -> dict[str, str]:
        model = self.client().get_registered_model(MODEL)
        return {alias: str(version) for alias, version in model.aliases.items()}

    def tags(self, version: str) -> dict[str, str]:
        return dict(self.client().get_model_version(MODEL, version).tags)


def build_team(root: Path, trained: Path, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The team repository on main: example project, DVC-tracked data and model, the callers."""
    from mlci.data.contract import dump_contract
    from mlci.data.infer import infer_contract
    from mlci.data.reader import read_table

    dev = root / "dev"
    shutil.copytree(EXAMPLE, dev)
    shutil.copytree(trained / "data", dev / "data")
    shutil.copytree(trained / "models" / "baseline", dev / "models" / "candidate")
    contract = infer_contract(read_table(dev / "data" / "train.csv"), range_margin=1.0)
    (dev / "mlci.schema.yaml").write_text(dump_contract(contract))
    (dev / "requirements.txt").write_text("scikit-learn\n")
    (dev / ".gitignore").write_text("mlci-report.*\nmlflow.db\n")
    workflows = dev / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for caller in sorted((REPO / "examples" / "workflows").glob("*.yml")):
        (workflows / caller.name).write_text(caller.read_text().replace("OWNER", OWNER))
    git("init", "--quiet", "--initial-branch=main", cwd=dev)
    env = dict(stack.env)
    dvc("init", "--quiet", cwd=dev, env=env)
    for command in stack.dvc_remote:
        dvc(*command, cwd=dev, env=env)
    dvc("add", *DVC_TRACKED, cwd=dev, env=env)
    git("add", "-A", cwd=dev)
    git("commit", "--quiet", "-m", "Model project: data and model with DVC, mlci", cwd=dev)
    dvc("push", cwd=dev, env=env)
    bare = root / "team.git"
    git("clone", "--quiet", "--bare", str(dev), str(bare), cwd=root)
    git("remote", "add", "origin", str(bare), cwd=dev)
    git("fetch", "--quiet", "origin", cwd=dev)
    git("checkout", "--quiet", "-b", "better", cwd=dev)
    seed_champion(dev, stack, monkeypatch)
    return bare


def seed_champion(dev: Path, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before mlci's workflows, a developer promoted the baseline from a laptop (not CI)."""
    with monkeypatch.context() as patch:
        for name in ("CI", "GITHUB_ACTIONS"):
            patch.delenv(name, raising=False)
        patch.setenv("MLFLOW_TRACKING_URI", stack.tracking_uri)
        for key, value in stack.env.items():
            patch.setenv(key, value)
        gate = run_mlci("gate", cwd=dev)
        assert gate.code == 0, gate.text
        promoted = run_mlci("promote", cwd=dev)
        assert promoted.code == 0, promoted.text
    for leftover in ("mlci-report.json", "mlci-report.html"):
        (dev / leftover).unlink(missing_ok=True)


# The stacks the story runs on: the embedded defaults behind a server, and the production shape
# (PostgreSQL + S3), each new per story; PostgreSQL and moto themselves start once per session.
STACKS = ("embedded", "production")


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    if request.param == "embedded":
        with embedded_stack(tmp_path / "stack") as found:
            yield found
        return
    postgres = request.getfixturevalue("postgres")
    s3 = request.getfixturevalue("moto_s3")
    with production_stack(tmp_path / "stack", postgres, s3) as found:
        yield found


@pytest.fixture
def team(
    tmp_path: Path,
    trained: Path,
    stack: Stack,
    fake_github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
) -> Team:
    bare = build_team(tmp_path / "team", trained, stack, monkeypatch)
    mlci_name, mlci_bare = mlci_repository(tmp_path / "mlci")
    world = World(
        root=tmp_path / "world",
        repositories={TEAM: bare, mlci_name: mlci_bare},
        api_url=fake_github.url,
        # No network here: the runner's telemetry stays off, as the test suite's does.
        base_env={"MLFLOW_DISABLE_TELEMETRY": "true", "DVC_NO_ANALYTICS": "1"},
    )
    return Team(dev=tmp_path / "team" / "dev", world=world, stack=stack, trained=trained)


def repository_payload() -> dict[str, Any]:
    return {"full_name": TEAM, "name": "models", "default_branch": "main"}


def pull_request_event(team: Team, action: str, merge: str) -> Event:
    payload = copy.deepcopy(webhook_example("pull_request", action))
    head = git("rev-parse", "better", cwd=team.dev)
    base = git("rev-parse", "main", cwd=team.dev)
    payload["number"] = PR
    payload["pull_request"].update(number=PR, merge_commit_sha=merge)
    payload["pull_request"]["head"].update(ref="better", sha=head)
    payload["pull_request"]["base"].update(ref="main", sha=base)
    payload["repository"].update(repository_payload())
    return Event("pull_request", payload, TEAM, f"refs/pull/{PR}/merge", merge)


def push_event(sha: str, before: str) -> Event:
    payload = copy.deepcopy(webhook_example("push"))
    payload.update(ref="refs/heads/main", before=before, after=sha)
    payload["repository"].update(repository_payload())
    return Event("push", payload, TEAM, "refs/heads/main", sha)


def dispatch_event(sha: str, inputs: dict[str, str]) -> Event:
    payload = copy.deepcopy(webhook_example("workflow_dispatch"))
    payload.update(ref="refs/heads/main", inputs=inputs)
    payload["repository"].update(repository_payload())
    return Event("workflow_dispatch", payload, TEAM, "refs/heads/main", sha)


def report(run: WorkflowRun, artifact: str) -> dict[str, Any]:
    """The gate report (the one with a regress step) among the artifact's JSON files."""
    for path in sorted((run.artifacts / artifact).rglob("*.json")):
        doc: dict[str, Any] = json.loads(path.read_text())
        if any(step.get("name") == "regress" for step in doc.get("steps", [])):
            return doc
    raise AssertionError(f"artifact {artifact}: no gate report among its JSON files")


@pytest.mark.slow
# About 3 minutes alone; 2 cores shared with other suites can make it 10 and more.
@pytest.mark.timeout(1800)
def test_pull_request_merge_and_rollback(team: Team, fake_github: FakeGitHub) -> None:
    assert team.aliases() == {"champion": "1"}

    # (a) a better candidate: the gate passes, one sticky comment, the report artifact.
    team.use("tuned", "Tune the model")
    better = team.run("mlci-pr.yml", pull_request_event(team, "opened", team.pull_request_merge()))
    assert better.conclusion == "success", better.job("mlci").log
    [comment] = fake_github.comments_on(PR)
    first_body = comment["body"]
    assert report(better, "mlci-report")["verdict"] in ("pass", "warn")
    assert better.job("mlci").outputs["verdict"] in ("pass", "warn")

    # (b) a worse candidate pushed to the same pull request: the job fails, the comment is edited.
    team.use("broken", "Try a smaller model")
    event = pull_request_event(team, "synchronize", team.pull_request_merge())
    worse = team.run("mlci-pr.yml", event)
    assert worse.conclusion == "failure"
    assert worse.job("mlci").outputs["verdict"] == "fail"
    [edited] = fake_github.comments_on(PR)
    assert edited["id"] == comment["id"]
    assert edited["body"] != first_body
    assert report(worse, "mlci-report")["verdict"] == "fail"
    assert team.aliases() == {"champion": "1"}

    # (c) the worse commit reverted, the pull request merged: promote moves @champion.
    git("revert", "--no-edit", "HEAD", cwd=team.dev)
    team.push("HEAD:refs/heads/better")
    before = git("rev-parse", "main", cwd=team.dev)
    git("checkout", "--quiet", "main", cwd=team.dev)
    git("merge", "--quiet", "--no-ff", "-m", f"Merge pull request #{PR}", "better", cwd=team.dev)
    merged = team.push("HEAD:refs/heads/main")
    promoted = team.run("mlci-promote.yml", push_event(merged, before))
    assert promoted.conclusion == "success", promoted.job("mlci").log
    assert promoted.job("mlci").declared["jobs"]["promote"].declared["environment"] == "production"
    assert team.aliases() == {"champion": "2", "previous-champion": "1"}
    tags = team.tags("2")
    assert tags["mlci.last_action"] == "promote"
    assert tags["mlci.replaced_version"] == "1"
    assert tags["mlci.promoted_by"] == "octocat (github actions)"
    assert team.tags("1")["mlci.replaced_by"] == "2"
    assert report(promoted, "mlci-promote-report")["verdict"] in ("pass", "warn")

    # (d) a rollback dispatched from the Actions tab: @champion back to the previous champion.
    rolled = team.run("mlci-rollback.yml", dispatch_event(merged, {"to": ""}))
    assert rolled.conclusion == "success", rolled.job("mlci").log
    assert rolled.job("mlci").outputs == {"exit-code": "0"}
    assert team.aliases()["champion"] == "1"
    assert team.tags("1")["mlci.last_action"] == "rollback"
