"""MLflow tracking: runs with figures, tags and files, and the recent runs of an experiment.

A translation only: what a run records and why is decided by the core (the evaluation in
`mlci/tracking_record.py`, the champion's baseline in `mlci/baseline.py`, the monitor's runs in
`mlci/monitor/step.py`). The tracking URI and credentials are the registry's, so one store serves
both. mlflow is imported inside the methods.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mlci.adapters.mlflow_registry import MlflowConnection, experiment_id, registry_errors

_UNSAFE = re.compile(r"[^\w\-. /:]")  # what MLflow accepts in a metric key
_MAX_METRICS = 900  # MLflow's log_batch takes at most 1,000 entries


@dataclass(frozen=True)
class RecordedRun:
    """One logged run: when it started and the figures it recorded."""

    run_id: str
    started_ms: int
    metrics: Mapping[str, float]


class MlflowTracking(MlflowConnection):
    """One tracking store; experiments are created on first use, beside the registry's."""

    def log_run(
        self,
        *,
        experiment: str,
        name: str,
        metrics: Iterable[tuple[str, float]] = (),
        tags: Mapping[str, str] | None = None,
        texts: Mapping[str, str] | None = None,
        folders: Mapping[str, Path] | None = None,
    ) -> str:
        """One finished run: metrics (keys made MLflow-safe), tags, text files, folders; its id."""
        import time

        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        entries = [Metric(_UNSAFE.sub("_", k), float(v), now, 0) for k, v in metrics]
        with registry_errors(f"MLflow tracking {self.tracking_uri}"):
            client = self.client
            where = experiment_id(client, experiment, self.artifact_root)
            run_id = str(client.create_run(where, run_name=name, tags=dict(tags or {})).info.run_id)
            if entries:
                client.log_batch(run_id, metrics=entries[:_MAX_METRICS])
            for path, text in (texts or {}).items():
                client.log_text(run_id, text, path)
            for path, folder in (folders or {}).items():
                client.log_artifacts(run_id, str(folder), artifact_path=path)
            client.set_terminated(run_id, "FINISHED")
        return run_id

    def download(self, run_id: str, artifact_path: str, into: Path, *, what: str = "run") -> Path:
        """The run's ARTIFACT_PATH, downloaded into INTO; returns where it landed."""
        import mlflow

        with registry_errors(f"{what} {run_id}"):
            return Path(
                mlflow.artifacts.download_artifacts(
                    run_id=run_id,
                    artifact_path=artifact_path,
                    dst_path=str(into),
                    tracking_uri=self.tracking_uri,
                )
            )

    def recent_runs(
        self, *, experiment: str, tag: tuple[str, str], limit: int
    ) -> tuple[RecordedRun, ...]:
        """The last LIMIT runs carrying TAG, oldest first (none when the experiment is new)."""
        key, value = tag
        with registry_errors(f"MLflow tracking {self.tracking_uri}"):
            client = self.client
            found = client.get_experiment_by_name(experiment)
            if found is None:
                return ()
            runs = client.search_runs(
                [found.experiment_id],
                filter_string=f"tags.`{key}` = '{value}'",
                order_by=["attributes.start_time DESC"],
                max_results=limit,
            )
        out = [
            RecordedRun(r.info.run_id, int(r.info.start_time), dict(r.data.metrics)) for r in runs
        ]
        return tuple(reversed(out))
