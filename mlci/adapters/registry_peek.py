"""Who holds an alias, and where a run's files are, read straight from a local sqlite registry.

Importing mlflow and opening its store costs seconds (10 s seen on a loaded CI runner), more
than the rest of a cached gate or than a monitor's read of a day of logs; the alias is one row
of MLflow's `registered_model_aliases` table, the version one row of `model_versions` with its
tags, and a run's artifact folder one row of `runs`. Read-only, in MLflow's default workspace,
and any surprise (no such table, a locked file, a workspace set, artifacts not on this disk)
returns None: the caller then asks MLflow itself. Other registries go through the MLflow client.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote, urlparse

from mlci.adapters.mlflow_registry import DIGEST_TAG, Registry, VersionInfo

if TYPE_CHECKING:
    from mlci.ports import RunFiles

SQLITE = "sqlite:///"
T = TypeVar("T")
NO_CHAMPION = "none"


def champion_of(tracking_uri: str, name: str, alias: str) -> str | None:
    """'VERSION:DIGEST' of the version holding ALIAS, 'none' without one, None when unknown."""
    if not tracking_uri.startswith(SQLITE):
        found: VersionInfo | None = Registry(tracking_uri).by_alias(name, alias)
        return _key(found.version, found.tags) if found else NO_CHAMPION
    if not Path(tracking_uri[len(SQLITE) :]).is_file():
        return NO_CHAMPION  # MLflow creates the file on first use: no model yet
    peeked = version_by_alias(tracking_uri, name, alias)
    if peeked is None:
        return None
    found = peeked.version
    return _key(found.version, found.tags) if found else NO_CHAMPION


def _key(version: str, tags: Mapping[str, str]) -> str:
    return f"{version}:{tags.get(DIGEST_TAG, '')}"


@dataclass(frozen=True)
class Peeked:
    """What the sqlite file says: the version holding the alias, or None (no such version)."""

    version: VersionInfo | None


def version_by_alias(tracking_uri: str, name: str, alias: str) -> Peeked | None:
    """The version holding ALIAS, with its source and tags; None when only MLflow can tell."""

    def query(db: sqlite3.Connection) -> Peeked | None:
        row = db.execute(
            "SELECT version FROM registered_model_aliases "
            "WHERE name = ? AND alias = ? AND workspace = 'default'",
            (name, alias),
        ).fetchone()
        if row is None:
            return Peeked(None)
        where = "WHERE name = ? AND version = ? AND workspace = 'default'"
        version = db.execute(f"SELECT source FROM model_versions {where}", (name, row[0]))
        source = version.fetchone()
        tags = db.execute(f"SELECT key, value FROM model_version_tags {where}", (name, row[0]))
        found = dict(tags.fetchall())
        if source is None:
            return None
        return Peeked(VersionInfo(name, str(row[0]), str(source[0] or ""), found))

    return _read(tracking_uri, query)


def run_artifacts(tracking_uri: str, run_id: str) -> Path | None:
    """RUN_ID's artifact folder when it is on this disk (a sqlite store's `file:` artifacts)."""

    def query(db: sqlite3.Connection) -> str | None:
        row = db.execute(
            "SELECT artifact_uri FROM runs WHERE run_uuid = ? AND lifecycle_stage = 'active'",
            (run_id,),
        ).fetchone()
        return str(row[0]) if row is not None and row[0] else None

    uri = _read(tracking_uri, query)
    if uri is None:
        return None
    parsed = urlparse(uri)
    if parsed.scheme not in ("", "file") or parsed.netloc not in ("", "localhost"):
        return None  # mlflow-artifacts:, s3:, ...: MLflow's artifact repositories fetch those
    folder = Path(unquote(parsed.path))
    return folder if folder.is_absolute() and folder.is_dir() else None


def _read(tracking_uri: str, query: Callable[[sqlite3.Connection], T | None]) -> T | None:
    """QUERY on the local sqlite registry, read-only; None when there is none or it fails."""
    path = _local_db(tracking_uri)
    if path is None:
        return None
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            return query(db)
    except sqlite3.Error:
        return None


def _local_db(tracking_uri: str) -> Path | None:
    if not tracking_uri.startswith(SQLITE) or os.environ.get("MLFLOW_WORKSPACE"):
        return None
    path = Path(tracking_uri[len(SQLITE) :])
    return path if path.is_file() else None


class LocalRunFiles:
    """A run's files read where a sqlite store keeps them; otherwise FALLBACK downloads them."""

    def __init__(self, tracking_uri: str, fallback: Callable[[], RunFiles]) -> None:
        self.tracking_uri = tracking_uri
        self.fallback = fallback

    def download(self, run_id: str, artifact_path: str, into: Path, *, what: str = "run") -> Path:
        folder = run_artifacts(self.tracking_uri, run_id)
        if folder is not None and (folder / artifact_path).is_dir():
            return folder / artifact_path
        return self.fallback().download(run_id, artifact_path, into, what=what)
