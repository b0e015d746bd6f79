"""regress + promote + rollback against a real `mlflow server` over HTTP (sqlite backend)."""

from __future__ import annotations

import pytest

from tests.conftest import Project

MODEL = "breast-cancer-classifier"


@pytest.mark.slow
def test_gate_promote_rollback_over_http(
    project: Project, mlflow_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient

    config = project.config()
    config["model"]["name"] = "bc-over-http"
    config["registry"]["tracking_uri"] = mlflow_server
    project.write_config(config)
    client = MlflowClient(mlflow_server, mlflow_server)

    project.use("baseline")
    first = project.mlci("gate")
    assert first.code == 0, first.text
    assert project.mlci("promote").code == 0
    project.use("tuned")
    second = project.mlci("gate")
    assert second.code == 0, second.text
    promoted = project.mlci("promote")
    assert (promoted.code, promoted.out.strip()) == (0, "bc-over-http v2 is now @champion (was v1)")
    aliases = {a: str(v) for a, v in client.get_registered_model("bc-over-http").aliases.items()}
    assert aliases == {"champion": "2", "previous-champion": "1"}
    # The registered files came through the server's artifact proxy, not a local path.
    assert str(client.get_model_version("bc-over-http", "2").source).startswith(
        "mlflow-artifacts:/"
    )

    rolled = project.mlci("rollback")
    assert (rolled.code, rolled.out.strip()) == (
        0,
        "bc-over-http v1 is now @champion (rolled back from v2)",
    )
    assert {a: str(v) for a, v in client.get_registered_model("bc-over-http").aliases.items()} == {
        "champion": "1"
    }
    # The env var wins over mlci.yaml: the same server named only by MLFLOW_TRACKING_URI.
    config["registry"]["tracking_uri"] = "sqlite:///unused.db"
    project.write_config(config)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    history = project.mlci("history")
    assert [line.split()[1:3] for line in history.out.splitlines()] == [
        ["rollback", "v1"],
        ["promote", "v2"],
        ["promote", "v1"],
    ]
    assert not (project.root / "unused.db").exists()


@pytest.mark.slow
def test_server_down_is_a_service_error(project: Project) -> None:
    from tests.conftest import free_port

    config = project.config()
    config["registry"]["tracking_uri"] = f"http://127.0.0.1:{free_port()}"
    project.write_config(config)
    result = project.mlci("regress")
    assert result.code == 3
    assert (
        result.err.strip()
        .splitlines()[-1]
        .startswith(
            "mlci: error: registered model breast-cancer-classifier: MLflow registry failed: "
        )
    )
