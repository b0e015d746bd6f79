"""A promoted champion and inference logs written by serving real models through mlflow.pyfunc.

The registry with v1 (`baseline`) then v2 (`tuned`, the champion) promoted through real gates is
built once per module and copied into each test's folder (the copy is the same registry: its
artifacts stay where the first promotion put them).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, Project

MODEL = "breast-cancer-classifier"
MONITOR: dict[str, Any] = {
    "data": "logs",
    "timestamp": "ts",
    "window": "24h",
    "prediction": "prediction",
    "label": "label",
    "model_version": "model_version",
    "latency": {"column": "latency_ms", "max_p95_ms": 200},
    "errors": {"column": "error", "max_rate": 0.02},
}


def build_project(
    root: Path,
    trained: Path,
    migrated_db: Path,
    tracking_uri: str | None,
    model_name: str | None = None,
) -> Project:
    """The example project with v1 then v2 promoted (a real gate before each promote)."""
    from mlci.data.contract import dump_contract
    from mlci.data.infer import infer_contract
    from mlci.data.reader import read_table

    shutil.copytree(EXAMPLE, root)
    shutil.copy(migrated_db, root / "mlflow.db")
    shutil.copytree(trained / "data", root / "data")
    contract = infer_contract(read_table(root / "data" / "train.csv"), range_margin=1.0)
    (root / "mlci.schema.yaml").write_text(dump_contract(contract))
    project = Project(root=root, trained=trained)
    config = project.config()
    config["model"]["bootstrap"] = {"resamples": 200}
    if tracking_uri is not None:
        config["registry"]["tracking_uri"] = tracking_uri
    if model_name is not None:
        config["model"]["name"] = model_name
    if model_name is not None:
        config["model"]["name"] = model_name
    project.write_config(config)
    for kind in ("baseline", "tuned"):
        project.use(kind)
        gate = project.mlci("gate")
        assert gate.code == 0, gate.text
        promoted = project.mlci("promote")
        assert promoted.code == 0, promoted.text
    config["monitor"] = dict(MONITOR)
    project.write_config(config)
    return project


@pytest.fixture(scope="module")
def promoted_once(
    tmp_path_factory: pytest.TempPathFactory, trained: Path, migrated_db: Path
) -> Project:
    return build_project(
        tmp_path_factory.mktemp("promoted") / "project", trained, migrated_db, None
    )


@pytest.fixture
def promoted(promoted_once: Project, tmp_path: Path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(promoted_once.root, root)
    return Project(root=root, trained=promoted_once.trained)


@dataclass(frozen=True)
class Logs:
    """Write a window of inference logs: the champion's model answering evaluation-like rows."""

    project: Project

    def write(
        self,
        name: str = "day.parquet",
        *,
        rows: int = 400,
        model: str = "tuned",
        version: str = "2",
        change: Callable[[Any], Any] | None = None,
        latency_ms: float = 20.0,
        error_rate: float = 0.0,
        flip_labels: float = 0.0,
        score_noise: float = 0.0,
        hours_ago: float = 0.0,
        seed: int = 0,
    ) -> Path:
        import mlflow.pyfunc
        import mlflow.sklearn
        import numpy as np
        import pandas as pd

        rng = np.random.default_rng(seed)
        pool = pd.read_csv(self.project.root / "data" / "eval.csv")
        frame = pool.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True)
        labels = frame.pop("target").to_numpy()
        if change is not None:
            frame = change(frame)
        served = mlflow.pyfunc.load_model(str(self.project.trained / "models" / model))
        frame["prediction"] = np.asarray(served.predict(frame))
        # The positive class's probability, as a service logging scores would; `score_noise`
        # replaces that share of them with noise: the ranking (AUC) drops, the labels do not.
        model_dir = str(self.project.trained / "models" / model)
        scores = mlflow.sklearn.load_model(model_dir).predict_proba(frame)[:, 1]
        noise = np.random.default_rng(seed + 1)  # its own stream: the other columns stay as seeded
        frame["score"] = np.where(noise.random(rows) < score_noise, noise.random(rows), scores)
        flipped = rng.random(rows) < flip_labels
        frame["label"] = np.where(flipped, 1 - labels, labels)
        frame["latency_ms"] = rng.gamma(4.0, latency_ms / 4.0, rows)
        frame["error"] = rng.random(rows) < error_rate
        frame["model_version"] = version
        now = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
        frame["ts"] = [now - timedelta(minutes=float(m)) for m in rng.uniform(1, 600, rows)]
        folder = self.project.root / "logs"
        folder.mkdir(exist_ok=True)
        path = folder / name
        if path.suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        return path


@pytest.fixture
def logs(promoted: Project) -> Logs:
    return Logs(promoted)
