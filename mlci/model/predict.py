"""Run a loaded model on the evaluation rows and turn its output into Predictions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlci.config import Task
from mlci.errors import InputError
from mlci.model.metrics import Predictions

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    from mlflow.pyfunc import PyFuncModel


def predict(model: PyFuncModel, features: pd.DataFrame, task: Task, name: str) -> Predictions:
    """Predictions with probabilities where the model offers them; errors name the model."""
    import numpy as np

    out = _call(lambda: model.predict(features), name)
    array = np.asarray(out)
    if len(array) != len(features):
        raise InputError(f"{name}: predict returned {len(array)} rows for {len(features)} evaluation rows")
    if task is Task.REGRESSION:
        return Predictions(values=_as_float(array.reshape(len(array), -1)[:, 0], name))
    raw = _raw_model(model)
    classes = tuple(getattr(raw, "classes_", ()))
    if array.ndim == 2 and array.shape[1] > 1:
        # The model's pyfunc predicts probabilities (pyfunc_predict_fn="predict_proba").
        proba = _as_float(array, name)
        labels = np.asarray(classes, dtype=object)[proba.argmax(axis=1)] if classes else proba.argmax(axis=1)
        return Predictions(values=labels, proba=proba, classes=classes)
    proba = None
    if hasattr(raw, "predict_proba"):
        proba = _as_float(np.asarray(_call(lambda: raw.predict_proba(features), name)), name)
    return Predictions(values=array.reshape(-1), proba=proba, classes=classes)


def _call(fn: Any, name: str) -> Any:
    try:
        return fn()
    except Exception as exc:  # a user's model can raise anything; name it and stop (exit 2)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise InputError(f"{name}: predict failed: {type(exc).__name__}: {first[:300]}") from exc


def _raw_model(model: PyFuncModel) -> Any:
    try:
        return model.get_raw_model()
    except Exception:  # not every flavour has a raw model; probabilities are then unavailable
        return None


def _as_float(array: npt.NDArray[Any], name: str) -> npt.NDArray[np.float64]:
    import numpy as np

    try:
        return np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name}: predict returned non-numeric values") from None
