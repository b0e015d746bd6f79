"""`mlci regress` end to end: real scikit-learn models, a real sqlite MLflow registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlci.model.regress import blas_threads
from mlci.model.rules import FIRST_MODEL
from tests.conftest import Project
from tests.model.conftest import (
    Put,
    checks,
    load_sklearn,
    promote,
    report,
    rules,
    save_wrapped,
    tuned,
)

# --- the four verdicts ---------------------------------------------------------------------------


def test_better_candidate_passes_with_estimate_and_interval(champion: Project) -> None:
    rules(
        champion,
        {"accuracy": {"min": 0.85, "max_drop": 0.02}, "roc_auc": {"min": 0.9, "max_drop": 0.01}},
    )
    result = champion.mlci("regress")
    assert result.code == 0, result.text
    metric = checks(champion)
    assert {k: c["status"] for k, c in metric.items()} == {"accuracy": "pass", "roc_auc": "pass"}
    auc = metric["roc_auc"]["details"]
    assert auc["delta"] > 0 and auc["ci_low"] > 0 and auc["ci_low"] < auc["delta"] < auc["ci_high"]
    assert auc["confidence"] == 0.95 and auc["decision"] == "ci"
    assert metric["roc_auc"]["message"].endswith(
        "within the allowed drop 0.0100 with 95% confidence"
    )
    step = report(champion)["steps"][0]
    assert step["notes"][0].startswith(
        "compared with the champion models:/breast-cancer-classifier/1 on the same 199"
    )
    assert report(champion)["provenance"]["champion"]["version"] == "1"


def test_clearly_worse_candidate_fails(champion: Project) -> None:
    champion.use("broken")
    result = champion.mlci("regress")
    assert result.code == 1
    metric = checks(champion)
    assert {k: c["status"] for k, c in metric.items()} == {
        "accuracy": "fail",
        "f1": "fail",
        "roc_auc": "fail",
    }
    assert (
        "below min 0.85; worse by 0.2462, beyond the allowed drop 0.0100 with 95% confidence"
        in metric["accuracy"]["message"]
    )
    assert metric["accuracy"]["details"]["ci_high"] < -0.01
    mcnemar = checks(champion, "mcnemar")["McNemar (accuracy)"]
    assert mcnemar["status"] == "warn"
    assert mcnemar["details"]["lost"] > mcnemar["details"]["gained"]
    assert mcnemar["message"].endswith("the candidate is significantly less accurate")


def test_slightly_worse_candidate_inside_the_margin_passes(
    project: Project, put: Put, tmp_path: Path
) -> None:
    rules(project, {"accuracy": {"max_drop": 0.03}, "f1": {"max_drop": 0.03}})
    promote(project, "tuned")
    # The champion, except wrong on two rows it gets right: worse by exactly 2 / 199.
    evaluation = pd.read_csv(project.root / "data" / "eval.csv")
    right = (
        tuned(project).predict(evaluation.drop(columns=["target"])) == evaluation["target"]
    ).to_numpy()
    flip = evaluation.index[right][:2].tolist()
    put(save_wrapped(tuned(project), tmp_path / "flip2", "flip", flip=tuple(flip)))
    result = project.mlci("regress")
    assert result.code == 0, result.text
    accuracy = checks(project)["accuracy"]
    assert accuracy["status"] == "pass"
    assert accuracy["details"]["delta"] == pytest.approx(-2 / 199)
    assert accuracy["details"]["ci_low"] >= -0.03
    assert "within the allowed drop 0.0300 with 95% confidence" in accuracy["message"]


def noisy_tie(project: Project) -> None:
    """data/small.csv: 40 rows where tuned and baseline each win 3 rows the other loses: a tie."""
    evaluation = pd.read_csv(project.root / "data" / "eval.csv")
    features, y = evaluation.drop(columns=["target"]), evaluation["target"].to_numpy()
    cand = tuned(project).predict(features) == y
    champ = load_sklearn(project.trained / "models" / "baseline").predict(features) == y
    rows = [
        *evaluation.index[cand & ~champ][:3],
        *evaluation.index[~cand & champ][:3],
        *evaluation.index[cand & champ][:34],
    ]
    evaluation.loc[sorted(rows)].to_csv(project.root / "data" / "small.csv", index=False)


def test_noisy_tie_on_a_small_evaluation_set_is_inconclusive_with_its_interval(
    champion: Project,
) -> None:
    noisy_tie(champion)
    rules(champion, {"accuracy": {"max_drop": 0.01}}, eval_data="data/small.csv")
    result = champion.mlci("regress")
    assert result.code == 0, result.text  # a warning does not block
    accuracy = checks(champion)["accuracy"]
    assert accuracy["status"] == "warn"
    d = accuracy["details"]
    assert d["delta"] == 0.0
    assert d["ci_low"] < -0.01 < d["ci_high"]
    assert f"95% CI [{d['ci_low']:+.4f}, {d['ci_high']:+.4f}], 40 rows)" in accuracy["message"]
    assert (
        "inconclusive: the interval straddles the allowed drop 0.0100; about "
        in accuracy["message"]
    )
    assert accuracy["message"].endswith("more evaluation rows would settle it")
    assert report(champion)["verdict"] == "warn"


def test_strict_decision_refuses_the_same_noisy_tie(champion: Project) -> None:
    noisy_tie(champion)
    rules(
        champion, {"accuracy": {"max_drop": 0.01, "decision": "strict"}}, eval_data="data/small.csv"
    )
    assert champion.mlci("regress").code == 1
    assert checks(champion)["accuracy"]["status"] == "fail"


# --- first champion ----------------------------------------------------------------------------


def test_first_model_floors_apply_change_rules_skipped(project: Project) -> None:
    rules(project, {"accuracy": {"min": 0.99, "max_drop": 0.01}, "f1": {"max_drop": 0.01}})
    project.use("baseline")
    result = project.mlci("regress")
    assert result.code == 1
    metric = checks(project)
    assert metric["accuracy"]["status"] == "fail"
    assert metric["accuracy"]["message"] == (
        "accuracy: 0.9497 (no champion yet: first model); below min 0.99; "
        "allowed drop skipped: no champion yet"
    )
    assert metric["f1"]["status"] == "skip"
    assert metric["f1"]["details"]["champion"] is None and metric["f1"]["details"]["ci_low"] is None
    step = report(project)["steps"][0]
    assert step["notes"][0] == FIRST_MODEL
    assert "mcnemar" not in {c["id"] for c in step["checks"]}


# --- budgets and sanity ---------------------------------------------------------------------------


def test_latency_budget_catches_a_slow_model(project: Project, put: Put, tmp_path: Path) -> None:
    rules(project, {"accuracy": {}}, latency={"max_increase_relative": 0.25, "min_samples": 10})
    promote(project, "tuned")
    put(save_wrapped(tuned(project), tmp_path / "slow", "slow", delay=0.05))
    result = project.mlci("regress")
    assert result.code == 1
    latency = checks(project, "latency")["prediction latency"]
    assert latency["status"] == "fail"
    assert latency["message"].endswith("p50 and p95 over the allowed increase 25%")
    assert latency["details"]["candidate"]["p50_ms"] >= 50
    assert latency["details"]["candidate"]["samples"] == 10
    assert latency["details"]["increase_relative"]["p50"] > 0.25


def test_size_budget(champion: Project) -> None:
    rules(champion, {"accuracy": {}}, size={"max_mb": 0.001})
    assert champion.mlci("regress").code == 1
    size = checks(champion, "size")["model size"]
    assert size["status"] == "fail"
    assert size["message"].endswith("over max_mb 0.001")


# --- bad input: one line, exit 2 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("raise", "predict failed: RuntimeError: the feature store is down"),
        ("short", "predict returned 99 rows for 100 evaluation rows"),
        ("wrong_shape", "returned 3 probability columns for 2 classes"),
    ],
)
def test_a_broken_model_is_a_one_line_input_error(
    project: Project, put: Put, tmp_path: Path, behaviour: str, message: str
) -> None:
    put(save_wrapped(tuned(project), tmp_path / behaviour, behaviour))
    rules(project, {"accuracy": {}})
    result = project.mlci("regress")
    assert result.code == 2
    assert f"candidate {project.root / 'models' / 'candidate'}" in result.err
    assert message in result.err
    assert "Traceback" not in result.text


def test_model_needing_a_column_the_evaluation_data_lacks(project: Project) -> None:
    evaluation = pd.read_csv(project.root / "data" / "eval.csv").drop(
        columns=["mean_radius", "worst_area"]
    )
    evaluation.to_csv(project.root / "data" / "eval.csv", index=False)
    result = project.mlci("regress")
    assert result.code == 2
    assert "needs column(s) the evaluation data lacks: mean_radius, worst_area" in result.err


def test_missing_label_column(project: Project) -> None:
    config = project.config()
    config["data"]["label"] = "diagnosis"
    project.write_config(config)
    result = project.mlci("regress")
    assert result.code == 2
    assert "label column 'diagnosis' (data.label) not found in the evaluation data" in result.err


def test_metric_that_does_not_fit_the_task(project: Project) -> None:
    rules(project, {"rmse": {"max": 0.3}})
    result = project.mlci("regress")
    assert result.code == 2
    # mlci.config checks metric names at load time, before any model is loaded.
    assert result.err == (
        "mlci: error: mlci.yaml: model.metrics.rmse: a regression metric, not a binary one "
        "(known: accuracy, precision, recall, f1, roc_auc, pr_auc, log_loss, brier)\n"
    )


def test_missing_slice_column(project: Project) -> None:
    rules(project, {"accuracy": {}}, slices=[{"column": "region"}])
    result = project.mlci("regress")
    assert result.code == 2
    assert "mlci.yaml: model.slices.0.column: 'region' is not a column of" in result.err


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            {"metrics": {"accuracy": {"decision": "maybe"}}},
            "model.metrics.accuracy.decision: Input should be 'point', 'ci' or 'strict'",
        ),
        (
            {"bootstrap": {"confidence": 1.5}},
            "model.bootstrap.confidence: Input should be less than 1, got 1.5",
        ),
        (
            {"metrics": {"f1": {"max_drop_relative": -0.1}}},
            "model.metrics.f1.max_drop_relative: must be zero or more, got -0.1",
        ),
        ({"slices": [{"min_size": 5}]}, "model.slices.0.column: required key is missing"),
        ({"blas_threads": 0}, "model.blas_threads: must be at least 1, got 0"),
    ],
)
def test_bad_config_names_the_key(project: Project, model: dict[str, Any], message: str) -> None:
    config = project.config()
    config["model"].update(model)
    project.write_config(config)
    result = project.mlci("regress")
    assert result.code == 2
    assert f"mlci.yaml: {message}" in result.err


def test_blas_threads_limit_blas_inside_and_restore_it_after() -> None:
    from threadpoolctl import threadpool_info  # type: ignore[import-untyped]

    def blas() -> list[int]:
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    before = blas()
    with blas_threads(1):
        assert blas() == [1] * len(before)
    with blas_threads(None):
        assert blas() == before
    assert blas() == before


def test_one_blas_thread_gives_the_same_verdict_to_the_last_digit(champion: Project) -> None:
    def outcome() -> list[dict[str, Any]]:
        assert champion.mlci("regress").code == 0
        return [c for c in report(champion)["steps"][0]["checks"] if c["id"] != "latency"]

    default = outcome()
    config = champion.config()
    config["model"]["blas_threads"] = 1
    champion.write_config(config)
    assert outcome() == default


# --- the evaluation data -------------------------------------------------------------------------


def test_the_evaluation_is_logged_as_an_mlflow_run(champion: Project) -> None:
    assert champion.mlci("regress").code == 0
    doc = report(champion)
    client = champion.client()
    experiment = client.get_experiment_by_name("mlci")
    runs = client.search_runs(
        [experiment.experiment_id], "tags.`mlci.kind` = 'evaluation'", order_by=["start_time DESC"]
    )
    run = runs[0]
    accuracy = checks(champion)["accuracy"]["details"]
    assert run.data.metrics["candidate/accuracy"] == pytest.approx(accuracy["candidate"])
    assert run.data.metrics["delta/accuracy"] == pytest.approx(accuracy["delta"])
    assert run.data.metrics["ci_low/accuracy"] == pytest.approx(accuracy["ci_low"])
    assert run.data.tags["mlci.candidate.digest"] == doc["provenance"]["candidate"]["digest"]
    assert run.data.tags["mlci.champion.version"] == "1"
    assert run.data.tags["mlci.eval_data_digest"] == doc["provenance"]["data"]["eval_data"]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert artifacts == {"mlci-regress-report.json", "mlci-regress-report.md"}
    assert doc["steps"][0]["notes"][-1] == f"evaluation logged as MLflow run {run.info.run_id}"
