"""Regression and multiclass projects end to end, and the evaluation file's own guarantees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Result, run_mlci
from tests.model.conftest import save_sklearn


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, migrated_db: Path) -> Path:
    """Real scikit-learn models on the diabetes (regression) and iris (multiclass) data."""
    from sklearn.datasets import load_diabetes, load_iris
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    root = tmp_path_factory.mktemp("tasks")
    shutil.copy(migrated_db, root / "mlflow.db")
    diabetes = load_diabetes(as_frame=True).frame
    iris = load_iris(as_frame=True).frame
    iris.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in iris.columns]
    for name, frame in (("diabetes", diabetes), ("iris", iris)):
        frame.iloc[::2].to_csv(root / f"{name}-train.csv", index=False)
        frame.iloc[1::2].to_csv(root / f"{name}-eval.csv", index=False)
    dtrain = diabetes.iloc[::2]
    X, y = dtrain.drop(columns=["target"]), dtrain["target"]
    save_sklearn(DummyRegressor().fit(X, y), root / "mean")
    save_sklearn(LinearRegression().fit(X, y), root / "linear")
    itrain = iris.iloc[::2]
    X, y = itrain.drop(columns=["target"]), itrain["target"]
    save_sklearn(DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y), root / "stump")
    save_sklearn(LogisticRegression(max_iter=1000).fit(X, y), root / "logistic")
    return root


def make_project(
    tmp_path: Path, models: Path, data: str, task: str, metrics: dict[str, Any]
) -> Path:
    root = tmp_path / data
    root.mkdir()
    shutil.copy(models / f"{data}-eval.csv", root / "eval.csv")
    shutil.copy(models / "mlflow.db", root / "mlflow.db")  # migrated once (see conftest.py)
    config = {
        "data": {"label": "target"},
        "model": {
            "name": f"{data}-model",
            "task": task,
            "candidate": "candidate",
            "eval_data": "eval.csv",
            "metrics": metrics,
        },
    }
    (root / "mlci.yaml").write_text(yaml.safe_dump(config))
    return root


def use(root: Path, models: Path, kind: str) -> None:
    if (root / "candidate").exists():
        shutil.rmtree(root / "candidate")
    shutil.copytree(models / kind, root / "candidate")


def regress(root: Path) -> tuple[Result, dict[str, dict[str, Any]]]:
    result = run_mlci("regress", cwd=root)
    if not (root / "mlci-report.json").exists():
        return result, {}
    step = json.loads((root / "mlci-report.json").read_text())["steps"][0]
    return result, {c["title"]: c for c in step["checks"]}


def test_regression_first_model_then_a_better_one(tmp_path: Path, models: Path) -> None:
    metrics = {
        "rmse": {"max_drop_relative": 0.02},
        "mae": {},
        "mape": {},
        "r2": {"min": -0.5, "max_drop": 0.01},
    }
    root = make_project(tmp_path, models, "diabetes", "regression", metrics)
    use(root, models, "mean")
    result, found = regress(root)
    assert result.code == 0, result.text
    assert (
        found["rmse"]["status"] == "skip"
    )  # its only rule is a change rule, and there is no champion
    assert found["r2"]["message"].startswith("r2: -0.0")
    assert "mcnemar" not in {c["id"] for c in found.values()}
    assert run_mlci("promote", cwd=root).code == 0
    use(root, models, "linear")
    result, found = regress(root)
    assert result.code == 0, result.text
    rmse = found["rmse"]["details"]
    assert rmse["higher_is_better"] is False
    assert rmse["delta"] < 0 and rmse["ci_high"] < 0  # lower is better, and it fell with confidence
    assert found["r2"]["details"]["delta"] > 0.3
    assert {found[m]["status"] for m in ("rmse", "mae", "mape", "r2")} == {"pass"}


def test_regression_worse_candidate_fails_on_rmse(tmp_path: Path, models: Path) -> None:
    root = make_project(
        tmp_path, models, "diabetes", "regression", {"rmse": {"max_drop_relative": 0.02}}
    )
    use(root, models, "linear")
    assert regress(root)[0].code == 0
    assert run_mlci("promote", cwd=root).code == 0
    use(root, models, "mean")
    result, found = regress(root)
    assert result.code == 1
    assert found["rmse"]["status"] == "fail"
    margin = found["rmse"]["details"]["margin"]
    assert margin == pytest.approx(0.02 * found["rmse"]["details"]["champion"])
    assert f"beyond the allowed drop {margin:.4f} with 95% confidence" in found["rmse"]["message"]


def test_roc_auc_on_a_regressor_is_a_config_error(tmp_path: Path, models: Path) -> None:
    root = make_project(tmp_path, models, "diabetes", "regression", {"roc_auc": {"min": 0.8}})
    use(root, models, "linear")
    result, _ = regress(root)
    assert result.code == 2
    assert result.err.startswith("mlci: error: mlci.yaml: model.metrics.roc_auc: ")
    assert "regression" in result.err and result.err.count("\n") == 1


def test_multiclass_with_probabilities_and_mcnemar(tmp_path: Path, models: Path) -> None:
    metrics = {
        "accuracy": {"max_drop": 0.02},
        "f1_macro": {"max_drop": 0.02},
        "f1_weighted": {},
        "log_loss": {"max": 1.0},
    }
    root = make_project(tmp_path, models, "iris", "multiclass", metrics)
    use(root, models, "stump")
    assert regress(root)[0].code == 0
    assert run_mlci("promote", cwd=root).code == 0
    use(root, models, "logistic")
    result, found = regress(root)
    assert result.code == 0, result.text
    assert found["accuracy"]["details"]["ci_low"] > 0
    assert found["log_loss"]["details"]["candidate"] < found["log_loss"]["details"]["champion"]
    mcnemar = found["McNemar (accuracy)"]
    assert mcnemar["status"] == "pass"
    assert (mcnemar["details"]["gained"], mcnemar["details"]["lost"]) == (23, 1)
    # The stump never predicts class 2, but it was fitted on it and the labels hold it: not new.
    assert found["prediction sanity"]["status"] == "pass"
    assert mcnemar["message"].endswith("the candidate is significantly more accurate")


def test_binary_task_with_three_classes_is_an_input_error(tmp_path: Path, models: Path) -> None:
    root = make_project(tmp_path, models, "iris", "binary", {"accuracy": {}})
    use(root, models, "logistic")
    result, _ = regress(root)
    assert result.code == 2
    assert (
        "label column 'target': task binary, but the labels and predictions hold 3 classes "
        "(0, 1, 2); use task multiclass" in result.err
    )
