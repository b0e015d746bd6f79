"""The evaluation as an MLflow run: both models' metrics, the differences, the report as artifacts.

The run is tagged with the candidate (URI, digest, version) and the champion, so it shows in the
MLflow UI next to the registration runs of the same experiment. mlflow is imported inside the
function; the client is the registry's, so one tracking URI and one set of credentials serve both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from mlci import __version__
from mlci.adapters.git import head_sha
from mlci.adapters.mlflow_registry import EXPERIMENT, Registry, registry_errors
from mlci.config_load import LoadedConfig
from mlci.results import CheckResult, GateReport, Provenance

if TYPE_CHECKING:
    from mlci.model.regress import RegressOutcome

_UNSAFE = re.compile(r"[^\w\-. /:]")
_MAX_METRICS = 900  # MLflow's log_batch takes at most 1,000 entries


def log_evaluation(*, registry: Registry, loaded: LoadedConfig, outcome: RegressOutcome) -> str:
    """Log the evaluation; return the run id. Registry failures are ServiceErrors (exit 3)."""
    import time

    from mlflow.entities import Metric, RunTag

    report = _report(loaded, outcome)
    now = int(time.time() * 1000)
    metrics = [Metric(key, value, now, 0) for key, value in _metrics(outcome.step.checks)][
        :_MAX_METRICS
    ]
    tags = [RunTag(k, v) for k, v in _tags(outcome).items()]
    model = loaded.require_model().name
    with registry_errors(f"MLflow tracking {registry.tracking_uri}"):
        client = registry.client
        run = client.create_run(_experiment_id(registry), run_name=f"mlci-regress-{model}")
        run_id = str(run.info.run_id)
        client.log_batch(run_id, metrics=metrics, tags=tags)
        client.log_text(run_id, report.dumps(), "mlci-regress-report.json")
        client.log_text(run_id, _markdown(report), "mlci-regress-report.md")
        client.set_terminated(run_id, "FINISHED")
    return run_id


def _experiment_id(registry: Registry) -> str:
    client = registry.client
    found = client.get_experiment_by_name(EXPERIMENT)
    if found is not None:
        return str(found.experiment_id)
    location = registry.artifact_root.as_uri() if registry.artifact_root is not None else None
    return str(client.create_experiment(EXPERIMENT, artifact_location=location))


def _report(loaded: LoadedConfig, outcome: RegressOutcome) -> GateReport:
    provenance = Provenance(
        git_sha=head_sha(loaded.root),
        config_digest=loaded.digest,
        mlci_version=__version__,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        candidate=outcome.candidate,
        champion=outcome.champion,
        data={"eval_data": outcome.eval_digest},
    )
    return GateReport(steps=(outcome.step,), provenance=provenance)


def _markdown(report: GateReport) -> str:
    from mlci.report.render import render_markdown

    return render_markdown(report)


def _tags(outcome: RegressOutcome) -> dict[str, str]:
    tags = {
        "mlci.kind": "evaluation",
        "mlci.status": outcome.step.status.value,
        "mlci.eval_data_digest": outcome.eval_digest,
        "mlci.candidate.uri": outcome.candidate.uri,
        "mlci.candidate.digest": outcome.candidate.digest or "",
        "mlci.candidate.version": outcome.candidate.version or "",
        "mlci.champion.uri": outcome.champion.uri if outcome.champion else "",
        "mlci.champion.version": (outcome.champion.version or "") if outcome.champion else "",
    }
    return {k: v for k, v in tags.items() if v}


def _metrics(checks: tuple[CheckResult, ...]) -> Iterator[tuple[str, float]]:
    """candidate/<m>, champion/<m>, delta/<m>, ci_low/<m>, ci_high/<m>; slices: slice/<c=v>/..."""
    for check in checks:
        if check.id not in ("metric", "metric_slice"):
            continue
        prefix = "" if check.id == "metric" else f"slice/{check.details.get('slice')}/"
        for field in ("candidate", "champion", "delta", "ci_low", "ci_high"):
            value = check.details.get(field)
            if isinstance(value, (int, float)):
                yield _UNSAFE.sub("_", f"{prefix}{field}/{check.title}"), float(value)
    for check in checks:
        if check.id == "latency":
            for role in ("candidate", "champion"):
                found = check.details.get(role)
                if isinstance(found, dict):
                    yield f"latency/{role}/p50_ms", float(found["p50_ms"])
                    yield f"latency/{role}/p95_ms", float(found["p95_ms"])
        elif check.id == "size":
            yield "size/candidate_mb", float(check.details["candidate_mb"])
        elif check.id == "mcnemar":
            yield "mcnemar/p_value", float(check.details["p_value"])


# --- the champion's baseline and the monitor's runs (mlci/baseline.py, mlci/monitor/) ---------

MONITOR_EXPERIMENT = "mlci-monitor"
BASELINE_PATH = "mlci-baseline"


@dataclass(frozen=True)
class RecordedRun:
    """One logged monitor run: when it started and the figures it recorded."""

    run_id: str
    started_ms: int
    metrics: Mapping[str, float]


def log_baseline(*, registry: Registry, name: str, version: str, folder: Path) -> str:
    """Log FOLDER's files as the artifacts of a baseline run of models:/NAME/VERSION."""
    with registry_errors(f"MLflow tracking {registry.tracking_uri}"):
        client = registry.client
        run = client.create_run(
            _experiment_named(registry, EXPERIMENT),
            run_name=f"mlci-baseline-{name}-v{version}",
            tags={"mlci.kind": "baseline", "mlci.model": name, "mlci.version": version},
        )
        run_id = str(run.info.run_id)
        client.log_artifacts(run_id, str(folder), artifact_path=BASELINE_PATH)
        client.set_terminated(run_id, "FINISHED")
    return run_id


def download_baseline(*, registry: Registry, run_id: str, into: Path) -> Path:
    """The baseline run's files, downloaded into INTO; returns their folder."""
    import mlflow

    with registry_errors(f"baseline run {run_id}"):
        return Path(
            mlflow.artifacts.download_artifacts(
                run_id=run_id,
                artifact_path=BASELINE_PATH,
                dst_path=str(into),
                tracking_uri=registry.tracking_uri,
            )
        )


def log_monitor_run(
    *,
    registry: Registry,
    model: str,
    metrics: Mapping[str, float],
    tags: Mapping[str, str],
    report_json: str,
) -> str:
    """One monitor run in the mlci-monitor experiment: its figures, tags and report."""
    import time

    from mlflow.entities import Metric, RunTag

    now = int(time.time() * 1000)
    entries = [Metric(_UNSAFE.sub("_", k), float(v), now, 0) for k, v in metrics.items()]
    with registry_errors(f"MLflow tracking {registry.tracking_uri}"):
        client = registry.client
        run = client.create_run(
            _experiment_named(registry, MONITOR_EXPERIMENT), run_name=f"mlci-monitor-{model}"
        )
        run_id = str(run.info.run_id)
        all_tags = [RunTag(k, v) for k, v in {**tags, "mlci.model": model}.items()]
        client.log_batch(run_id, metrics=entries[:_MAX_METRICS], tags=all_tags)
        client.log_text(run_id, report_json, "mlci-monitor-report.json")
        client.set_terminated(run_id, "FINISHED")
    return run_id


def monitor_runs(*, registry: Registry, model: str, limit: int) -> tuple[RecordedRun, ...]:
    """The model's last LIMIT monitor runs, oldest first (none when nothing was logged yet)."""
    with registry_errors(f"MLflow tracking {registry.tracking_uri}"):
        client = registry.client
        found = client.get_experiment_by_name(MONITOR_EXPERIMENT)
        if found is None:
            return ()
        runs = client.search_runs(
            [found.experiment_id],
            filter_string=f"tags.`mlci.model` = '{model}'",
            order_by=["attributes.start_time DESC"],
            max_results=limit,
        )
    out = [RecordedRun(r.info.run_id, int(r.info.start_time), dict(r.data.metrics)) for r in runs]
    return tuple(reversed(out))


def _experiment_named(registry: Registry, name: str) -> str:
    client = registry.client
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    location = registry.artifact_root.as_uri() if registry.artifact_root is not None else None
    return str(client.create_experiment(name, artifact_location=location))
