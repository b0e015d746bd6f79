"""The one place the concrete adapters are built from the config.

The core is typed against `mlci/ports.py`; whatever needs a registry, a tracking store, a GitHub
client and was not handed one gets it here, so another backend is one change. The data engine is
built by `make_engine` in `mlci/data/engine.py`, beside the engines it chooses from.
Adapters are imported inside the functions: `mlci --help` imports none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlci.adapters.github import GitHub
    from mlci.adapters.github_issues import GitHubIssues
    from mlci.adapters.mlflow_registry import Registry
    from mlci.adapters.mlflow_tracking import MlflowTracking
    from mlci.adapters.registry_peek import LocalRunFiles
    from mlci.config_load import LoadedConfig


def registry_for(loaded: LoadedConfig) -> Registry:
    """The registry named by the config; a local sqlite registry keeps its artifacts beside it."""
    from mlci.adapters.mlflow_registry import Registry

    uri = loaded.tracking_uri
    return Registry(uri, artifact_root=artifacts_beside(uri))


def tracking_for(tracking_uri: str) -> MlflowTracking:
    """The tracking store of the registry at TRACKING_URI: one URI, one set of credentials."""
    from mlci.adapters.mlflow_tracking import MlflowTracking

    return MlflowTracking(tracking_uri, artifact_root=artifacts_beside(tracking_uri))


def run_files_for(tracking_uri: str) -> LocalRunFiles:
    """A run's files read in place where a local sqlite store keeps them (no MLflow import),
    else downloaded by the tracking store at TRACKING_URI."""
    from mlci.adapters.registry_peek import LocalRunFiles

    return LocalRunFiles(tracking_uri, fallback=lambda: tracking_for(tracking_uri))


def artifacts_beside(tracking_uri: str) -> Path | None:
    """Where a sqlite store's artifacts go (`mlartifacts/` beside the file); None: the server's."""
    if not tracking_uri.startswith("sqlite:///"):
        return None
    return Path(tracking_uri[len("sqlite:///") :]).parent / "mlartifacts"


def github_for(token: str) -> GitHub:
    from mlci.adapters.github import GitHub

    return GitHub(token)


def issues_for(token: str) -> GitHubIssues:
    from mlci.adapters.github_issues import GitHubIssues

    return GitHubIssues(token)
