"""The read-only registry view of the gate cache: who holds an alias, straight from sqlite."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mlci.adapters.registry_peek import champion_of
from tests.conftest import Project


def test_the_champion_is_read_from_the_sqlite_registry(project: Project) -> None:
    uri = project.tracking_uri
    assert champion_of(uri, "breast-cancer-classifier", "champion") == "none"
    assert project.mlci("gate").code == 0
    assert project.mlci("promote").code == 0, "promote the candidate"
    found = champion_of(uri, "breast-cancer-classifier", "champion")
    assert found is not None and found.startswith("1:sha256:")
    assert champion_of(f"sqlite:///{project.root / 'absent.db'}", "m", "champion") == "none"


def test_a_file_without_mlflow_tables_is_unknown(tmp_path: Path) -> None:
    # None makes the cache step aside and the gate ask MLflow itself.
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE unrelated (x INTEGER)")
    assert champion_of(f"sqlite:///{db}", "m", "champion") is None


def test_the_champion_and_its_run_files_read_in_place_agree_with_mlflow(project: Project) -> None:
    """What the monitor reads without importing MLflow: the same version, source and tags as
    the client's, and the baseline run's folder on this disk; a wrong run id is left to MLflow."""
    from mlci.adapters.mlflow_registry import Registry
    from mlci.adapters.registry_peek import LocalRunFiles, run_artifacts, version_by_alias

    uri, name = project.tracking_uri, "breast-cancer-classifier"
    peeked = version_by_alias(uri, name, "champion")
    assert peeked is not None and peeked.version is None  # no champion yet: known, and none
    assert project.mlci("gate").code == 0
    assert project.mlci("promote").code == 0
    peeked = version_by_alias(uri, name, "champion")
    assert peeked is not None and peeked.version is not None
    assert peeked.version == Registry(uri).by_alias(name, "champion")
    run_id = peeked.version.tags["mlci.baseline_run"]
    folder = run_artifacts(uri, run_id)
    assert folder is not None
    assert sorted(p.name for p in (folder / "mlci-baseline").iterdir()) == [
        "features.json", "figures.json", "predictions.json", "reference.json",
    ]  # fmt: skip
    assert run_artifacts(uri, "0" * 32) is None
    assert version_by_alias("http://127.0.0.1:9/", name, "champion") is None

    asked: list[str] = []

    class Fallback:
        def download(self, run_id: str, artifact_path: str, into: Path, *, what: str = "") -> Path:
            asked.append(run_id)
            return into

    files = LocalRunFiles(uri, fallback=Fallback)
    assert files.download(run_id, "mlci-baseline", project.root) == folder / "mlci-baseline"
    assert files.download("0" * 32, "mlci-baseline", project.root) == project.root
    assert asked == ["0" * 32]


def test_a_workspace_set_leaves_the_champion_to_mlflow(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlci.adapters.registry_peek import version_by_alias

    assert project.mlci("gate").code == 0 and project.mlci("promote").code == 0
    monkeypatch.setenv("MLFLOW_WORKSPACE", "team-a")
    assert version_by_alias(project.tracking_uri, "breast-cancer-classifier", "champion") is None


def test_the_champion_and_its_baseline_need_no_mlflow_client_on_sqlite(project: Project) -> None:
    """find_champion and load_baseline on a local sqlite registry: a registry whose every
    method fails still gives the champion and its baseline (the peek, not MLflow, read them)."""
    from mlci.baseline import find_champion, load_baseline

    assert project.mlci("gate").code == 0 and project.mlci("promote").code == 0

    class NoClient:
        tracking_uri = project.tracking_uri

        def __getattr__(self, name: str) -> None:
            raise AssertionError(f"the MLflow registry was asked: {name}")

    registry: Any = NoClient()
    champion = find_champion(registry, "breast-cancer-classifier", "champion")
    assert champion is not None and champion.version == "1"
    baseline = load_baseline(registry, champion)
    assert baseline.version == "1" and "mean_radius" in baseline.features.columns
