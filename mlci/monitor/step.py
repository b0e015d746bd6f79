"""The monitor step, top to bottom: the champion and its baseline, the window of logs, the checks,
the loop back (alert, or roll back through mlci's locked, audited path), the run in MLflow.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mlci.adapters.mlflow_registry import VersionInfo
from mlci.baseline import Baseline, find_champion, load_baseline
from mlci.config import MonitorConfig
from mlci.config_load import LoadedConfig
from mlci.errors import ConfigError, InputError
from mlci.monitor import checks as c
from mlci.monitor.logs import Wanted, Window, log_files, parse_window, read_window
from mlci.results import CheckResult, GateReport, StepResult

if TYPE_CHECKING:
    from mlci.adapters.mlflow_tracking import RecordedRun
    from mlci.config import DriftConfig
    from mlci.data.stats import ColumnProfile
    from mlci.ports import ModelRegistry


@dataclass(frozen=True)
class MonitorOutcome:
    report: GateReport
    action: str | None  # what the loop back did (or, with dry_run, would do)
    run_id: str | None  # the MLflow run this monitor run was logged as


MONITOR_EXPERIMENT = "mlci-monitor"  # where each monitor run is logged (the MLflow UI shows them)


def require_monitor(loaded: LoadedConfig) -> MonitorConfig:
    cfg = loaded.config.monitor
    if cfg is None:
        raise ConfigError(f"{loaded.path.name}: monitor: missing section (data, prediction, ...)")
    if cfg.window is not None and cfg.timestamp is None:
        raise ConfigError(f"{loaded.path.name}: monitor.timestamp: required by monitor.window")
    return cfg


def run_monitor(
    *, loaded: LoadedConfig, dry_run: bool, now: datetime | None = None
) -> MonitorOutcome:
    from mlci.wiring import registry_for

    started = time.perf_counter()
    cfg, model = require_monitor(loaded), loaded.require_model()
    registry = registry_for(loaded)
    champion = _champion(registry, loaded)
    baseline = load_baseline(registry, champion)
    now = now or datetime.now(timezone.utc)
    window = _window(loaded, cfg, baseline, champion, now)
    recorded = _recorded(registry, model.name, cfg)
    runs = [r.metrics for r in recorded]
    checks = _checks(window, baseline, loaded, runs)
    action = _loop_back(loaded, registry, champion, checks, window=window, dry_run=dry_run)
    notes = _notes(window, cfg, champion, action, dry_run)
    step = StepResult(
        "monitor",
        checks,
        seconds=time.perf_counter() - started,
        notes=notes,
        series=series(recorded, figures(checks), now),
    )
    report = _report(loaded, step, champion)
    run_id = None
    if cfg.log_runs and not dry_run:
        run_id = _log(registry, model.name, report, window, action)
    return MonitorOutcome(report=report, action=action, run_id=run_id)


def _champion(registry: ModelRegistry, loaded: LoadedConfig) -> VersionInfo:
    name, alias = loaded.require_model().name, loaded.config.registry.champion_alias
    found = find_champion(registry, name, alias)
    if found is None:
        raise InputError(f"{name}: no version holds @{alias}: nothing to monitor (promote first)")
    return found


def _window(
    loaded: LoadedConfig,
    cfg: MonitorConfig,
    baseline: Baseline,
    champion: VersionInfo,
    now: datetime,
) -> Window:
    from mlci.data.drift import needs_sample, needs_values

    features = tuple(cfg.features or baseline.features.columns)
    since = now - parse_window(cfg.window) if cfg.window else None
    wanted = Wanted(
        features=features,
        config=cfg,
        since=since,
        version=champion.version,
        feature_edges=baseline.features.edges(),
        prediction_edges=baseline.predictions.edges(),
        counted=_wanting(baseline, cfg, needs_values),
        sampled=_wanting(baseline, cfg, needs_sample),
    )
    files = log_files(cfg.data, loaded.root)
    window = read_window(files, wanted, engine=cfg.engine, dask=loaded.config.validate_.dask)
    if window.rows == 0:
        raise InputError(f"monitor.data: {cfg.data!r}: no rows in {_describe(cfg, champion)}")
    return window


def _wanting(
    baseline: Baseline, cfg: MonitorConfig, needs: Callable[[ColumnProfile, DriftConfig], bool]
) -> frozenset[str]:
    """The columns whose drift NEEDS a part of the profile (drift.needs_values: their distinct
    values; drift.needs_sample: a quantile sample); "prediction" for the predictions, the
    accumulator's name for that column."""
    from mlci.baseline import PREDICTION

    found = {n for n, col in baseline.features.columns.items() if needs(col, cfg.drift)}
    answered = baseline.predictions.columns.get(PREDICTION)
    if answered is not None and needs(answered, cfg.drift):
        found.add("prediction")
    return frozenset(found)


def _describe(cfg: MonitorConfig, champion: VersionInfo) -> str:
    where = f"the last {cfg.window} by {cfg.timestamp!r}" if cfg.window else "the logs"
    if cfg.model_version is not None:
        where += f" answered by v{champion.version} ({cfg.model_version!r})"
    return where


def _recorded(registry: ModelRegistry, model: str, cfg: MonitorConfig) -> Sequence[RecordedRun]:
    if not cfg.log_runs:
        return ()
    from mlci.wiring import tracking_for

    return tracking_for(registry.tracking_uri).recent_runs(
        experiment=MONITOR_EXPERIMENT, tag=("mlci.model", model), limit=cfg.volume.history
    )


def series(
    recorded: Sequence[RecordedRun], current: Mapping[str, float], now: datetime
) -> dict[str, tuple[tuple[str, float], ...]]:
    """Every figure of this run over the recorded runs and this one, oldest first; taken now
    so that `mlci report` draws the history from the report alone."""
    points = [
        (datetime.fromtimestamp(r.started_ms / 1000, timezone.utc), r.metrics) for r in recorded
    ]
    points.append((now, current))
    return {
        name: tuple(
            (when.isoformat(timespec="seconds"), float(figs[name]))
            for when, figs in points
            if name in figs
        )
        for name in sorted(current)
    }


def _checks(
    window: Window, baseline: Baseline, loaded: LoadedConfig, runs: Sequence[Mapping[str, float]]
) -> tuple[CheckResult, ...]:
    cfg, model = require_monitor(loaded), loaded.require_model()
    return (
        *c.feature_drift(window, baseline, cfg),
        c.prediction_drift(window, baseline, cfg),
        *c.latency(window, cfg, c.history_of(runs, "latency_p95_ms")),
        *c.error_rate(window, cfg),
        c.volume(window, cfg, c.history_of(runs, "rows")),
        *c.performance(window, baseline, model, cfg),
    )


def figures(checks: Sequence[CheckResult]) -> dict[str, float]:
    """The monitored figures of one run, as logged to MLflow and drawn over time."""
    out: dict[str, float] = {}
    simple = {
        "volume": "rows",
        "error_rate": "error_rate",
        "latency_p50": "latency_p50_ms",
        "latency_p95": "latency_p95_ms",
    }
    for check in checks:
        value: Any = check.observed
        if check.id in simple and isinstance(value, (int, float)):
            out[simple[check.id]] = float(value)
        elif check.id == "prediction_drift" and isinstance(value, dict):
            out["prediction_drift"] = float(value["value"])
        elif check.id == "feature_drift" and isinstance(value, dict):
            key = "feature_drift_share" if check.column is None else f"drift/{check.column}"
            out[key] = float(value["share"] if check.column is None else value["value"])
        elif check.id == "performance" and isinstance(value, (int, float)):
            out[f"performance/{check.title}"] = float(value)
    return out


def _loop_back(
    loaded: LoadedConfig,
    registry: ModelRegistry,
    champion: VersionInfo,
    checks: Sequence[CheckResult],
    *,
    window: Window,
    dry_run: bool,
) -> str | None:
    cfg = require_monitor(loaded)
    breached = sorted({x.id for x in checks if x.status.blocks and x.id in cfg.rollback_on})
    if cfg.on_breach != "rollback" or not breached:
        return None
    from mlci.monitor.rollback import loop_back  # only on a breach to act on

    return loop_back(loaded, registry, champion, breached, _breach_key(window), dry_run=dry_run)


def _breach_key(window: Window) -> str:
    """The same logs give the same key: a breach is acted on once, however often it is seen."""
    return f"{window.first or '?'}..{window.last or '?'}/{window.rows}"


def _notes(
    window: Window, cfg: MonitorConfig, champion: VersionInfo, action: str | None, dry_run: bool
) -> tuple[str, ...]:
    notes = [f"{window.rows:,} rows in {_describe(cfg, champion)}, {len(window.files)} file(s)"]
    if window.first and window.last:
        notes.append(f"logs from {window.first} to {window.last}")
    if cfg.engine == "dask":
        notes.append("logs read on the dask engine (validate.dask), one task per file")
    for what, kept in (("latencies", window.latency_kept), ("labelled rows", window.labelled_kept)):
        if kept is not None and not kept.complete:
            notes.append(
                f"{what}: a uniform sample of {kept.rows:,} of {kept.offered:,} "
                f"(monitor.sample_rows {cfg.sample_rows:,})"
            )
    notes.append(f"compared with the baseline stored with {champion.uri}")
    if action:
        notes.append(action)
    if dry_run:
        notes.append("dry run: nothing logged to MLflow, the registry left alone")
    return tuple(notes)


def _report(loaded: LoadedConfig, step: StepResult, champion: VersionInfo) -> GateReport:
    from mlci.provenance import step_report, version_ref

    return step_report(loaded, step, champion=version_ref(champion))


def _log(
    registry: ModelRegistry, model: str, report: GateReport, window: Window, action: str | None
) -> str:
    from mlci.wiring import tracking_for

    step = report.steps[0]
    champion = report.provenance.champion
    tags = {
        "mlci.kind": "monitor",
        "mlci.status": step.status.value,
        "mlci.champion.version": (champion.version or "") if champion else "",
    }
    if action:
        tags["mlci.action"] = action[:5000]
    return tracking_for(registry.tracking_uri).log_run(
        experiment=MONITOR_EXPERIMENT,
        name=f"mlci-monitor-{model}",
        metrics=figures(step.checks).items(),
        tags={**tags, "mlci.model": model},
        texts={"mlci-monitor-report.json": report.dumps()},
    )
