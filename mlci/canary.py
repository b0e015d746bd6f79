"""`mlci canary`: the challenger's share of the inference logs against the champion's, and what
to do about it, in the spirit of Argo Rollouts' analysis runs.

Top to bottom: the two arms (@champion, @challenger; they must differ), the logs cut per arm by
`monitor.model_version`, the monitor's checks on the challenger's arm and the comparisons of the
two arms (error rate, latency p95, and where labels exist each configured metric as a difference
with an unpaired bootstrap interval: mlci/canary_labels.py), then the decision. A run with fewer than `canary.min_rows`
rows in either arm decides nothing. A healthy run adds one to the counter tagged on the challenger
version, a failed one resets it and adds one to the failures; `canary.consecutive` healthy runs
graduate the challenger, `canary.failure_limit` failures abort it (mlci/canary_moves.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import Enum
from typing import TYPE_CHECKING

from mlci.adapters.mlflow_registry import VersionInfo
from mlci.baseline import Baseline, load_baseline
from mlci.canary_checks import compare_errors, compare_latency
from mlci.canary_labels import compare_labels
from mlci.canary_moves import Arms, abort, finish_graduation, graduate, unfinished_graduation
from mlci.config import CanaryConfig, MonitorConfig
from mlci.config_load import LoadedConfig
from mlci.errors import ConfigError, InputError
from mlci.monitor import checks as c
from mlci.monitor.logs import Wanted, Window, log_files, parse_window, read_window
from mlci.monitor.step import require_monitor
from mlci.results import CheckResult, GateReport, Status, StepResult

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

HEALTHY_TAG = "mlci.canary_healthy"  # healthy runs in a row, on the challenger version
FAILED_TAG = "mlci.canary_failures"
CAUSE = "mlci canary"


class Decision(str, Enum):
    GRADUATE = "graduate"
    ABORT = "abort"
    CONTINUE = "continue"


@dataclass(frozen=True)
class CanaryOutcome:
    report: GateReport
    decision: Decision
    message: str  # what was done (or, with dry_run, would be)


@dataclass(frozen=True)
class _Run:
    """One analysis: its checks and whether they are enough to count, and how it counted."""

    checks: tuple[CheckResult, ...]
    short: str | None  # why the run counts neither way (too few rows), else None
    healthy: int
    failures: int


def run_canary(
    *, loaded: LoadedConfig, dry_run: bool, now: datetime | None = None
) -> CanaryOutcome:
    from mlci.wiring import registry_for

    started = time.perf_counter()
    cfg, settings = _monitor(loaded), loaded.config.canary
    registry = registry_for(loaded)
    left = _killed_graduate(loaded, registry, dry_run=dry_run)
    if left is not None:
        return left
    champion, challenger = _arms(registry, loaded)
    baseline = load_baseline(registry, champion)
    since = (now or datetime.now(timezone.utc)) - parse_window(cfg.window) if cfg.window else None
    windows = [_read(loaded, cfg, baseline, v, since) for v in (champion, challenger)]
    run = _judge(loaded, baseline, challenger, windows[0], windows[1])
    decision = _decide(run, settings)
    message = _act(loaded, registry, challenger, run, decision, dry_run=dry_run)
    notes = _notes(windows, champion, challenger, message, dry_run)
    step = StepResult("canary", run.checks, seconds=time.perf_counter() - started, notes=notes)
    return CanaryOutcome(_report(loaded, step, champion, challenger), decision, message)


def _killed_graduate(
    loaded: LoadedConfig, registry: ModelRegistry, *, dry_run: bool
) -> CanaryOutcome | None:
    """A graduate killed between its alias moves: finish it, rather than call it bad input."""
    name, reg = loaded.require_model().name, loaded.config.registry
    aliases = (reg.champion_alias, reg.challenger_alias)
    version = unfinished_graduation(registry, name, aliases, cause=CAUSE)
    if version is None:
        return None
    message = (
        f"graduate (dry run): would finish the graduation a killed run left: remove "
        f"@{reg.challenger_alias} from {name} v{version.version}"
        if dry_run
        else finish_graduation(registry, _arms_for(loaded, version))
    )
    check = CheckResult(id="canary_graduation", title="Unfinished graduation",
                        status=Status.PASS, message=message)  # fmt: skip
    step = StepResult("canary", (check,), seconds=0.0, notes=(message,))
    return CanaryOutcome(_report(loaded, step, version, version), Decision.GRADUATE, message)


def _monitor(loaded: LoadedConfig) -> MonitorConfig:
    cfg = require_monitor(loaded)
    if cfg.model_version is None:
        raise ConfigError(
            f"{loaded.path.name}: monitor.model_version: required by mlci canary "
            "(the log column naming the version that answered)"
        )
    return cfg


def _arms(registry: ModelRegistry, loaded: LoadedConfig) -> tuple[VersionInfo, VersionInfo]:
    name, reg = loaded.require_model().name, loaded.config.registry
    champion = registry.by_alias(name, reg.champion_alias)
    challenger = registry.by_alias(name, reg.challenger_alias)
    if champion is None:
        raise InputError(f"{name}: no version holds @{reg.champion_alias}: nothing to compare with")
    if challenger is None:
        raise InputError(
            f"{name}: no version holds @{reg.challenger_alias}: no canary to analyse "
            "(put one there with `mlci promote --canary`)"
        )
    if challenger.version == champion.version:
        raise InputError(
            f"{name}: v{champion.version} holds both @{reg.champion_alias} and "
            f"@{reg.challenger_alias}: a challenger must differ from the champion"
        )
    return champion, challenger


def _read(
    loaded: LoadedConfig,
    cfg: MonitorConfig,
    baseline: Baseline,
    version: VersionInfo,
    since: datetime | None,
) -> Window:
    wanted = Wanted(
        features=tuple(cfg.features or baseline.features.columns),
        config=cfg,
        since=since,
        version=version.version,
        feature_edges=baseline.features.edges(),
        prediction_edges=baseline.predictions.edges(),
    )
    return read_window(log_files(cfg.data, loaded.root), wanted)


def _judge(
    loaded: LoadedConfig,
    baseline: Baseline,
    challenger: VersionInfo,
    champ: Window,
    chall: Window,
) -> _Run:
    cfg, settings = _monitor(loaded), loaded.config.canary
    healthy = int(challenger.tags.get(HEALTHY_TAG, "0"))
    failures = int(challenger.tags.get(FAILED_TAG, "0"))
    few = [f"{arm} {w.rows:,}" for arm, w in (("champion", champ), ("challenger", chall))
           if w.rows < settings.min_rows]  # fmt: skip
    if few:
        short = f"too few rows for canary.min_rows {settings.min_rows}: {', '.join(few)}"
        return _Run((_rows_check(short),), short, healthy, failures)
    arm = [
        *c.error_rate(chall, cfg),
        *c.latency(chall, cfg, []),
        *c.performance(chall, baseline, loaded.require_model(), cfg),
    ]
    found = (
        *(_as_challenger(x) for x in arm),
        *compare_errors(champ, chall, cfg, settings),
        *compare_latency(champ, chall, cfg, settings),
        *compare_labels(champ, chall, baseline=baseline, model=loaded.require_model(), cfg=cfg),
    )
    return _Run(tuple(found), None, healthy, failures)


def _rows_check(why: str) -> CheckResult:
    return CheckResult(id="canary_rows", title="Rows per arm", status=Status.SKIP,
                       message=f"not decided: {why}")  # fmt: skip


def _as_challenger(check: CheckResult) -> CheckResult:
    return replace(check, id=f"challenger_{check.id}", title=f"Challenger: {check.title}")


def _failed(run: _Run) -> bool:
    return any(x.status.blocks for x in run.checks)


def _decide(run: _Run, settings: CanaryConfig) -> Decision:
    if run.short is not None:
        return Decision.CONTINUE
    if _failed(run):
        return Decision.ABORT if run.failures + 1 >= settings.failure_limit else Decision.CONTINUE
    return Decision.GRADUATE if run.healthy + 1 >= settings.consecutive else Decision.CONTINUE


def _act(
    loaded: LoadedConfig,
    registry: ModelRegistry,
    challenger: VersionInfo,
    run: _Run,
    decision: Decision,
    *,
    dry_run: bool,
) -> str:
    settings, failed = loaded.config.canary, _failed(run)
    healthy, failures = (0, run.failures + 1) if failed else (run.healthy + 1, run.failures)
    if decision is Decision.CONTINUE:
        said = _continue(run, settings, healthy, failures)
        if run.short is None and not dry_run:
            registry.tag_version(challenger.name, challenger.version,
                                 {HEALTHY_TAG: str(healthy), FAILED_TAG: str(failures)})  # fmt: skip
        return f"continue (dry run): {said}" if dry_run else f"continue: {said}"
    why = _cause(run, healthy, failures, settings)
    if dry_run:
        verb = "graduate" if decision is Decision.GRADUATE else "abort"
        return f"{verb} (dry run): would {_would(decision, loaded, challenger)} ({why})"
    arms = _arms_for(loaded, challenger)
    move = graduate if decision is Decision.GRADUATE else abort
    return f"{move(registry, arms, cause=f'{CAUSE}: {why}')} ({why})"


def _continue(run: _Run, settings: CanaryConfig, healthy: int, failures: int) -> str:
    if run.short is not None:
        return f"{run.short}; nothing counted"
    if failures and not healthy:
        return (f"failed run {failures} of failure_limit {settings.failure_limit}; "
                "healthy count reset to 0")  # fmt: skip
    more = settings.consecutive - healthy
    return (
        f"healthy run {healthy} of {settings.consecutive}: {more} more healthy run(s) to graduate"
    )


def _cause(run: _Run, healthy: int, failures: int, settings: CanaryConfig) -> str:
    if _failed(run):
        ids = ", ".join(sorted({x.id for x in run.checks if x.status.blocks}))
        return f"{failures} failed run(s) of failure_limit {settings.failure_limit}: {ids}"
    return f"{healthy} healthy run(s) in a row of {settings.consecutive}"


def _would(decision: Decision, loaded: LoadedConfig, challenger: VersionInfo) -> str:
    reg = loaded.config.registry
    if decision is Decision.GRADUATE:
        return f"make {challenger.name} v{challenger.version} @{reg.champion_alias}"
    return f"remove @{reg.challenger_alias} from {challenger.name} v{challenger.version}"


def _arms_for(loaded: LoadedConfig, challenger: VersionInfo) -> Arms:
    from mlci.clock import now_iso

    reg = loaded.config.registry
    return Arms(challenger.name, reg.champion_alias, reg.challenger_alias, challenger.version,
                at=now_iso(), lock_wait_seconds=reg.lock_wait_seconds)  # fmt: skip


def _notes(
    windows: list[Window],
    champion: VersionInfo,
    challenger: VersionInfo,
    message: str,
    dry_run: bool,
) -> tuple[str, ...]:
    champ, chall = windows
    notes = [
        f"champion v{champion.version}: {champ.rows:,} rows; "
        f"challenger v{challenger.version}: {chall.rows:,} rows",
        message,
    ]
    if dry_run:
        notes.append("dry run: no counter written, no alias moved")
    return tuple(notes)


def _report(
    loaded: LoadedConfig, step: StepResult, champion: VersionInfo, challenger: VersionInfo
) -> GateReport:
    from mlci.provenance import step_report, version_ref

    return step_report(
        loaded, step, champion=version_ref(champion), candidate=version_ref(challenger)
    )
