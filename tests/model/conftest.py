"""Models for the regress tests beyond the example's three: real MLflow models saved to disk.

Slow, raising, wrong-shaped and NaN-predicting models are MLflow pyfunc models wrapping a real
scikit-learn model (a python_model class defined here, pickled by reference); regression and
multiclass models are plain scikit-learn flavour models.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mlflow.pyfunc.model import PythonModel

from tests.conftest import Project

Put = Callable[[Path], None]
PIP = ["scikit-learn", "pandas"]  # explicit: inferring requirements costs seconds per save


def save_sklearn(model: Any, path: Path, proba: bool = False) -> Path:
    import mlflow.sklearn

    if path.exists():
        shutil.rmtree(path)
    mlflow.sklearn.save_model(
        model,
        str(path),
        serialization_format="cloudpickle",
        pip_requirements=PIP,
        pyfunc_predict_fn="predict_proba" if proba else "predict",
    )
    return path


class Wrapped:
    """A pyfunc model around a fitted scikit-learn model, with one deliberate behaviour."""

    def __init__(
        self, inner: Any, behaviour: str, delay: float = 0.0, flip: tuple[int, ...] = ()
    ) -> None:
        self.inner = inner
        self.behaviour = behaviour
        self.delay = delay
        self.flip = flip

    def load_context(self, context: Any) -> None:
        pass

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        if self.behaviour == "raise":
            raise RuntimeError("the feature store is down")
        out = self.inner.predict(model_input)
        if self.behaviour == "slow":
            time.sleep(self.delay)
        change = getattr(self, f"_{self.behaviour}", None)
        return out if change is None else change(out, model_input)

    def _wrong_shape(self, out: Any, model_input: Any) -> Any:
        import numpy as np

        return np.column_stack([out, out, out])

    def _short(self, out: Any, model_input: Any) -> Any:
        return out[:-1]

    def _nan(self, out: Any, model_input: Any) -> Any:
        import numpy as np

        values = out.astype(float)
        values[::7] = np.nan
        return values

    def _flip(self, out: Any, model_input: Any) -> Any:
        """Wrong on the given row positions of the batch."""
        rows = [i for i in self.flip if i < len(out)]
        out = out.copy()
        out[rows] = 1 - out[rows]
        return out

    def _wrong_on_site_a(self, out: Any, model_input: Any) -> Any:
        import numpy as np

        return np.where(model_input["site"].to_numpy() == "a", 1 - out, out)

    def _new_class(self, out: Any, model_input: Any) -> Any:
        values = out.copy()
        values[::5] = 7
        return values


with warnings.catch_warnings():
    # MLflow infers a signature from predict's type hints when the class is defined and warns
    # that `Any` is not one; the model deliberately has none (it must see the frame as it is).
    # Defined at module level, it is pickled by reference, so loading does not define it again.
    warnings.simplefilter("ignore", UserWarning)

    class WrappedModel(Wrapped, PythonModel):
        pass


def save_wrapped(
    inner: Any, path: Path, behaviour: str, delay: float = 0.0, flip: tuple[int, ...] = ()
) -> Path:
    import mlflow.pyfunc

    if path.exists():
        shutil.rmtree(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # see WrappedModel
        mlflow.pyfunc.save_model(
            str(path),
            python_model=WrappedModel(inner, behaviour, delay, flip),
            pip_requirements=PIP,
        )
    return path


def load_sklearn(path: Path) -> Any:
    import mlflow.sklearn

    return mlflow.sklearn.load_model(str(path))


@pytest.fixture
def put(project: Project) -> Callable[[Path], None]:
    """Put any MLflow model directory at the project's models/candidate."""

    def put_model(source: Path) -> None:
        target = project.root / "models" / "candidate"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)

    return put_model


@pytest.fixture
def champion(project: Project) -> Project:
    """The project with `baseline` promoted to @champion and `tuned` as the candidate."""
    project.use("baseline")
    assert project.mlci("regress").code == 0
    assert project.mlci("promote").code == 0
    project.use("tuned")
    return project


# --- reading a regress run's report (the tests of every regress module share these) -----------


def report(project: Project) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((project.root / "mlci-report.json").read_text())
    return doc


def checks(project: Project, check_id: str = "metric") -> dict[str, dict[str, Any]]:
    """The regress step's checks of one id, by title (metric name) or slice."""
    step = next(s for s in report(project)["steps"] if s["name"] == "regress")
    found = [c for c in step["checks"] if c["id"] == check_id]
    key = "slice" if check_id == "metric_slice" else None
    return {(f"{c['details'][key]} {c['title']}" if key else c["title"]): c for c in found}


def rules(project: Project, metrics: dict[str, Any], **model: Any) -> None:
    config = project.config()
    config["model"]["metrics"] = metrics
    config["model"].update(model)
    project.write_config(config)


def promote(project: Project, kind: str | None = None) -> None:
    if kind is not None:
        project.use(kind)
    result = project.mlci("regress")
    assert result.code == 0, result.text
    assert project.mlci("promote").code == 0


def tuned(project: Project) -> Any:
    return load_sklearn(project.trained / "models" / "tuned")
