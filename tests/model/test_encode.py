"""Encoding labels and predictions into one label space (end to end in test_tasks/test_regress)."""

from __future__ import annotations

import numpy as np
import pytest

from mlci.config import Task
from mlci.errors import InputError
from mlci.model.encode import distinct, encode
from mlci.model.predict import Raw

NAMES = ("candidate c", "champion h")


def raw(
    values: list[object], proba: list[list[float]] | None = None, classes: tuple[object, ...] = ()
) -> Raw:
    p = None if proba is None else np.array(proba)
    return Raw(values=np.array(values), proba=p, classes=classes, timings=())


def test_label_space_is_the_sorted_union_of_labels_predictions_and_fitted_classes() -> None:
    y = np.array(["no", "yes", "no"])
    cand = raw(["yes", "yes", "no"], [[0.2, 0.8], [0.1, 0.9], [0.7, 0.3]], ("no", "yes"))
    champ = raw(["no", "no", "no"], classes=("maybe", "no"))
    target, (c, h) = encode(Task.MULTICLASS, "answer", y, [cand, champ], NAMES)
    assert target.classes == ("maybe", "no", "yes")
    assert target.y.tolist() == [1, 2, 1]
    assert c.pred.tolist() == [2, 2, 1] and h.pred.tolist() == [1, 1, 1]
    assert c.proba is not None and h.proba is None
    # the candidate's two columns land on their codes; the class it never knew gets 0
    assert c.proba.tolist() == [[0.0, 0.2, 0.8], [0.0, 0.1, 0.9], [0.0, 0.7, 0.3]]


def test_binary_task_with_three_classes_names_them() -> None:
    with pytest.raises(InputError) as info:
        encode(Task.BINARY, "target", np.array([0, 1, 2]), [raw([0, 1, 1])], NAMES[:1])
    assert str(info.value) == (
        "label column 'target': task binary, but the labels and predictions hold 3 classes "
        "(0, 1, 2); use task multiclass"
    )


@pytest.mark.parametrize(
    ("y", "values", "message"),
    [
        (["a", "b"], [0, 1], "candidate c: predicts numbers but label column 'target' holds text"),
        ([0.0, float("nan")], [0, 1], "label column 'target' has 1 missing values"),
    ],
)
def test_labels_that_cannot_be_encoded(y: list[object], values: list[object], message: str) -> None:
    with pytest.raises(InputError) as info:
        encode(Task.BINARY, "target", np.array(y), [raw(values)], NAMES[:1])
    assert str(info.value) == message


def test_regression_labels_must_be_finite_numbers() -> None:
    with pytest.raises(InputError) as info:
        encode(Task.REGRESSION, "price", np.array([1.0, np.inf]), [raw([1.0, 2.0])], NAMES[:1])
    assert str(info.value) == "label column 'price' has 1 missing or infinite values"


@pytest.mark.parametrize(
    "values",
    [
        np.array([3, 1, 3, 0, 1], dtype=np.int64),
        np.array([-5, 2, -5, 7], dtype=np.int32),
        np.array([10**12, 0, 10**12]),  # sparse: falls back to np.unique
        np.array([2, 2], dtype=np.uint8),
        np.array([0.5, -1.0, 0.5]),
        np.array(["b", "a", "b"]),
        np.array([], dtype=np.int64),
    ],
)
def test_distinct_equals_np_unique_in_values_and_dtype(values: np.ndarray) -> None:
    got, want = distinct(values), np.unique(values)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()
