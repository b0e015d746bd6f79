"""mlci on the stacks teams run, from a fresh `git clone` as CI and a new teammate get it.

The team's repository tracks its data and model with DVC, pushed to the stack's remote; the clone
pulls them, then gate, version, promote, a better candidate promoted, rollback. On the production
stack (PostgreSQL, S3 on moto) the tests look behind mlci: the rows are in PostgreSQL, the objects
in S3. And the production stack's failures: a DVC remote that cannot be reached, a registry that
dies between gate and promote.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Project, Result, free_port, git, run_mlci
from tests.stacks import ARTIFACT_BUCKET, DVC_BUCKET, REMOTE, Production, Stack, dvc, s3_keys

ARTIFACTS = ("data/train.csv", "data/eval.csv", "data/new.csv", "models/candidate")
GATE_REPORT = "gate-report.json"


@dataclass(frozen=True)
class Checkout:
    """A fresh clone of the team's repository, driven as a teammate at a terminal would."""

    root: Path
    stack: Stack
    trained: Path
    model: str

    def mlci(self, *args: str) -> Result:
        return run_mlci(*args, cwd=self.root)

    def dvc(self, *args: str) -> str:
        return dvc(*args, cwd=self.root, env=self.stack.env)

    def md5(self, artifact: str) -> str:
        pointer = (self.root / f"{artifact}.dvc").read_text()
        return next(line.split()[-1] for line in pointer.splitlines() if "md5:" in line)

    def commit_candidate(self, kind: str) -> None:
        """A new model trained, tracked, committed and pushed, as the pull request brings it."""
        target = self.root / "models" / "candidate"
        shutil.rmtree(target)
        shutil.copytree(self.trained / "models" / kind, target)
        self.dvc("add", "models/candidate")
        git("commit", "-q", "-am", f"model: {kind}", cwd=self.root)
        self.dvc("push")

    def aliases(self) -> dict[str, str]:
        from mlflow import MlflowClient

        client = MlflowClient(self.stack.tracking_uri, self.stack.tracking_uri)
        found = client.search_registered_models(f"name = '{self.model}'")
        return {a: str(v) for m in found for a, v in (m.aliases or {}).items()}

    def versions(self) -> list[str]:
        from mlflow import MlflowClient

        client = MlflowClient(self.stack.tracking_uri, self.stack.tracking_uri)
        found = client.search_model_versions(f"name = '{self.model}'")
        return sorted((str(v.version) for v in found), key=int)


def checkout(
    project: Project, stack: Stack, model: str, monkeypatch: pytest.MonkeyPatch
) -> Checkout:
    """Publish the team's repository (baseline model) to the stack and clone it afresh."""
    # The stack's services reach mlci as a workflow passes them: secrets mapped to env.
    for key, value in stack.env.items():
        monkeypatch.setenv(key, value)
    # A teammate's terminal: CI semantics (registry guard, verify-only version) are the workflow
    # story's (tests/workflows); these tests pin what the same commands do against each stack.
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    origin = project.root
    (origin / "mlflow.db").unlink()  # the registry is the stack's server, never a local file
    config = project.config()
    config["model"]["name"] = model
    project.write_config(config)
    project.use("baseline")
    (origin / ".gitignore").write_text("*-report.json\n")
    git("init", "-q", "-b", "main", cwd=origin)
    dvc("init", "-q", cwd=origin)
    stack.add_remote(origin)
    dvc("add", *ARTIFACTS, cwd=origin)
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "data and baseline model", cwd=origin)
    dvc("push", cwd=origin, env=stack.env)

    clone = origin.parent / "clone"
    git("clone", "-q", str(origin), str(clone), cwd=origin.parent)
    assert not (clone / "data" / "new.csv").exists()  # pointers only, as actions/checkout gives
    team = Checkout(root=clone, stack=stack, trained=project.trained, model=model)
    team.dvc("pull")
    for artifact in ARTIFACTS:
        assert stack.holds(team.md5(artifact)), artifact
    assert (clone / "data" / "new.csv").read_bytes() == (origin / "data" / "new.csv").read_bytes()
    return team


def story(team: Checkout) -> None:
    """gate, version, promote; a better candidate: gate, version, promote; rollback."""
    model = team.model
    gate = team.mlci("gate", "--report-json", GATE_REPORT)
    assert gate.code == 0, gate.text
    version = team.mlci("version", "--report-json", "version-report.json")
    assert (version.code, version.out.splitlines()[0]) == (0, "mlci version: PASS"), version.text
    assert team.versions() == ["1"]
    promoted = team.mlci("promote", "--report", GATE_REPORT)
    assert (promoted.code, promoted.out.strip()) == (0, f"{model} v1 is now @champion (first champion)")  # fmt: skip
    assert team.aliases() == {"champion": "1"}

    team.commit_candidate("tuned")
    assert team.stack.holds(team.md5("models/candidate"))
    gate = team.mlci("gate", "--report-json", GATE_REPORT)
    assert gate.code == 0, gate.text
    version = team.mlci("version", "--report-json", "version-report.json")
    assert version.code == 0, version.text
    assert team.versions() == ["1", "2"]
    promoted = team.mlci("promote", "--report", GATE_REPORT)
    assert (promoted.code, promoted.out.strip()) == (0, f"{model} v2 is now @champion (was v1)")
    assert team.aliases() == {"champion": "2", "previous-champion": "1"}

    rolled = team.mlci("rollback")
    assert (rolled.code, rolled.out.strip()) == (0, f"{model} v1 is now @champion (rolled back from v2)")  # fmt: skip
    assert team.aliases() == {"champion": "1"}
    assert not (team.root / "mlflow.db").exists()  # MLFLOW_TRACKING_URI won over mlci.yaml's sqlite


def lineage(team: Checkout, version: str) -> dict[str, str]:
    from mlflow import MlflowClient

    client = MlflowClient(team.stack.tracking_uri, team.stack.tracking_uri)
    tags = client.get_model_version(team.model, version).tags
    return {k: v for k, v in tags.items() if k.startswith("mlci.lineage.")}


@pytest.mark.slow
def test_the_cli_story_on_the_embedded_stack(
    project: Project, embedded_stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = checkout(project, embedded_stack, "bc-embedded-story", monkeypatch)
    story(team)
    tags = lineage(team, "2")
    assert (tags["mlci.lineage.dvc_remote"], tags["mlci.lineage.dvc_remote_url"]) == (
        REMOTE,
        embedded_stack.remote_url,
    )
    assert tags["mlci.lineage.git_sha"] == git("rev-parse", "HEAD", cwd=team.root)


@pytest.mark.slow
def test_the_cli_story_on_the_production_stack(
    project: Project, production: Production, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = production.stack
    model = "bc-production-story"
    team = checkout(project, stack, model, monkeypatch)
    story(team)
    tags = lineage(team, "2")
    assert (tags["mlci.lineage.dvc_remote"], tags["mlci.lineage.dvc_remote_url"]) == (
        REMOTE,
        "s3://dvc-remote/store",
    )
    assert tags["mlci.lineage.git_sha"] == git("rev-parse", "HEAD", cwd=team.root)

    # Behind the server: the registry's rows are PostgreSQL's, the model files are S3 objects.
    pg = production.postgres
    assert pg.query("mlflow", f"SELECT alias, version FROM registered_model_aliases WHERE name = '{model}'") == [["champion", "1"]]  # fmt: skip
    rows = pg.query("mlflow", f"SELECT version, source FROM model_versions WHERE name = '{model}' ORDER BY version")  # fmt: skip
    assert [version for version, _ in rows] == ["1", "2"]
    keys = s3_keys(production.s3_endpoint, ARTIFACT_BUCKET)
    for _, source in rows:
        assert source.startswith("mlflow-artifacts:/"), source
        where = "artifacts/" + source.removeprefix("mlflow-artifacts:/").strip("/")
        assert f"{where}/MLmodel" in keys, (source, [k for k in keys if "MLmodel" in k])


def mlci_child(*args: str, cwd: Path, timeout: float) -> Result:
    """`mlci ARGS` in a child process with a hard bound: a registry that is down must not hang it."""
    done = subprocess.run(
        [sys.executable, "-m", "mlci", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.mark.slow
def test_an_unreachable_dvc_remote_is_exit_3_and_nothing_is_registered(
    project: Project, production: Production, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = "bc-production-dead-remote"
    team = checkout(project, production.stack, model, monkeypatch)
    assert team.mlci("gate", "--report-json", GATE_REPORT).code == 0
    # This machine's endpoint goes wrong (config.local, not committed): nothing listens there.
    dead = f"http://127.0.0.1:{free_port()}"
    team.dvc("remote", "modify", "--local", REMOTE, "endpointurl", dead)

    result = team.mlci("version", "--report-json", "version-report.json")
    assert result.code == 3, result.text
    # One progress line, then the one error line, naming the endpoint nothing listens on.
    # (That line also lists every pointer's absolute path: long, reported to wf-core.)
    progress, error = result.err.strip().splitlines()
    assert progress == f"mlci: dvc push -r {REMOTE} (4 artifacts)"
    assert error.startswith(f"mlci: error: dvc push -r {REMOTE} "), error
    assert f'Could not connect to the endpoint URL: "{dead}/{DVC_BUCKET}/store/files/md5/' in error
    assert team.versions() == []
    assert team.aliases() == {}
    assert production.postgres.query("mlflow", f"SELECT count(*) FROM model_versions WHERE name = '{model}'") == [["0"]]  # fmt: skip


@pytest.mark.slow
def test_a_registry_down_between_gate_and_promote_is_exit_3_and_the_champion_stays(
    project: Project, production: Production, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = "bc-production-registry-down"
    team = checkout(project, production.stack, model, monkeypatch)
    assert team.mlci("gate", "--report-json", GATE_REPORT).code == 0
    assert team.mlci("promote", "--report", GATE_REPORT).code == 0
    team.commit_candidate("tuned")
    assert team.mlci("gate", "--report-json", GATE_REPORT).code == 0

    production.mlflow.kill()
    try:
        result = mlci_child("promote", "--report", GATE_REPORT, cwd=team.root, timeout=240)
    finally:
        production.mlflow.start()
    assert result.code == 3, result.text
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("mlci: error: "), result.err
    assert team.aliases() == {"champion": "1"}
    assert team.versions() == ["1"]

    # The server is back: the same promote, with the same report, completes.
    again = team.mlci("promote", "--report", GATE_REPORT)
    assert (again.code, again.out.strip()) == (0, f"{model} v2 is now @champion (was v1)")
