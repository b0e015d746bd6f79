"""The registry guard: in CI, a regress step that cannot see a champion must say so loudly.

Every GitHub runner starts from a fresh checkout. When the MLFLOW_TRACKING_URI secret is unset
(or empty), MLflow falls back to the sqlite file named in mlci.yaml, which does not exist on the
runner, so every pull request would be judged as a "first model" (floors only, change rules
skipped) and pass quietly. In CI that is an error unless the config says a first model is expected.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.config_load import LoadedConfig
from mlci.errors import ConfigError

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

SQLITE = "sqlite:///"


def in_ci(env: Mapping[str, str] = os.environ) -> bool:
    """GitHub Actions sets both; most other CI systems set CI."""
    return bool(env.get("CI") or env.get("GITHUB_ACTIONS"))


def refuses_first_model(loaded: LoadedConfig, env: Mapping[str, str] = os.environ) -> bool:
    setting = loaded.config.registry.first_model
    return setting == "refuse" or (setting is None and in_ci(env))


def missing_sqlite(tracking_uri: str) -> Path | None:
    """The local sqlite file a tracking URI names, when it does not exist (yet)."""
    if not tracking_uri.startswith(SQLITE):
        return None
    path = Path(tracking_uri[len(SQLITE) :])
    return None if path.exists() else path


def check_before_connecting(loaded: LoadedConfig, env: Mapping[str, str] = os.environ) -> None:
    """Before MLflow creates it: a sqlite registry file that does not exist is an empty registry."""
    if not refuses_first_model(loaded, env):
        return
    path = missing_sqlite(loaded.tracking_uri)
    if path is None:
        return
    if not env.get("MLFLOW_TRACKING_URI"):
        raise ConfigError(
            f"MLFLOW_TRACKING_URI is not set: the registry would be a new, empty {path.name} on this "
            f"runner, so there is no champion to compare with; set the MLFLOW_TRACKING_URI secret "
            f"to your MLflow server (or set registry.first_model: allow in {loaded.path.name})"
        )
    raise ConfigError(
        f"MLFLOW_TRACKING_URI: {path}: no such sqlite registry, so there is no champion to compare "
        f"with; point it at your MLflow server (or set registry.first_model: allow in "
        f"{loaded.path.name})"
    )


def check_has_versions(
    loaded: LoadedConfig, registry: ModelRegistry, env: Mapping[str, str] = os.environ
) -> None:
    """A registry that holds no version of the model has no champion: the wrong registry, or
    really the first model (then the config must say so)."""
    model = loaded.config.model
    if model is None or not refuses_first_model(loaded, env):
        return
    if registry.model_exists(model.name) and registry.versions(model.name):
        return
    source = "MLFLOW_TRACKING_URI" if env.get("MLFLOW_TRACKING_URI") else "registry.tracking_uri"
    raise ConfigError(
        f"{source}: the registry at {_shown(registry.tracking_uri)} has no version of "
        f"{model.name}, so there is no champion to compare with; check the MLFLOW_TRACKING_URI "
        f"secret, or set registry.first_model: allow in {loaded.path.name} for the first model"
    )


def _shown(uri: str) -> str:
    from mlci.adapters.dvc import redact

    return redact(uri)
