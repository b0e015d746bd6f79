"""mlci/wiring.py: the one place that builds the concrete adapters from a config."""

from __future__ import annotations

from mlci.config_load import load_config
from mlci.wiring import registry_for
from tests.conftest import Project


def test_registry_for_keeps_sqlite_artifacts_beside_the_database(project: Project) -> None:
    registry = registry_for(load_config(project.config_path))
    assert registry.tracking_uri == project.tracking_uri
    assert registry.artifact_root == project.root / "mlartifacts"
    config = project.config()
    config["registry"]["tracking_uri"] = "http://127.0.0.1:5000"
    project.write_config(config)
    remote = registry_for(load_config(project.config_path))
    assert (remote.tracking_uri, remote.artifact_root) == ("http://127.0.0.1:5000", None)
