"""Real parts for every test: git, DVC, a sqlite MLflow registry, scikit-learn models.

Models are trained once per session (training and saving is the slow part) and copied into each
test's own project folder, which gets a fresh registry of its own.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest
import yaml

pytest_plugins = ["tests.stacks"]

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "demo-project"
KINDS = ("baseline", "tuned", "broken")

os.environ.update(
    {
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "MLFLOW_LOGGING_LEVEL": "ERROR",
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
        # Every `mlflow server` a test starts (conftest, stacks, the workflow harness) inherits
        # this: by default the server also launches a job runner with seven huey consumer
        # processes (GenAI scorers and periodic jobs), each importing mlflow. mlci uses none of
        # them, and on a 2-core machine they cost each server start tens of CPU-seconds.
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "mlci tests",
        "GIT_AUTHOR_EMAIL": "tests@mlci.invalid",
        "GIT_COMMITTER_NAME": "mlci tests",
        "GIT_COMMITTER_EMAIL": "tests@mlci.invalid",
    }
)
os.environ.pop("MLFLOW_TRACKING_URI", None)
# Whether the suite itself runs in CI (.ci/run): read once, because each test runs as "local"
# (mlci's registry guard and `mlci version --verify` turn on in CI); tests that want CI set it.
# Kept in MLCI_SUITE_IN_CI too, for the worker processes pytest-xdist starts after this import.
SUITE_IN_CI = bool(os.environ.get("CI") or os.environ.get("MLCI_SUITE_IN_CI"))
if SUITE_IN_CI:
    os.environ["MLCI_SUITE_IN_CI"] = "1"
# Out of the environment from here on, so that session and module fixtures (which run before
# any function fixture) are "local" too.
for _name in ("CI", "GITHUB_ACTIONS"):
    os.environ.pop(_name, None)


@pytest.fixture(autouse=True)
def _no_inherited_tracking_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test names its registry; MLflow exports MLFLOW_TRACKING_URI when code sets it globally."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def tool_missing(in_ci: str, elsewhere: str) -> NoReturn:
    """A tool the tests need is not installed: a failure in CI (.ci/run installs it, so a
    missing one is a broken run), a skip with how to install it elsewhere."""
    if SUITE_IN_CI:
        pytest.fail(in_ci)
    pytest.skip(elsewhere)


def run_mlci(*args: str | Path, cwd: Path | None = None) -> Result:
    """`mlci ARGS` in this process (fast: mlflow stays imported), through the real main()."""
    from mlci.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
            except SystemExit as exc:
                code = int(exc.code or 0)
    finally:
        os.chdir(old)
    return Result(code, out.getvalue(), err.getvalue())


def run_mlci_process(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> Result:
    """`mlci ARGS` in a child process: for what must be proven outside pytest's process."""
    done = subprocess.run(
        [sys.executable, "-m", "mlci", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def imports_of(args: list[str], watched: set[str], cwd: Path) -> tuple[int | None, list[str], str]:
    """`mlci ARGS` through main() in a child process (this one has imported everything):
    its exit code, which of WATCHED modules it imported, and its output."""
    script = (
        "import sys\n"
        "from mlci.cli import main\n"
        "code = 0\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        "print('EXIT', code)\n"
        f"print('LOADED', sorted({sorted(watched)!r} & sys.modules.keys()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        cwd=cwd,
    )
    lines = done.stdout.strip().splitlines()
    if len(lines) < 2 or not lines[-2].startswith("EXIT "):
        raise AssertionError(f"the child did not finish: {done.stdout}{done.stderr}")
    code = lines[-2].removeprefix("EXIT ")
    loaded = ast.literal_eval(lines[-1].removeprefix("LOADED "))
    return (None if code == "None" else int(code)), loaded, done.stdout + done.stderr


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mlci_example_train", EXAMPLE / "train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/{train,eval,new}.csv and models/{baseline,tuned,broken}, built once."""
    root = tmp_path_factory.mktemp("trained")
    example = load_example()
    example.make_data(root)
    for kind in KINDS:
        example.train(root, kind, root / "models" / kind)
    return root


def base_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((EXAMPLE / "mlci.yaml").read_text())
    return config


@dataclass
class Project:
    """One test's example project: its folder, config, and helpers to drive it."""

    root: Path
    trained: Path

    @property
    def config_path(self) -> Path:
        return self.root / "mlci.yaml"

    @property
    def tracking_uri(self) -> str:
        return f"sqlite:///{self.root / 'mlflow.db'}"

    def write_config(self, config: dict[str, Any]) -> None:
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False))

    def config(self) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load(self.config_path.read_text())
        return loaded

    def use(self, kind: str) -> None:
        """Put a trained model at models/candidate, as the project's training would."""
        target = self.root / "models" / "candidate"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.trained / "models" / kind, target)

    def mlci(self, *args: str | Path) -> Result:
        return run_mlci(*args, cwd=self.root)

    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(self.tracking_uri, self.tracking_uri)

    def aliases(self, name: str = "breast-cancer-classifier") -> dict[str, str]:
        from mlflow.exceptions import MlflowException

        try:
            model = self.client().get_registered_model(name)
        except MlflowException:
            return {}
        return {alias: str(version) for alias, version in (model.aliases or {}).items()}

    def versions(self, name: str = "breast-cancer-classifier") -> list[str]:
        found = self.client().search_model_versions(f"name = '{name}'")
        return sorted((str(v.version) for v in found), key=int)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty sqlite MLflow database with every migration applied."""
    from mlflow import MlflowClient

    path = tmp_path_factory.mktemp("registry") / "mlflow.db"
    MlflowClient(f"sqlite:///{path}", f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def project(tmp_path: Path, trained: Path, migrated_db: Path) -> Project:
    """The example project with data, the inferred contract, and the `tuned` model as candidate.

    Its registry starts as a copy of an empty, migrated sqlite database: a new file costs MLflow
    about seven seconds of schema migrations, and a copy is the same registry (experiments and
    models are created on first use, with this project's own artifact folder).
    """
    from mlci.data.contract import dump_contract
    from mlci.data.infer import infer_contract
    from mlci.data.reader import read_table

    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root)
    shutil.copy(migrated_db, root / "mlflow.db")
    shutil.copytree(trained / "data", root / "data")
    contract = infer_contract(read_table(root / "data" / "train.csv"), range_margin=1.0)
    (root / "mlci.schema.yaml").write_text(dump_contract(contract))
    proj = Project(root=root, trained=trained)
    proj.use("tuned")
    return proj


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `mlflow server` on 127.0.0.1 with a sqlite backend and a local artifact store."""
    from tests.stacks import mlflow_server as server  # stacks imports this module

    root = tmp_path_factory.mktemp("mlflow-server")
    with server(root, f"sqlite:///{root / 'server.db'}") as url:
        yield url


@pytest.fixture
def registry(tmp_path: Path, migrated_db: Path) -> Any:
    """A fresh sqlite registry (mlci's adapter) with its artifacts beside it, as registry_for
    makes one."""
    from mlci.adapters.mlflow_registry import Registry

    folder = tmp_path / "registry"
    folder.mkdir()
    shutil.copy(migrated_db, folder / "mlflow.db")
    return Registry(f"sqlite:///{folder / 'mlflow.db'}", artifact_root=folder / "mlartifacts")
