"""The assembled checks: prediction sanity before any metric (NaN skips them; new classes fail)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Project
from tests.model.conftest import Put, checks, rules, save_wrapped, tuned


def test_nan_predictions_fail_sanity_and_skip_metrics(
    champion: Project, put: Put, tmp_path: Path
) -> None:
    put(save_wrapped(tuned(champion), tmp_path / "nan", "nan"))
    rules(champion, {"accuracy": {"max_drop": 0.01}})
    assert champion.mlci("regress").code == 1
    sanity = checks(champion, "predictions")["prediction sanity"]
    assert sanity["status"] == "fail"
    assert sanity["message"] == "the candidate predicted NaN or inf on 29 of 199 rows"
    assert checks(champion)["accuracy"]["status"] == "skip"


def test_a_class_the_champion_never_predicted_fails_unless_allowed(
    champion: Project, put: Put, tmp_path: Path
) -> None:
    put(save_wrapped(tuned(champion), tmp_path / "seven", "new_class"))
    rules(champion, {"accuracy": {}}, task="multiclass")
    assert champion.mlci("regress").code == 1
    sanity = checks(champion, "predictions")["prediction sanity"]
    assert sanity["message"] == (
        "the candidate predicts class(es) 7 unknown to the evaluation labels and the champion "
        "(allow with model.allow_new_classes)"
    )
    rules(champion, {"accuracy": {}}, task="multiclass", allow_new_classes=True)
    assert champion.mlci("regress").code == 0
    assert checks(champion, "predictions")["prediction sanity"]["status"] == "pass"
