"""The metric catalogue: names, directions, defaults and the wrong-task message, without numpy."""

from __future__ import annotations

import subprocess
import sys

from mlci.model.catalogue import CATALOGUE, DEFAULT_METRICS, Task, unknown_metric_message


def test_every_metric_has_a_direction_and_defaults_exist() -> None:
    lower = {
        name for infos in CATALOGUE.values() for name, m in infos.items() if not m.higher_is_better
    }
    assert lower == {"log_loss", "brier", "rmse", "mae", "mape"}
    for task, names in DEFAULT_METRICS.items():
        assert set(names) <= set(CATALOGUE[task])


def test_a_metric_of_another_task_is_named_as_such() -> None:
    assert unknown_metric_message("mlci.yaml", Task.REGRESSION, "roc_auc") == (
        "mlci.yaml: model.metrics.roc_auc: a binary metric, not a regression one "
        "(known: rmse, mae, mape, r2)"
    )


def test_a_metric_of_two_other_tasks_names_both() -> None:
    assert unknown_metric_message("m.yaml", Task.REGRESSION, "accuracy") == (
        "m.yaml: model.metrics.accuracy: a binary / multiclass metric, not a regression one "
        "(known: rmse, mae, mape, r2)"
    )


def test_an_unknown_metric() -> None:
    assert unknown_metric_message("mlci.yaml", Task.MULTICLASS, "acuracy") == (
        "mlci.yaml: model.metrics.acuracy: unknown metric for task multiclass "
        "(known: accuracy, f1_macro, f1_weighted, log_loss)"
    )


def test_the_catalogue_loads_no_numpy() -> None:
    """mlci/config.py imports it at load time; numpy stays for the steps that compute."""
    code = "import sys, mlci.model.catalogue; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"
