"""What the models said, encoded against one label space: codes, and probabilities per code.

Classification labels (the evaluation's and both models') become indexes into their sorted union,
so every metric works on small integers and one column of probabilities per class; regression
values become float64. Every refusal names the label column or the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlci.config import Task
from mlci.errors import InputError
from mlci.model.kernels import Outputs, Target
from mlci.model.predict import Raw

if TYPE_CHECKING:
    import numpy.typing as npt


def encode(
    task: Task, label: str, y: npt.NDArray[Any], raws: Sequence[Raw], names: Sequence[str]
) -> tuple[Target, list[Outputs]]:
    """The evaluation labels and each model's outputs (candidate first) in one label space."""
    import numpy as np

    if task is Task.REGRESSION:
        return _encode_regression(label, y, raws)
    labels = label_space(task, label, y, raws, names)
    target = Target(
        task=task,
        y=np.searchsorted(labels, y),
        classes=tuple(v.item() if hasattr(v, "item") else v for v in labels),
    )
    return target, [
        _encode_outputs(labels, raw, name) for raw, name in zip(raws, names, strict=True)
    ]


def _is_text(values: npt.NDArray[Any]) -> bool:
    if values.dtype.kind in "USO":
        return any(isinstance(v, str) for v in values[:1000])
    return False


def _encode_regression(
    label: str, y: npt.NDArray[Any], raws: Sequence[Raw]
) -> tuple[Target, list[Outputs]]:
    import numpy as np

    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"label column {label!r} is not numeric; task regression needs numbers"
        ) from None
    if not np.isfinite(values).all():
        raise InputError(
            f"label column {label!r} has {int((~np.isfinite(values)).sum()):,} "
            "missing or infinite values"
        )
    target = Target(task=Task.REGRESSION, y=values)
    return target, [Outputs(pred=np.asarray(r.values, dtype=np.float64)) for r in raws]


def label_space(
    task: Task, label: str, y: npt.NDArray[Any], raws: Sequence[Raw], names: Sequence[str]
) -> npt.NDArray[Any]:
    """The sorted classes of the labels, the predictions and the models' fitted classes."""
    import numpy as np
    import pandas as pd

    if pd.isna(y).any():
        raise InputError(f"label column {label!r} has {int(pd.isna(y).sum()):,} missing values")
    for raw, name in zip(raws, names, strict=True):
        if _is_text(raw.values) != _is_text(y):
            kinds = ("text", "numbers") if _is_text(raw.values) else ("numbers", "text")
            raise InputError(
                f"{name}: predicts {kinds[0]} but label column {label!r} holds {kinds[1]}"
            )
    parts = [y, *(r.values for r in raws), *(np.asarray(r.classes) for r in raws if r.classes)]
    try:
        # The union of each part's distinct values: the same classes as np.unique over all the
        # parts joined, without sorting or hashing three million labels together.
        labels = np.unique(np.concatenate([distinct(p) for p in parts]))
    except TypeError as exc:
        raise InputError(
            f"label column {label!r}: labels and predictions cannot be compared: {exc}"
        ) from None
    if task is Task.BINARY and len(labels) > 2:
        shown = ", ".join(repr(v) for v in labels[:5].tolist())
        raise InputError(
            f"label column {label!r}: task binary, but the labels and predictions hold "
            f"{len(labels)} classes ({shown}); use task multiclass"
        )
    return labels


def distinct(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The distinct values, in values' dtype: integer labels (the usual codes 0..k) are counted
    in one pass instead of sorted; anything else goes to np.unique."""
    import numpy as np

    if values.dtype.kind not in "iu" or len(values) == 0:
        return np.unique(values)
    low, high = int(values.min()), int(values.max())
    if high - low > 2 * len(values) + 1024:  # sparse codes: a count per value would not pay
        return np.unique(values)
    present = np.flatnonzero(np.bincount(values - low if low else values, minlength=1))
    return (present + low).astype(values.dtype)


def _encode_outputs(labels: npt.NDArray[Any], raw: Raw, name: str) -> Outputs:
    import numpy as np

    pred = np.searchsorted(labels, raw.values)
    if raw.proba is None:
        return Outputs(pred=pred)
    own = np.asarray(raw.classes) if raw.classes else labels
    if raw.proba.shape[1] != len(own):
        raise InputError(
            f"{name}: returned {raw.proba.shape[1]} probability columns for {len(own)} classes"
        )
    if np.array_equal(own, labels):
        return Outputs(pred=pred, proba=raw.proba)  # already one column per code, in order
    proba = np.zeros((len(pred), len(labels)))
    proba[:, np.searchsorted(labels, own)] = raw.proba
    return Outputs(pred=pred, proba=proba)
