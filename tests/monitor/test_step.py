"""`mlci monitor` on logs from real models: each breach fails on its own check, bad input exits 2."""

from __future__ import annotations

import json
from typing import Any

import yaml

from tests.conftest import Project, imports_of
from tests.monitor.conftest import MODEL, Logs


def monitor(project: Project, *args: str) -> tuple[int, dict[str, Any], str]:
    result = project.mlci("monitor", *args)
    path = project.root / "mlci-monitor.json"
    report = json.loads(path.read_text()) if path.exists() and result.code in (0, 1) else {}
    return result.code, report, result.text


def statuses(report: dict[str, Any]) -> dict[str, str]:
    """The worst status of each check id."""
    order = ["pass", "skip", "warn", "fail", "error"]
    out: dict[str, str] = {}
    for check in report["steps"][0]["checks"]:
        old = out.get(check["id"], "pass")
        out[check["id"]] = max(old, check["status"], key=order.index)
    return out


def failing(report: dict[str, Any]) -> set[str]:
    return {k for k, v in statuses(report).items() if v == "fail"}


def test_healthy_window_passes_and_is_logged(promoted: Project, logs: Logs) -> None:
    logs.write()
    code, report, text = monitor(promoted)
    assert code == 0, text
    assert report["steps"][0]["name"] == "monitor"
    assert report["provenance"]["champion"]["version"] == "2"
    assert statuses(report) == {
        "feature_drift": "pass",
        "prediction_drift": "pass",
        "latency_p50": "pass",
        "latency_p95": "pass",
        "error_rate": "pass",
        "volume": "pass",
        "performance": "pass",
    }
    runs = promoted.client().search_runs(
        [promoted.client().get_experiment_by_name("mlci-monitor").experiment_id]
    )
    assert len(runs) == 1
    assert runs[0].data.metrics["rows"] == 400.0
    assert runs[0].data.tags["mlci.model"] == MODEL


def test_feature_drift_fails_on_the_drifted_column(promoted: Project, logs: Logs) -> None:
    logs.write(change=lambda f: f.assign(mean_smoothness=f["mean_smoothness"] * 1.6))
    code, report, text = monitor(promoted)
    assert code == 1, text
    drifted = [
        c["column"]
        for c in report["steps"][0]["checks"]
        if c["id"] == "feature_drift" and c["status"] == "fail" and c.get("column")
    ]
    assert drifted == ["mean_smoothness"]
    assert statuses(report)["error_rate"] == "pass"


def test_wasserstein_drift_reads_the_quantile_samples_psi_columns_do_not_keep(
    promoted: Project, logs: Logs
) -> None:
    """The monitor keeps a quantile sample only where drift reads one: with Wasserstein as the
    numeric method every numeric column is measured on its sample, and the drifted one fails."""
    logs.write(change=lambda f: f.assign(mean_smoothness=f["mean_smoothness"] * 1.6))
    config = promoted.config()
    config["monitor"]["drift"] = {"numeric": "wasserstein"}
    promoted.write_config(config)
    code, report, text = monitor(promoted)
    assert code == 1, text
    drift = [c for c in report["steps"][0]["checks"] if c["id"] == "feature_drift"]
    numeric = [c for c in drift if (c.get("observed") or {}).get("method") == "wasserstein"]
    assert len(numeric) == 30  # every numeric feature measured, none skipped for a sample
    assert [c["column"] for c in numeric if c["status"] == "fail"] == ["mean_smoothness"]


def test_prediction_shift_fails_prediction_drift(promoted: Project, logs: Logs) -> None:
    # Another model answers the same kind of rows: the features are as usual, the answers not.
    logs.write(model="broken")
    code, report, text = monitor(promoted)
    assert code == 1, text
    assert "prediction_drift" in failing(report)
    assert statuses(report)["feature_drift"] in ("pass", "warn")


def test_latency_spike_fails_latency_p95(promoted: Project, logs: Logs) -> None:
    logs.write(latency_ms=400.0)
    code, report, text = monitor(promoted)
    assert (code, failing(report)) == (1, {"latency_p95"}), text


def test_error_burst_fails_error_rate(promoted: Project, logs: Logs) -> None:
    logs.write(error_rate=0.2)
    code, report, text = monitor(promoted)
    assert (code, failing(report)) == (1, {"error_rate"}), text
    check = next(c for c in report["steps"][0]["checks"] if c["id"] == "error_rate")
    assert check["expected"] == {"max": 0.02}


def test_performance_drop_with_labels_fails_performance(promoted: Project, logs: Logs) -> None:
    logs.write(flip_labels=0.3)
    code, report, text = monitor(promoted)
    assert (code, failing(report)) == (1, {"performance"}), text
    titles = {
        c["title"]
        for c in report["steps"][0]["checks"]
        if c["id"] == "performance" and c["status"] == "fail"
    }
    assert titles == {"accuracy", "f1"}  # roc_auc needs probabilities: no monitor.score here


def _with_score(project: Project) -> None:
    config = project.config()
    config["monitor"]["score"] = "score"
    project.write_config(config)


def test_with_a_score_column_a_healthy_window_passes_roc_auc_too(
    promoted: Project, logs: Logs
) -> None:
    _with_score(promoted)
    logs.write()
    code, report, text = monitor(promoted)
    assert code == 0, text
    performance = {
        c["title"]: c["status"] for c in report["steps"][0]["checks"] if c["id"] == "performance"
    }
    assert performance == {"accuracy": "pass", "f1": "pass", "roc_auc": "pass"}


def test_an_auc_drop_in_the_scores_fails_performance_on_roc_auc(
    promoted: Project, logs: Logs
) -> None:
    _with_score(promoted)
    logs.write(score_noise=0.6)  # the labels predicted are the model's: only the ranking drops
    code, report, text = monitor(promoted)
    assert (code, failing(report)) == (1, {"performance"}), text
    failed = [
        c
        for c in report["steps"][0]["checks"]
        if c["id"] == "performance" and c["status"] == "fail"
    ]
    assert [c["title"] for c in failed] == ["roc_auc"]
    assert "roc_auc" in failed[0]["message"]


def test_a_score_column_that_is_not_a_probability_is_a_clear_error(
    promoted: Project, logs: Logs
) -> None:
    import pandas as pd

    _with_score(promoted)
    path = logs.write()
    frame = pd.read_parquet(path)
    frame.assign(score=frame["score"] * 100).to_parquet(path, index=False)
    result = promoted.mlci("monitor")
    assert (result.code, result.err.strip()) == (
        2,
        "mlci: error: monitor.score: column 'score' holds values outside [0, 1] "
        "(expected the probability of the positive class)",
    )
    frame.drop(columns=["score"]).to_parquet(path, index=False)
    result = promoted.mlci("monitor")
    assert (result.code, result.err.strip()) == (
        2,
        f"mlci: error: {path}: the logs lack the configured column(s) 'score' (monitor.score)",
    )


def test_rows_outside_the_window_or_of_another_version_are_left_out(
    promoted: Project, logs: Logs
) -> None:
    logs.write("today.parquet")
    logs.write("old.parquet", latency_ms=900.0, hours_ago=48)
    logs.write("other.csv", latency_ms=900.0, version="1")
    code, report, text = monitor(promoted)
    assert code == 0, text
    assert report["steps"][0]["notes"][0] == (
        "400 rows in the last 24h by 'ts' answered by v2 ('model_version'), 3 file(s)"
    )


def test_logs_without_a_configured_column_are_an_input_error(promoted: Project, logs: Logs) -> None:
    path = logs.write()
    import pandas as pd

    pd.read_parquet(path).drop(columns=["latency_ms"]).to_parquet(path)
    code, _, text = monitor(promoted)
    assert code == 2
    assert text.strip().splitlines()[-1] == (
        f"mlci: error: {path}: the logs lack the configured column(s) "
        "'latency_ms' (monitor.latency.column)"
    )


def test_a_window_with_no_rows_is_an_input_error(promoted: Project, logs: Logs) -> None:
    logs.write(hours_ago=30)
    code, _, text = monitor(promoted)
    assert code == 2
    assert text.strip().splitlines()[-1] == (
        "mlci: error: monitor.data: 'logs': no rows in the last 24h by 'ts' "
        "answered by v2 ('model_version')"
    )


def test_a_champion_without_a_baseline_says_how_to_attach_one(
    promoted: Project, logs: Logs
) -> None:
    logs.write()
    promoted.client().delete_model_version_tag(MODEL, "2", "mlci.baseline_run")
    code, _, text = monitor(promoted)
    assert code == 2
    assert text.strip().splitlines()[-1] == (
        f"mlci: error: models:/{MODEL}/2: no stored baseline (promoted before mlci stored one); "
        "attach it by running `mlci gate` then `mlci promote` for this version again"
    )
    # ... and doing so attaches it.
    assert promoted.mlci("gate").code == 0
    assert promoted.mlci("promote").code == 0
    assert "mlci.baseline_run" in promoted.client().get_model_version(MODEL, "2").tags
    assert monitor(promoted)[0] == 0


def test_no_monitor_section_is_a_config_error(promoted: Project) -> None:
    config = yaml.safe_load(promoted.config_path.read_text())
    del config["monitor"]
    promoted.write_config(config)
    code, _, text = monitor(promoted)
    assert code == 2
    assert text.strip().splitlines()[-1] == (
        "mlci: error: mlci.yaml: monitor: missing section (data, prediction, ...)"
    )


def test_above_sample_rows_the_row_figures_come_from_a_bounded_sample(
    promoted: Project, logs: Logs
) -> None:
    """Two files of 1,500 rows with monitor.sample_rows 1,000: counts, errors and drift read
    every row; latencies and the labelled rows are a 1,000-row sample, said in the notes and in
    each metric's message; a performance drop still fails on the sample."""
    logs.write("a.parquet", rows=1_500, flip_labels=0.3, error_rate=0.01, seed=1)
    logs.write("b.parquet", rows=1_500, flip_labels=0.3, error_rate=0.01, seed=2)
    config = promoted.config()
    config["monitor"]["sample_rows"] = 1_000
    promoted.write_config(config)
    code, report, text = monitor(promoted)
    assert (code, failing(report)) == (1, {"performance"}), text
    step = report["steps"][0]
    assert step["notes"][2:4] == [
        "latencies: a uniform sample of 1,000 of 3,000 (monitor.sample_rows 1,000)",
        "labelled rows: a uniform sample of 1,000 of 3,000 (monitor.sample_rows 1,000)",
    ]
    volume = next(c for c in step["checks"] if c["id"] == "volume")
    errors = next(c for c in step["checks"] if c["id"] == "error_rate")
    assert (volume["observed"], errors["details"]["rows"]) == (3_000, 3_000)
    accuracy = next(c for c in step["checks"] if c["title"] == "accuracy")
    assert accuracy["status"] == "fail"
    assert "3,000 rows" in accuracy["message"]
    assert accuracy["message"].endswith("; on a uniform sample of 1,000 of the labelled rows")


def test_a_monitor_on_parquet_logs_imports_neither_pandas_nor_mlflow(
    promoted: Project, logs: Logs
) -> None:
    """With a sqlite registry and log_runs off, the monitor reads the champion, its baseline and
    the logs without MLflow, and the logs and metrics without pandas or pyarrow.compute: 2-3 s,
    half a second and 0.15 s that a scheduled run does not pay."""
    logs.write()
    config = promoted.config()
    config["monitor"]["log_runs"] = False
    config["monitor"]["score"] = "score"  # roc_auc too: its ranks without pandas
    promoted.write_config(config)
    watched = {"pandas", "mlflow", "sklearn", "pyarrow.compute"}
    code, loaded, output = imports_of(["monitor"], watched, promoted.root)
    assert code == 0, output
    checks = json.loads((promoted.root / "mlci-monitor.json").read_text())["steps"][0]["checks"]
    auc = next(c for c in checks if c["title"] == "roc_auc")  # the metric ran
    assert auc["status"] == "pass", auc["message"]
    assert loaded == []
