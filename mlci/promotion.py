"""promote, rollback and adopt: moving @champion through a gate, recorded in the audit trail.

The registry's alias writes are last-writer-wins, so every move happens under the promotion lock
(mlci.locking) and re-reads @champion right before it. Each move is one event of the trail
(mlci/trail.py: written pending, then the aliases, then done; repaired after a crash).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.adapters.mlflow_registry import DIGEST_TAG, LocalModel, VersionInfo, scratch_dir
from mlci.config import LOCK_WAIT_SECONDS
from mlci.config_load import LoadedConfig
from mlci.errors import InputError, RefusedError
from mlci.locking import promotion_lock
from mlci.results import GateReport
from mlci.trail import (
    PREVIOUS_ALIAS,
    Action,
    Event,
    State,
    champion_stack,
    commit_event,
    history,
    new_event,
    repair,
    write_event,
)

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry


@dataclass(frozen=True)
class Moved:
    """What promote or rollback did: the alias moved, or nothing (already in place)."""

    name: str
    champion: str
    replaced: str | None
    changed: bool
    message: str


@dataclass(frozen=True)
class PromoteRequest:
    report: GateReport
    report_digest: str
    candidate_uri: str
    model_name: str
    config_digest: str
    alias: str
    at: str
    lock_wait_seconds: float = LOCK_WAIT_SECONDS


def promote(*, registry: ModelRegistry, request: PromoteRequest) -> Moved:
    """Check the report against the candidate and the registry, then move the aliases."""
    name, alias = request.model_name, request.alias
    _check_report(request)
    with scratch_dir() as tmp:
        candidate = registry.fetch(request.candidate_uri, Path(tmp) / "candidate")
        _check_digest(request.report, candidate)
        current = registry.by_alias(name, alias)
        if current is not None and current.tags.get(DIGEST_TAG) == candidate.digest:
            # Maybe a killed run of this very promote moved the alias: finish its trail.
            with promotion_lock(registry, name, wait_seconds=request.lock_wait_seconds):
                repair(registry, name, alias)
            return _already(name, current.version, alias)
        _check_champion_unchanged(request.report, current, alias)
        if current is not None and _same_files_as_champion(request.report, candidate):
            return Moved(name, current.version, None, False, _identical(name, current, alias))
        # Registration uploads artifacts: done before the lock, which guards only the moves.
        version = registered(registry, candidate, name)
    with promotion_lock(registry, name, wait_seconds=request.lock_wait_seconds):
        repair(registry, name, alias)
        current = registry.by_alias(name, alias)
        if current is not None and current.version == version.version:
            return _already(name, version.version, alias)
        _check_champion_unchanged(request.report, current, alias)
        adopt(registry, name, alias, current, at=request.at)
        pending = new_event(
            registry,
            name,
            Action.PROMOTE,
            version.version,
            current,
            at=request.at,
            report_digest=request.report_digest,
            git_sha=request.report.provenance.git_sha,
        )
        event = commit_event(registry, name, alias, pending)
    was = f" (was v{event.replaced_version})" if event.replaced_version else " (first champion)"
    return Moved(
        name,
        event.version,
        event.replaced_version,
        True,
        f"{name} v{event.version} is now @{alias}{was}",
    )


def rollback(
    *,
    registry: ModelRegistry,
    name: str,
    alias: str,
    to: str | None,
    force: bool,
    at: str,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
    cause: str | None = None,
    unless: Callable[[tuple[Event, ...], VersionInfo], str | None] | None = None,
) -> Moved:
    """Move @champion back to the previous champion, or to a named version.

    `unless` sees the trail and @champion under the lock; a reason it returns cancels the move
    (the monitor's never-twice check must not race another run between its read and the move)."""
    with promotion_lock(registry, name, wait_seconds=lock_wait_seconds):
        repair(registry, name, alias)
        current = registry.by_alias(name, alias)
        if current is None:
            raise InputError(f"{name}: no version holds @{alias}: nothing to roll back")
        why = unless(history(registry, name, alias), current) if unless else None
        if why is not None:
            return Moved(name, current.version, None, False, why)
        target = (
            _target(registry, name, to)
            if to
            else registry.version(name, _previous(registry, name, alias, current))
        )
        if target.version == current.version:
            return _already(name, current.version, alias)
        if not _was_champion(target) and not force:
            raise RefusedError(
                f"refusing to roll back to {name} v{target.version}: it never passed a gate "
                "(use --force to override; it is recorded)"
            )
        adopt(registry, name, alias, current, at=at)
        event = commit_event(
            registry,
            name,
            alias,
            new_event(
                registry,
                name,
                Action.ROLLBACK,
                target.version,
                current,
                at=at,
                forced=force,
                cause=cause,
            ),
        )
    return Moved(name, event.version, current.version, True,
                 f"{name} v{event.version} is now @{alias} (rolled back from v{current.version})")  # fmt: skip


def _target(registry: ModelRegistry, name: str, to: str) -> VersionInfo:
    """--to VERSION or models:/NAME/VERSION: refused if it belongs to another model or is gone."""
    wanted_name, _, version = (
        to[len("models:/") :].rpartition("/") if to.startswith("models:/") else ("", "", to)
    )
    if wanted_name and wanted_name != name:
        raise RefusedError(
            f"refusing to roll back {name} to {to}: that version belongs to another model"
        )
    if not version.isdigit():
        raise InputError(f"--to: expected VERSION or models:/{name}/VERSION, got {to!r}")
    try:
        return registry.version(name, version)
    except InputError:
        raise RefusedError(
            f"refusing to roll back to {name} v{version}: no such version (deleted, or never registered)"
        ) from None


def promote_as_configured(loaded: LoadedConfig, report_path: Path) -> Moved:
    """promote() with everything taken from mlci.yaml and the report file (CLI and demo alike)."""
    from mlci.wiring import registry_for

    request = configured_request(loaded, report_path)
    registry = registry_for(loaded)
    moved = promote(registry=registry, request=request)
    attach_baseline(loaded=loaded, registry=registry, moved=moved, report=request.report)
    return moved


def configured_request(loaded: LoadedConfig, report_path: Path) -> PromoteRequest:
    """The request promote (and promote --canary) make from mlci.yaml and the report file."""
    from mlci.clock import now_iso
    from mlci.report.io import load_report

    model = loaded.require_model()
    report, digest = load_report(report_path)
    return PromoteRequest(
        report=report,
        report_digest=digest,
        candidate_uri=model.candidate,
        model_name=model.name,
        config_digest=loaded.digest,
        alias=loaded.config.registry.champion_alias,
        at=now_iso(),
        lock_wait_seconds=loaded.config.registry.lock_wait_seconds,
    )


def attach_baseline(
    *, loaded: LoadedConfig, registry: ModelRegistry, moved: Moved, report: GateReport
) -> None:
    """The champion's baseline (mlci/baseline.py), stored once, after the aliases moved."""
    from mlci.baseline_store import store_baseline

    version = registry.version(moved.name, moved.champion)
    store_baseline(loaded=loaded, registry=registry, version=version, report=report)


def rollback_as_configured(loaded: LoadedConfig, *, to: str | None, force: bool) -> Moved:
    """rollback() with the model, alias and lock wait taken from mlci.yaml (CLI and demo alike)."""
    from mlci.clock import now_iso
    from mlci.wiring import registry_for

    return rollback(
        registry=registry_for(loaded),
        name=loaded.require_model().name,
        alias=loaded.config.registry.champion_alias,
        to=to,
        force=force,
        at=now_iso(),
        lock_wait_seconds=loaded.config.registry.lock_wait_seconds,
    )


def _already(name: str, version: str, alias: str) -> Moved:
    return Moved(
        name, version, None, False, f"{name} v{version} already holds @{alias}: nothing to do"
    )


def _same_files_as_champion(report: GateReport, candidate: LocalModel) -> bool:
    """The digest regress took of the champion it downloaded: a champion registered without
    mlci has no digest tag, so the report is where its files' digest is known."""
    gated = report.provenance.champion
    return gated is not None and gated.digest == candidate.digest


def _identical(name: str, current: VersionInfo, alias: str) -> str:
    return (
        f"{name} v{current.version} already holds @{alias} with the candidate's files "
        "(same digest): nothing to do"
    )


def _was_champion(version: VersionInfo) -> bool:
    """A version mlci promoted, or one it found as champion and adopted into the trail."""
    return "mlci.promoted_at" in version.tags or "mlci.adopted_at" in version.tags


def _check_report(request: PromoteRequest) -> None:
    report = request.report
    if not report.passed:
        raise RefusedError(f"refusing to promote: the report's verdict is {report.verdict.value}")
    if report.step("regress") is None or report.provenance.candidate is None:
        raise RefusedError("refusing to promote: the report has no regress step (run `mlci gate`)")
    named = report.provenance.candidate
    if named.name != request.model_name or named.uri != request.candidate_uri:
        raise RefusedError(
            f"refusing to promote: the report is for {named.name} {named.uri}, "
            f"not {request.model_name} {request.candidate_uri}"
        )
    if report.provenance.config_digest != request.config_digest:
        raise RefusedError(
            "refusing to promote: mlci.yaml changed since the gate ran (config digest differs)"
        )


def _check_digest(report: GateReport, candidate: LocalModel) -> None:
    named = report.provenance.candidate
    if named is None or named.digest != candidate.digest:
        raise RefusedError(
            f"refusing to promote: {candidate.uri} changed since the gate ran "
            f"(report {named.digest if named else None}, now {candidate.digest})"
        )


def _check_champion_unchanged(report: GateReport, current: VersionInfo | None, alias: str) -> None:
    gated = report.provenance.champion
    gated_version = gated.version if gated else None
    now = current.version if current else None
    if gated_version != now:
        raise RefusedError(
            f"refusing to promote: champion changed since the gate ran "
            f"(gate compared against {_v(gated_version)}, @{alias} is now {_v(now)}); run the gate again"
        )


def _v(version: str | None) -> str:
    return "no champion" if version is None else f"v{version}"


def registered(registry: ModelRegistry, candidate: LocalModel, name: str) -> VersionInfo:
    """The registry version holding exactly these files, registering them if none does."""
    if candidate.version is not None and candidate.uri.startswith(f"models:/{name}/"):
        found = registry.version(name, candidate.version)
        if DIGEST_TAG not in found.tags:
            registry.tag_version(name, found.version, {DIGEST_TAG: candidate.digest})
        return found
    return registry.find_by_digest(name, candidate.digest) or registry.register(candidate, name)


def adopt(
    registry: ModelRegistry, name: str, alias: str, current: VersionInfo | None, *, at: str
) -> Event | None:
    """Under the lock, before a move: record a champion the trail does not know (set by hand or
    by another tool), so @previous-champion and rollback can reach it. Written done at once: it
    records a state the registry is already in, so a crash after it leaves nothing to repair."""
    if current is None:
        return None
    stack = champion_stack(history(registry, name, alias))
    if stack and stack[-1] == current.version:
        return None
    event = replace(
        new_event(registry, name, Action.ADOPT, current.version, None, at=at), state=State.DONE
    )
    registry.tag_version(
        name, current.version, {"mlci.adopted_at": at, "mlci.adopted_by": event.by}
    )
    write_event(registry, name, event)
    return event


def _previous(registry: ModelRegistry, name: str, alias: str, current: VersionInfo) -> str:
    stack = champion_stack(history(registry, name, alias))
    if len(stack) > 1 and stack[-1] == current.version:
        return stack[-2]
    # Aliases set by hand, without mlci's trail: @previous-champion is all there is to go on.
    previous = registry.by_alias(name, PREVIOUS_ALIAS)
    if previous is not None and not stack:
        return previous.version
    raise InputError(f"{name}: no previous champion recorded; name one with --to VERSION")
