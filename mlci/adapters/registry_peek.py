"""Who holds an alias, read straight from a local sqlite registry, for the gate cache's key.

Importing mlflow and opening its store costs seconds (10 s seen on a loaded CI runner), more
than the rest of a cached gate; the alias is one row of MLflow's `registered_model_aliases`
table and the version's digest one row of `model_version_tags`. Read-only, and any surprise
(no such table, a locked file) returns None, which makes the cache step aside: the gate then
runs and asks MLflow itself. Other registries go through the MLflow client.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

from mlci.adapters.mlflow_registry import DIGEST_TAG, Registry, VersionInfo

SQLITE = "sqlite:///"
NO_CHAMPION = "none"


def champion_of(tracking_uri: str, name: str, alias: str) -> str | None:
    """'VERSION:DIGEST' of the version holding ALIAS, 'none' without one, None when unknown."""
    if not tracking_uri.startswith(SQLITE):
        found: VersionInfo | None = Registry(tracking_uri).by_alias(name, alias)
        return _key(found.version, found.tags) if found else NO_CHAMPION
    path = Path(tracking_uri[len(SQLITE) :])
    if not path.is_file():
        return NO_CHAMPION  # MLflow creates the file on first use: no model yet
    try:
        return _from_sqlite(path, name, alias)
    except sqlite3.Error:
        return None


def _from_sqlite(path: Path, name: str, alias: str) -> str:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
            (name, alias),
        ).fetchone()
        if row is None:
            return NO_CHAMPION
        tags = db.execute(
            "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
            (name, row[0], DIGEST_TAG),
        ).fetchall()
    return _key(str(row[0]), dict(tags))


def _key(version: str, tags: Mapping[str, str]) -> str:
    return f"{version}:{tags.get(DIGEST_TAG, '')}"
