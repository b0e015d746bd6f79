"""The read-only registry view of the gate cache: who holds an alias, straight from sqlite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
