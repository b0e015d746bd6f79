"""mlci/adapters/mlflow_tracking.py on a real sqlite tracking store: runs with metrics, tags and
files written and read back (the baseline's, the monitor's). (The evaluation run is logged by every gate test.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.adapters.mlflow_registry import EXPERIMENT, Registry
from mlci.errors import InputError
from mlci.wiring import tracking_for


def test_a_baseline_run_round_trips_its_files(registry: Registry, tmp_path: Path) -> None:
    folder = tmp_path / "baseline"
    folder.mkdir()
    (folder / "profile.json").write_text('{"rows": 3}\n')
    tracking = tracking_for(registry.tracking_uri)
    run_id = tracking.log_run(
        experiment=EXPERIMENT,
        name="mlci-baseline-m-v4",
        metrics=[("drift share?", 0.5)],
        tags={"mlci.kind": "baseline", "mlci.model": "m", "mlci.version": "4"},
        folders={"baseline": folder},
    )
    run = registry.client.get_run(run_id)
    assert run.info.status == "FINISHED"
    experiment = registry.client.get_experiment_by_name(EXPERIMENT)
    assert experiment is not None and run.info.experiment_id == experiment.experiment_id
    assert {k: v for k, v in run.data.tags.items() if k.startswith("mlci.")} == {
        "mlci.kind": "baseline",
        "mlci.model": "m",
        "mlci.version": "4",
    }
    assert run.data.metrics == {"drift share_": 0.5}  # the key made MLflow-safe
    got = tracking.download(run_id, "baseline", tmp_path / "down")
    assert (got / "profile.json").read_text() == '{"rows": 3}\n'
    assert str(registry.artifact_root) in run.info.artifact_uri


def test_recent_runs_are_the_tagged_newest_oldest_first(registry: Registry) -> None:
    tracking = tracking_for(registry.tracking_uri)
    assert tracking.recent_runs(experiment="mlci-monitor", tag=("mlci.model", "m"), limit=5) == ()
    ids = [
        tracking.log_run(
            experiment="mlci-monitor",
            name=f"mlci-monitor-{model}",
            metrics=[("drift share?", share)],
            tags={"mlci.status": "pass", "mlci.model": model},
            texts={"mlci-monitor-report.json": "{}"},
        )
        for model, share in (("m", 0.1), ("other", 0.9), ("m", 0.2), ("m", 0.3))
    ]
    runs = tracking.recent_runs(experiment="mlci-monitor", tag=("mlci.model", "m"), limit=2)
    assert [r.run_id for r in runs] == [ids[2], ids[3]]
    assert [dict(r.metrics) for r in runs] == [{"drift share_": 0.2}, {"drift share_": 0.3}]
    assert runs[0].started_ms <= runs[1].started_ms
    logged = registry.client.get_run(ids[1])
    assert logged.data.tags["mlci.model"] == "other"
    assert logged.data.tags["mlci.status"] == "pass"
    experiment = registry.client.get_experiment_by_name("mlci-monitor")
    assert experiment is not None and experiment.experiment_id == logged.info.experiment_id


def test_a_missing_baseline_run_is_an_input_error(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        tracking_for(registry.tracking_uri).download(
            "0" * 32, "baseline", tmp_path, what="baseline run"
        )
    assert str(caught.value).startswith(f"baseline run {'0' * 32}: ")
