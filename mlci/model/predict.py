"""Run a loaded model batch by batch: labels or values, class probabilities, and timings.

A scikit-learn classifier is asked for `predict_proba` once per batch and its labels are the
most probable classes, instead of calling the model twice; on the warm-up rows mlci checks that
this gives exactly what `predict` gives, and calls both when it does not (an SVC, say).
Every error names the model (role and URI) and, where it applies, the columns.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlci.config import Task
from mlci.errors import InputError, first_line, quoted

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    from mlflow.pyfunc import PyFuncModel

WARM_UP_ROWS = 100


@dataclass(frozen=True)
class Raw:
    """What one model said on all rows, before labels are encoded."""

    values: npt.NDArray[Any]
    proba: npt.NDArray[np.float64] | None
    classes: tuple[object, ...]  # the model's own class order for proba's columns; () if unknown
    timings: tuple[float, ...]  # seconds per full batch, after warm-up


@dataclass
class Predictor:
    """One model during one evaluation: mutable while the batches stream, then `finish()`."""

    name: str  # "candidate models:/x/3": how errors and messages name the model
    model: PyFuncModel
    task: Task
    columns: tuple[str, ...] | None
    proba_fn: Callable[[Any], Any] | None
    classes: tuple[object, ...]
    labels_from_proba: bool = False
    source: str = "the evaluation data"  # the file, once prepare() knows it
    timings: list[float] = field(default_factory=list)
    _values: list[npt.NDArray[Any]] = field(default_factory=list)
    _proba: list[npt.NDArray[np.float64]] = field(default_factory=list)

    @classmethod
    def load(cls, model: PyFuncModel, task: Task, name: str) -> Predictor:
        raw = _raw_model(model, name)
        proba_fn = None
        if (
            task is not Task.REGRESSION
            and _pyfunc_predict_fn(model) == "predict"
            and hasattr(raw, "predict_proba")
        ):
            proba_fn = raw.predict_proba
        classes = tuple(_plain(c) for c in getattr(raw, "classes_", ()))
        return cls(
            name=name,
            model=model,
            task=task,
            columns=_input_columns(model, raw),
            proba_fn=proba_fn,
            classes=classes,
        )

    def prepare(self, first: pd.DataFrame, available: tuple[str, ...], source: str) -> None:
        """Check the columns, warm up, and decide whether labels can come from probabilities."""
        self.source = source
        if self.columns is not None:
            missing = [c for c in self.columns if c not in available]
            if missing:
                raise InputError(
                    f"{self.name}: needs column(s) the evaluation data lacks: "
                    f"{', '.join(missing)} ({source})"
                )
        warm = first.iloc[:WARM_UP_ROWS]
        values, _ = self._predict(warm, both=True)
        if self.proba_fn is not None and self.classes:
            proba = self._proba_of(warm if self.columns is None else warm[list(self.columns)])
            from_proba = self._argmax(proba)
            self.labels_from_proba = bool(
                len(values) == len(from_proba) and (from_proba == values).all()
            )

    def run(self, batch: pd.DataFrame, *, timed: bool, keep: bool = True) -> None:
        started = time.perf_counter()
        values, proba = self._predict(batch, both=not self.labels_from_proba)
        if timed:
            self.timings.append(time.perf_counter() - started)
        if keep:
            self._values.append(values)
            if proba is not None:
                self._proba.append(proba)

    def finish(self) -> Raw:
        import numpy as np

        values = np.concatenate(self._values) if self._values else np.empty(0)
        proba = np.concatenate(self._proba) if self._proba else None
        return Raw(values=values, proba=proba, classes=self.classes, timings=tuple(self.timings))

    def _predict(
        self, batch: pd.DataFrame, *, both: bool
    ) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64] | None]:
        features = batch if self.columns is None else batch[list(self.columns)]
        if self.proba_fn is not None and self.labels_from_proba:
            proba = self._proba_of(features)
            return self._argmax(proba), proba
        values = self._labels_or_values(features)
        if (
            values.ndim == 2
        ):  # a pyfunc whose predict returns probabilities (predict_fn=predict_proba)
            proba = self._checked_proba(values, len(features))
            return self._argmax(proba), proba
        return values, (self._proba_of(features) if self.proba_fn is not None and both else None)

    def _labels_or_values(self, features: pd.DataFrame) -> npt.NDArray[Any]:
        import numpy as np

        out = np.asarray(
            _call(lambda: self.model.predict(features), self.name, features, self.source)
        )
        if out.ndim == 0:  # None, a bare number: nothing per row
            raise InputError(
                f"{self.name}: predict returned {quoted(out.item())}, not one value per row"
            )
        if len(out) != len(features):
            raise InputError(
                f"{self.name}: predict returned {len(out)} rows for {len(features)} evaluation rows"
            )
        if out.ndim == 2 and out.shape[1] == 1:
            return out[:, 0]
        if out.ndim == 2 and self.task is not Task.REGRESSION and out.shape[1] > 1:
            return out
        if out.ndim != 1:
            raise InputError(
                f"{self.name}: predict returned shape {out.shape}; expected one value per row"
            )
        return out

    def _proba_of(self, features: pd.DataFrame) -> npt.NDArray[np.float64]:
        import numpy as np

        assert self.proba_fn is not None
        fn = self.proba_fn
        return self._checked_proba(
            np.asarray(_call(lambda: fn(features), self.name, features, self.source)), len(features)
        )

    def _checked_proba(self, proba: npt.NDArray[Any], rows: int) -> npt.NDArray[np.float64]:
        import numpy as np

        if (
            proba.ndim != 2
            or len(proba) != rows
            or (self.classes and proba.shape[1] != len(self.classes))
        ):
            want = f"({rows}, {len(self.classes) or 'classes'})"
            raise InputError(
                f"{self.name}: predict_proba returned shape {proba.shape}; expected {want}"
            )
        try:
            return np.asarray(proba, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{self.name}: predict_proba returned non-numeric values") from None

    def _argmax(self, proba: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
        import numpy as np

        index = proba.argmax(axis=1)
        labels: npt.NDArray[Any] = np.asarray(self.classes)[index] if self.classes else index
        return labels


def _call(fn: Callable[[], Any], name: str, features: pd.DataFrame, source: str) -> Any:
    try:
        return fn()
    except Exception as exc:  # a user's model can raise anything; name it and stop (exit 2)
        first = first_line(exc, empty="")
        raise InputError(
            _bad_value(features, first, source)
            or f"{name}: predict failed: {type(exc).__name__}: {first}"
        ) from exc


_NOT_A_FLOAT = re.compile(r"could not convert string to float: '(.*)'$")


def _bad_value(features: pd.DataFrame, error: str, source: str) -> str | None:
    """scikit-learn's 'could not convert string to float: 'big'', traced to the column of the
    evaluation data that holds the value: the data's fault, said as such."""
    found = _NOT_A_FLOAT.search(error)
    if found is None:
        return None
    from pandas.api.types import is_numeric_dtype

    value = found.group(1)
    for column in features.columns:
        values = features[column]
        if not is_numeric_dtype(values) and (values.astype(object) == value).any():
            return f"{source}: column {column}: could not convert {quoted(value)} to float"
    return None


def _raw_model(model: PyFuncModel, name: str) -> Any:
    """The flavour's own model object, or None for a flavour without one (a custom python_function
    model): probabilities are then unavailable. Any other failure is the model's, said as such."""
    try:
        return model.get_raw_model()  # type: ignore[no-untyped-call]  # untyped in mlflow 3.17
    except NotImplementedError:  # what PyFuncModel.get_raw_model raises when there is none
        return None
    except Exception as exc:  # a user's flavour can raise anything: name the model, stop (exit 2)
        raise InputError(
            f"{name}: cannot read the raw model: {type(exc).__name__}: {first_line(exc)}"
        ) from exc


def _pyfunc_predict_fn(model: PyFuncModel) -> str:
    flavor = model.metadata.flavors.get("python_function", {})
    return str(flavor.get("predict_fn", "predict"))


def _input_columns(model: PyFuncModel, raw: Any) -> tuple[str, ...] | None:
    """The columns the model was fitted on or declares, so extra columns never reach it."""
    schema = model.metadata.get_input_schema()  # type: ignore[no-untyped-call]  # as above
    if schema is not None and schema.has_input_names():
        return tuple(str(n) for n in schema.input_names())
    names = getattr(raw, "feature_names_in_", None)
    return tuple(str(n) for n in names) if names is not None else None


def _plain(value: Any) -> object:
    """numpy scalars as Python values, so labels compare and serialise like the data's."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
