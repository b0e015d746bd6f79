"""mlci/model/predict.py: what a model's raw object gives the predictor, and when it fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pytest
from mlflow.models import Model
from sklearn.linear_model import LogisticRegression

from mlci.config import Task
from mlci.errors import InputError
from mlci.model.predict import Predictor
from tests.model.conftest import save_sklearn, save_wrapped

NAME = "candidate models:/m/3"


def fitted() -> LogisticRegression:
    return LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])


def test_a_scikit_learn_model_gives_probabilities_and_classes(tmp_path: Path) -> None:
    model = mlflow.pyfunc.load_model(str(save_sklearn(fitted(), tmp_path / "sk")))
    predictor = Predictor.load(model, Task.BINARY, NAME)
    assert (predictor.proba_fn is not None, predictor.classes) == (True, (0, 1))


def test_a_python_function_model_has_no_raw_model_so_labels_only(tmp_path: Path) -> None:
    model = mlflow.pyfunc.load_model(str(save_wrapped(fitted(), tmp_path / "py", "plain")))
    predictor = Predictor.load(model, Task.BINARY, NAME)
    assert (predictor.proba_fn, predictor.classes) == (None, ())


class _UnreadableFlavour:
    """A flavour whose raw model cannot be read. No shipped flavour fails on demand, so this
    minimal implementation stands in, inside MLflow's own PyFuncModel."""

    def predict(self, data: Any, params: Any = None) -> Any:
        return [0] * len(data)

    def get_raw_model(self) -> Any:
        raise OSError("the model's weights are not on this disk")


def test_any_other_raw_model_failure_names_the_model_instead_of_labels_only() -> None:
    model = mlflow.pyfunc.PyFuncModel(model_meta=Model(), model_impl=_UnreadableFlavour())
    with pytest.raises(InputError) as caught:
        Predictor.load(model, Task.BINARY, NAME)
    assert str(caught.value) == (
        f"{NAME}: cannot read the raw model: OSError: the model's weights are not on this disk"
    )
