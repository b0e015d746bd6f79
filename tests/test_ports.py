"""mlci/ports.py: every concrete adapter satisfies the Protocol the core is typed against.

Each test assigns a real adapter to a variable annotated with its Protocol (mypy strict checks
the fit when it checks this file), checks at run time that it has every member the Protocol
lists with the Protocol's parameters, and makes one real call through the Protocol.
"""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import mlci.adapters.dvc as dvc_adapter
from mlci.adapters.github import GitHub
from mlci.adapters.github_issues import GitHubIssues
from mlci.adapters.mlflow_registry import Registry
from mlci.adapters.mlflow_tracking import MlflowTracking
from mlci.config import DaskConfig
from mlci.config_load import load_config
from mlci.data.engine import Engine, LocalEngine, open_dataset
from mlci.data.engine_dask import DaskEngine
from mlci.errors import InputError
from mlci.ports import (
    DataEngine,
    DataVersioning,
    IssueTracker,
    ModelRegistry,
    PullRequestComments,
    TrackingStore,
)
from mlci.wiring import registry_for, tracking_for
from tests.fake_github import FakeGitHub, fake_github

__all__ = ["fake_github"]

TOKEN = "ghs_portsTOKEN123"
REPO = "octo-org/models"


def members(protocol: type) -> list[str]:
    return [n for n, v in vars(protocol).items() if not n.startswith("_") and _is_member(v)]


def _is_member(value: Any) -> bool:
    return inspect.isfunction(value) or isinstance(value, property)


def assert_fits(adapter: object, protocol: type) -> None:
    """Every member of PROTOCOL on ADAPTER, taking (at least) the Protocol's parameters by name;
    any parameter the adapter adds has a default, so a call written to the Protocol works."""
    assert members(protocol), protocol
    for name in members(protocol):
        wanted = vars(protocol)[name]
        assert hasattr(adapter, name), f"{type(adapter).__name__} lacks {name}"
        if isinstance(wanted, property):
            continue
        want = list(inspect.signature(wanted).parameters)[1:]  # without self
        have = inspect.signature(getattr(adapter, name)).parameters
        assert [p for p in want if p not in have] == [], name
        extra = [p for n, p in have.items() if n not in want]
        assert all(p.default is not inspect.Parameter.empty for p in extra), name


@pytest.fixture
def sqlite_uri(tmp_path: Path, migrated_db: Path) -> str:
    shutil.copy(migrated_db, tmp_path / "mlflow.db")
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


def test_the_mlflow_registry_is_a_model_registry(sqlite_uri: str) -> None:
    registry: ModelRegistry = Registry(sqlite_uri)
    assert_fits(registry, ModelRegistry)
    assert registry.create_model_if_absent("m.mlci-lock", {"token": "t"}) is True
    assert registry.create_model_if_absent("m.mlci-lock", {"token": "u"}) is False
    assert registry.model_tags("m.mlci-lock") == {"token": "t"}
    assert registry.by_alias("m", "champion") is None


def test_the_mlflow_tracking_store_logs_reads_back_and_downloads(
    sqlite_uri: str, tmp_path: Path
) -> None:
    tracking: TrackingStore = tracking_for(sqlite_uri)
    assert isinstance(tracking, MlflowTracking)
    assert tracking.artifact_root == tmp_path / "mlartifacts"
    assert_fits(tracking, TrackingStore)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.json").write_text("{}\n")
    run_id = tracking.log_run(
        experiment="ports",
        name="ports-run",
        metrics=[("delta/f1 (macro)?", 0.25)],
        tags={"mlci.model": "m"},
        texts={"note.md": "hello"},
        folders={"kept": folder},
    )
    [run] = tracking.recent_runs(experiment="ports", tag=("mlci.model", "m"), limit=5)
    assert (run.run_id, dict(run.metrics)) == (run_id, {"delta/f1 _macro__": 0.25})
    assert tracking.recent_runs(experiment="ports", tag=("mlci.model", "other"), limit=5) == ()
    assert tracking.recent_runs(experiment="never-made", tag=("mlci.model", "m"), limit=5) == ()
    got = tracking.download(run_id, "kept", tmp_path / "down")
    assert (got / "a.json").read_text() == "{}\n"
    assert (tmp_path / "mlartifacts").is_dir()  # beside the sqlite file, as the registry's


def test_the_registry_and_tracking_built_by_wiring_share_one_store(
    sqlite_uri: str, tmp_path: Path
) -> None:
    (tmp_path / "mlci.yaml").write_text(f"registry:\n  tracking_uri: {sqlite_uri}\n")
    registry = registry_for(load_config(tmp_path / "mlci.yaml"))
    tracking = tracking_for(registry.tracking_uri)
    assert (registry.tracking_uri, registry.artifact_root) == (
        tracking.tracking_uri,
        tracking.artifact_root,
    )


def test_the_dvc_adapter_module_is_the_data_versioning_seam(tmp_path: Path) -> None:
    versioning: DataVersioning = dvc_adapter
    assert_fits(versioning, DataVersioning)
    with pytest.raises(InputError, match="not a DVC repository"):
        versioning.dvc_root(tmp_path)
    (tmp_path / ".dvc").mkdir()
    (tmp_path / "sub").mkdir()
    assert versioning.dvc_root(tmp_path / "sub") == tmp_path


def test_the_github_clients_are_the_comment_and_issue_seams(fake_github: FakeGitHub) -> None:
    comments: PullRequestComments = GitHub(TOKEN, api_url=fake_github.url)
    issues: IssueTracker = GitHubIssues(TOKEN, api_url=fake_github.url)
    assert_fits(comments, PullRequestComments)
    assert_fits(issues, IssueTracker)
    assert comments.upsert_comment(REPO, 7, "ports", "body").created is True
    made = issues.create_issue(REPO, "mlci monitor: m breached its checks", "text")
    assert [i.number for i in issues.open_issues(REPO)] == [made.number]


def test_both_engines_are_data_engines(tmp_path: Path) -> None:
    local: DataEngine = LocalEngine()
    dask: DataEngine = DaskEngine(DaskConfig())
    assert_fits(local, Engine)
    assert_fits(dask, Engine)
    pq.write_table(pa.table({"x": [1.0, 2.0, 3.0]}), tmp_path / "part.parquet")
    profile = local.profile(open_dataset(str(tmp_path)), edges=None, batch_rows=None, advance=None)
    assert profile.rows == 3
