"""promote, rollback and history: moving @champion through a gate, with an audit trail.

The registry's alias writes are last-writer-wins, so every move happens under the promotion lock
(mlci.locking) and re-reads @champion right before it. The trail is append-only: one
registered-model tag per event (mlci.history.NNNNNN, JSON). An event is written `pending` before
the aliases move and `done` after, so a process killed at any point leaves a state the next run
repairs: a pending event whose version holds @champion happened (it is finished), any other
pending event did not (it is marked aborted). Readers apply the same rule, so the history they
show always agrees with the alias. The champion stack (promote pushes, rollback pops) is replayed
from the events that happened.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path

from mlci.adapters.mlflow_registry import DIGEST_TAG, LocalModel, Registry, VersionInfo, scratch_dir
from mlci.config import LoadedConfig
from mlci.errors import InputError, RefusedError
from mlci.faults import failpoint
from mlci.locking import promotion_lock
from mlci.results import GateReport

PREVIOUS_ALIAS = "previous-champion"
HISTORY_PREFIX = "mlci.history."


class Action(str, Enum):
    PROMOTE = "promote"
    ROLLBACK = "rollback"
    # A champion set before mlci (by hand, another tool): recorded by the first move over it.
    ADOPT = "adopt"
    # A candidate put on the challenger alias (mlci/challenger.py): @champion does not move.
    CANARY = "canary"
    # `mlci canary` gave up on the challenger (mlci/canary_moves.py): its alias is removed.
    CANARY_ABORT = "canary-abort"


class State(str, Enum):
    PENDING = "pending"
    DONE = "done"
    ABORTED = "aborted"


@dataclass(frozen=True)
class Event:
    seq: int
    action: Action
    version: str
    replaced_version: str | None
    at: str
    by: str
    report_digest: str | None = None
    git_sha: str | None = None
    forced: bool = False
    state: State = State.DONE
    cause: str | None = None  # who asked besides `by`, e.g. the monitor and the check it breached
    alias: str | None = None  # the alias a canary event moved; None: @champion

    @property
    def moves_champion(self) -> bool:
        return self.alias is None

    def to_json(self) -> str:
        doc = asdict(self)
        doc["action"], doc["state"] = self.action.value, self.state.value
        for optional in ("cause", "alias"):
            if doc[optional] is None:
                del doc[optional]  # events without one read exactly as before
        return json.dumps(doc, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Event:
        doc = json.loads(text)
        doc["action"] = Action(doc["action"])
        doc["state"] = State(doc.get("state", State.DONE.value))
        return cls(**doc)


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
    lock_wait_seconds: float = 120.0


def promote(*, registry: Registry, request: PromoteRequest) -> Moved:
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
        pending = _new_event(
            registry,
            name,
            Action.PROMOTE,
            version.version,
            current,
            at=request.at,
            report_digest=request.report_digest,
            git_sha=request.report.provenance.git_sha,
        )
        event = _commit(registry, name, alias, pending)
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
    registry: Registry,
    name: str,
    alias: str,
    to: str | None,
    force: bool,
    at: str,
    lock_wait_seconds: float = 120.0,
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
        event = _commit(
            registry,
            name,
            alias,
            _new_event(
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


def _target(registry: Registry, name: str, to: str) -> VersionInfo:
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
    from mlci.gate import registry_for

    request = configured_request(loaded, report_path)
    registry = registry_for(loaded)
    moved = promote(registry=registry, request=request)
    attach_baseline(loaded=loaded, registry=registry, moved=moved, report=request.report)
    return moved


def configured_request(loaded: LoadedConfig, report_path: Path) -> PromoteRequest:
    """The request promote (and promote --canary) make from mlci.yaml and the report file."""
    from mlci.gate import now_iso
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
    *, loaded: LoadedConfig, registry: Registry, moved: Moved, report: GateReport
) -> None:
    """The champion's baseline (mlci/baseline.py), stored once, after the aliases moved."""
    from mlci.baseline import store_baseline

    version = registry.version(moved.name, moved.champion)
    store_baseline(loaded=loaded, registry=registry, version=version, report=report)


def rollback_as_configured(loaded: LoadedConfig, *, to: str | None, force: bool) -> Moved:
    """rollback() with the model, alias and lock wait taken from mlci.yaml (CLI and demo alike)."""
    from mlci.gate import now_iso, registry_for

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


def registered(registry: Registry, candidate: LocalModel, name: str) -> VersionInfo:
    """The registry version holding exactly these files, registering them if none does."""
    if candidate.version is not None and candidate.uri.startswith(f"models:/{name}/"):
        found = registry.version(name, candidate.version)
        if DIGEST_TAG not in found.tags:
            registry.tag_version(name, found.version, {DIGEST_TAG: candidate.digest})
        return found
    return registry.find_by_digest(name, candidate.digest) or registry.register(candidate, name)


# --- the trail -------------------------------------------------------------------------------


def _raw_events(registry: Registry, name: str) -> tuple[Event, ...]:
    tags = registry.model_tags(name) if registry.model_exists(name) else {}
    return _parse(tags)


def _parse(tags: Mapping[str, str]) -> tuple[Event, ...]:
    found = [Event.from_json(v) for k, v in tags.items() if k.startswith(HISTORY_PREFIX)]
    return tuple(sorted(found, key=lambda e: e.seq))


def effective(events: tuple[Event, ...], champion: str | None) -> tuple[Event, ...]:
    """The events that happened: done ones, and a last pending one whose version holds the alias."""
    out = [e for e in events if e.state is State.DONE]
    last = events[-1] if events else None
    if (
        last is not None
        and last.state is State.PENDING
        and last.moves_champion
        and last.version == champion
    ):
        out.append(replace(last, state=State.DONE))
    return tuple(out)


def history(registry: Registry, name: str, alias: str = "champion") -> tuple[Event, ...]:
    """Every promotion and rollback that happened, oldest first."""
    events = _raw_events(registry, name)
    if not events:
        return ()
    holder = registry.by_alias(name, alias)
    return effective(events, holder.version if holder else None)


def repair(registry: Registry, name: str, alias: str) -> None:
    """Under the lock: finish or abort what a killed promote/rollback left pending."""
    events = _raw_events(registry, name)
    if not events or events[-1].state is not State.PENDING:
        return
    last = events[-1]
    if not last.moves_champion:
        _repair_other_alias(registry, name, last)
        return
    holder = registry.by_alias(name, alias)
    happened = holder is not None and holder.version == last.version
    _set_previous(
        registry, name, champion_stack(effective(events, holder.version if holder else None))
    )
    if happened:
        _audit_tags(registry, name, last)
    _write(registry, name, replace(last, state=State.DONE if happened else State.ABORTED))


def _repair_other_alias(registry: Registry, name: str, last: Event) -> None:
    """A pending canary happened when its version holds the alias it was moving."""
    holder = registry.by_alias(name, last.alias or "")
    holds = holder is not None and holder.version == last.version
    # An abort removes the alias: it happened when the version no longer holds it.
    happened = not holds if last.action is Action.CANARY_ABORT else holds
    _write(registry, name, replace(last, state=State.DONE if happened else State.ABORTED))


def adopt(
    registry: Registry, name: str, alias: str, current: VersionInfo | None, *, at: str
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
        _new_event(registry, name, Action.ADOPT, current.version, None, at=at), state=State.DONE
    )
    registry.tag_version(
        name, current.version, {"mlci.adopted_at": at, "mlci.adopted_by": event.by}
    )
    _write(registry, name, event)
    return event


def _new_event(
    registry: Registry,
    name: str,
    action: Action,
    version: str,
    current: VersionInfo | None,
    *,
    at: str,
    report_digest: str | None = None,
    git_sha: str | None = None,
    forced: bool = False,
    cause: str | None = None,
) -> Event:
    events = _raw_events(registry, name)
    seq = (events[-1].seq if events else 0) + 1
    replaced = current.version if current else None
    return Event(
        seq, action, version, replaced, at, who(), report_digest, git_sha, forced, State.PENDING,
        cause,
    )  # fmt: skip


def _commit(registry: Registry, name: str, alias: str, event: Event) -> Event:
    """pending event → @previous-champion → @champion → audit tags → done. See the module doc."""
    _write(registry, name, event)
    failpoint("after_event_pending")
    done = replace(event, state=State.DONE)
    _set_previous(registry, name, champion_stack((*history(registry, name, alias), done)))
    failpoint("after_previous_alias")
    registry.set_alias(name, alias, event.version)
    failpoint("after_champion_alias")
    _audit_tags(registry, name, done)
    _write(registry, name, done)
    failpoint("after_event_done")
    return done


def write_event(registry: Registry, name: str, event: Event) -> None:
    """Append (or finish) an event of the trail, for moves made outside this module."""
    _write(registry, name, event)


def _write(registry: Registry, name: str, event: Event) -> None:
    registry.tag_model(name, f"{HISTORY_PREFIX}{event.seq:06d}", event.to_json())


def _set_previous(registry: Registry, name: str, stack: tuple[str, ...]) -> None:
    if len(stack) > 1:
        registry.set_alias(name, PREVIOUS_ALIAS, stack[-2])
    elif registry.model_exists(name) and registry.has_alias(name, PREVIOUS_ALIAS):
        registry.delete_alias(name, PREVIOUS_ALIAS)


def _audit_tags(registry: Registry, name: str, event: Event) -> None:
    tags = {
        "mlci.promoted_at": event.at,
        "mlci.promoted_by": event.by,
        "mlci.last_action": event.action.value,
        "mlci.replaced_version": event.replaced_version or "",
    }
    if event.report_digest:
        tags["mlci.report_digest"] = event.report_digest
    if event.git_sha:
        tags["mlci.git_sha"] = event.git_sha
    registry.tag_version(name, event.version, tags)
    if event.replaced_version:
        registry.tag_version(
            name,
            event.replaced_version,
            {"mlci.replaced_by": event.version, "mlci.replaced_at": event.at},
        )


def who() -> str:
    """The person or workflow behind the move, as CI and shells name it."""
    actor = os.environ.get("GITHUB_ACTOR")
    if actor:
        return f"{actor} (github actions)"
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def champion_stack(events: tuple[Event, ...]) -> tuple[str, ...]:
    """Replay the trail: a promote (or rollback --to) pushes, a plain rollback pops."""
    stack: list[str] = []
    for event in (e for e in events if e.moves_champion):
        if event.action is Action.ROLLBACK and len(stack) > 1 and stack[-2] == event.version:
            stack.pop()
        else:
            stack.append(event.version)
    return tuple(stack)


def _previous(registry: Registry, name: str, alias: str, current: VersionInfo) -> str:
    stack = champion_stack(history(registry, name, alias))
    if len(stack) > 1 and stack[-1] == current.version:
        return stack[-2]
    # Aliases set by hand, without mlci's trail: @previous-champion is all there is to go on.
    previous = registry.by_alias(name, PREVIOUS_ALIAS)
    if previous is not None and not stack:
        return previous.version
    raise InputError(f"{name}: no previous champion recorded; name one with --to VERSION")
