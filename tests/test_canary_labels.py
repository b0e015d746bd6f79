"""The canary's labelled comparison of two arms: regress's rules on challenger - champion with an
unpaired bootstrap interval, and the skips before any scoring."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from mlci.baseline import Baseline
from mlci.canary_labels import CHECK_ID, compare_labels
from mlci.config import ModelConfig, MonitorConfig
from mlci.data.profile import profile_table
from mlci.monitor.logs import Window
from mlci.results import Status

_EMPTY = profile_table(pa.table({"x": [1.0]}))  # compare_labels reads only the baseline's classes
BASELINE = Baseline(version="1", features=_EMPTY, predictions=_EMPTY, reference=None,
                    figures={"classes": [0, 1]})  # fmt: skip
# roc_auc needs probabilities, which logs do not hold: it is left out, not failed
MODEL = ModelConfig.model_validate(
    {"name": "m", "task": "binary", "candidate": "c", "eval_data": "e.csv",
     "metrics": {"accuracy": {"max_drop": 0.05}, "roc_auc": {}}}
)  # fmt: skip
CFG = MonitorConfig(data="logs", label="label", min_labels=50)
LABELS = np.random.default_rng(0).integers(0, 2, 200)


def arm(labels: Any, predictions: Any) -> Window:
    y = np.asarray(labels)
    return Window(rows=len(y), features=None, predictions=None, latencies_ms=np.asarray([]),
                  errors=0, labels=y, labelled_predictions=np.asarray(predictions),
                  first=None, last=None)  # fmt: skip


def test_a_challenger_worse_beyond_the_drop_fails_and_an_equal_one_passes() -> None:
    champ = arm(LABELS, LABELS)  # every row right
    wrong = LABELS.copy()
    wrong[:60] = 1 - wrong[:60]
    [bad] = compare_labels(champ, arm(LABELS, wrong), baseline=BASELINE, model=MODEL, cfg=CFG)
    assert (bad.id, bad.title, bad.status, bad.observed) == (
        CHECK_ID, "accuracy, challenger vs champion", Status.FAIL, 0.7
    )  # fmt: skip
    assert bad.message.startswith(
        "challenger arm vs champion arm (unpaired bootstrap; champion 200 labelled rows): "
        "accuracy: 0.7000 vs champion 1.0000 (Δ -0.3000, 95% CI ["
    )
    assert bad.message.endswith("beyond the allowed drop 0.0500 with 95% confidence")
    [same] = compare_labels(champ, arm(LABELS, LABELS), baseline=BASELINE, model=MODEL, cfg=CFG)
    assert (same.status, same.details["ci_low"], same.details["ci_high"]) == (Status.PASS, 0, 0)


def test_too_few_labelled_rows_skip_and_no_label_column_means_no_check() -> None:
    champ = arm(LABELS, LABELS)
    [skip] = compare_labels(champ, arm(LABELS[:10], LABELS[:10]), baseline=BASELINE, model=MODEL,
                            cfg=CFG)  # fmt: skip
    assert (skip.status, skip.message) == (
        Status.SKIP, "too few labelled rows for min_labels 50: challenger 10"
    )  # fmt: skip
    unlabelled = MonitorConfig(data="logs")
    assert compare_labels(champ, champ, baseline=BASELINE, model=MODEL, cfg=unlabelled) == []


def test_without_resamples_there_is_no_interval_and_the_point_decides() -> None:
    point = MODEL.model_copy(
        update={"bootstrap": MODEL.bootstrap.model_copy(update={"resamples": 0})}
    )
    wrong = LABELS.copy()
    wrong[:20] = 1 - wrong[:20]  # accuracy 0.9: a drop of 0.1, over max_drop 0.05
    [check] = compare_labels(arm(LABELS, LABELS), arm(LABELS, wrong), baseline=BASELINE,
                             model=point, cfg=CFG)  # fmt: skip
    assert (check.status, check.details["ci_low"], check.details["ci_high"]) == (
        Status.FAIL, None, None
    )  # fmt: skip
