"""The registry guard: in CI an empty or missing registry is an error, never a quiet first model."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.registry_guard import in_ci
from tests.conftest import Project

MODEL = "breast-cancer-classifier"


@pytest.fixture
def ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")


def with_first_model(project: Project, value: str) -> None:
    config = project.config()
    config["registry"]["first_model"] = value
    project.write_config(config)


def test_in_ci_reads_ci_or_github_actions() -> None:
    assert in_ci({"CI": "true"}) and in_ci({"GITHUB_ACTIONS": "true"})
    assert not in_ci({}) and not in_ci({"CI": ""})


@pytest.mark.usefixtures("ci")
def test_unset_secret_falling_back_to_a_new_sqlite_file_says_set_the_secret(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.root / "mlflow.db").unlink()  # what a fresh runner has
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "")  # an unset secret reaches env as ""
    result = project.mlci("regress")
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        "mlci: error: MLFLOW_TRACKING_URI is not set: the registry would be a new, empty mlflow.db "
        "on this runner, so there is no champion to compare with; set the MLFLOW_TRACKING_URI "
        "secret to your MLflow server (or set registry.first_model: allow in mlci.yaml)"
    )
    assert not (project.root / "mlflow.db").exists()  # nothing created


@pytest.mark.usefixtures("ci")
def test_a_tracking_uri_naming_a_missing_sqlite_file(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{missing}")
    result = project.mlci("gate")
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        f"mlci: error: MLFLOW_TRACKING_URI: {missing}: no such sqlite registry, so there is no "
        "champion to compare with; point it at your MLflow server (or set "
        "registry.first_model: allow in mlci.yaml)"
    )
    assert not missing.exists()
    assert not (project.root / "mlci-report.json").exists()


@pytest.mark.usefixtures("ci")
def test_a_registry_without_any_version_of_the_model(
    project: Project, mlflow_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    config = project.config()
    config["model"]["name"] = "never-registered-here"
    project.write_config(config)
    result = project.mlci("regress")
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        f"mlci: error: MLFLOW_TRACKING_URI: the registry at {mlflow_server} has no version of "
        "never-registered-here, so there is no champion to compare with; check the "
        "MLFLOW_TRACKING_URI secret, or set registry.first_model: allow in mlci.yaml for the "
        "first model"
    )


@pytest.mark.usefixtures("ci")
def test_first_model_allow_lets_the_first_model_through_in_ci(project: Project) -> None:
    with_first_model(project, "allow")
    result = project.mlci("regress")
    assert result.code == 0, result.text
    assert "no champion" in result.out.lower()


@pytest.mark.usefixtures("ci")
def test_in_ci_a_registry_with_a_champion_passes(project: Project) -> None:
    with_first_model(project, "allow")
    assert project.mlci("gate").code == 0
    assert project.mlci("promote").code == 0
    with_first_model(project, "refuse")
    result = project.mlci("regress")
    assert result.code == 0, result.text
    assert project.aliases() == {"champion": "1"}


def test_locally_an_empty_registry_is_still_a_first_model(project: Project) -> None:
    result = project.mlci("regress")
    assert result.code == 0, result.text
    assert "no champion" in result.out.lower()


def test_first_model_refuse_applies_locally_too(project: Project) -> None:
    with_first_model(project, "refuse")
    result = project.mlci("regress")
    assert result.code == 2
    assert "registry.tracking_uri: the registry at sqlite:///" in result.err
    assert f"has no version of {MODEL}" in result.err


def test_first_model_takes_allow_or_refuse(project: Project) -> None:
    with_first_model(project, "maybe")
    result = project.mlci("regress")
    assert result.code == 2
    assert result.err.strip().startswith("mlci: error: mlci.yaml: registry.first_model: ")
