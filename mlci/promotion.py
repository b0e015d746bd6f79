"""promote, rollback and history: moving @champion through a gate, with an audit trail.

The registry's alias writes are last-writer-wins, so promote re-reads @champion right before the
move. The trail is append-only: one registered-model tag per event (mlci.history.NNNNNN, JSON),
plus tags on the versions. The champion stack (promote pushes, rollback pops) is replayed from it.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

from mlci.adapters.mlflow_registry import LocalModel, Registry, VersionInfo, scratch_dir
from mlci.errors import InputError, RefusedError
from mlci.results import GateReport

PREVIOUS_ALIAS = "previous-champion"
HISTORY_PREFIX = "mlci.history."


class Action(str, Enum):
    PROMOTE = "promote"
    ROLLBACK = "rollback"


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

    def to_json(self) -> str:
        doc = asdict(self)
        doc["action"] = self.action.value
        return json.dumps(doc, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Event:
        doc = json.loads(text)
        doc["action"] = Action(doc["action"])
        return cls(**doc)


@dataclass(frozen=True)
class Moved:
    """What promote or rollback did: the alias moves, or nothing (already in place)."""

    name: str
    champion: str
    replaced: str | None
    previous: str | None
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


def promote(*, registry: Registry, request: PromoteRequest) -> Moved:
    """Check the report against the candidate and the registry, then move the aliases."""
    report, name, alias = request.report, request.model_name, request.alias
    _check_report(request)
    with scratch_dir() as tmp:
        candidate = registry.fetch(request.candidate_uri, Path(tmp) / "candidate")
        _check_digest(report, candidate)
        current = registry.by_alias(name, alias)
        if current is not None and current.tags.get("mlci.artifact_digest") == candidate.digest:
            return Moved(name, current.version, None, None, False, f"{name} v{current.version} already holds @{alias}: nothing to do")
        _check_champion_unchanged(report, current, alias)
        version = _registered(registry, candidate, name)
    if current is not None and current.version == version.version:
        return Moved(name, version.version, None, None, False, f"{name} v{version.version} already holds @{alias}: nothing to do")
    event = _append(
        registry,
        name,
        Action.PROMOTE,
        version.version,
        current.version if current else None,
        at=request.at,
        report_digest=request.report_digest,
        git_sha=report.provenance.git_sha,
    )
    _move(registry, name, alias, version.version, current.version if current else None)
    _audit_tags(registry, name, event)
    replaced = f" (was v{current.version})" if current else " (first champion)"
    return Moved(name, version.version, event.replaced_version, event.replaced_version, True,
                 f"{name} v{version.version} is now @{alias}{replaced}")


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
        raise RefusedError("refusing to promote: mlci.yaml changed since the gate ran (config digest differs)")


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


def _registered(registry: Registry, candidate: LocalModel, name: str) -> VersionInfo:
    """The registry version holding exactly these files, registering them if none does."""
    if candidate.version is not None:
        found = registry.version(name, candidate.version) if candidate.uri.startswith(f"models:/{name}/") else None
        if found is not None:
            if "mlci.artifact_digest" not in found.tags:
                registry.tag_version(name, found.version, {"mlci.artifact_digest": candidate.digest})
            return found
    return registry.find_by_digest(name, candidate.digest) or registry.register(candidate, name)


def _move(registry: Registry, name: str, alias: str, version: str, previous: str | None) -> None:
    if previous is not None:
        registry.set_alias(name, PREVIOUS_ALIAS, previous)
    registry.set_alias(name, alias, version)


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
        registry.tag_version(name, event.replaced_version, {"mlci.replaced_by": event.version, "mlci.replaced_at": event.at})


def history(registry: Registry, name: str) -> tuple[Event, ...]:
    """Every recorded promotion and rollback, oldest first."""
    tags = registry.model_tags(name) if registry.model_exists(name) else {}
    return _events(tags)


def _events(tags: Mapping[str, str]) -> tuple[Event, ...]:
    found = [Event.from_json(v) for k, v in tags.items() if k.startswith(HISTORY_PREFIX)]
    return tuple(sorted(found, key=lambda e: e.seq))


def _append(
    registry: Registry,
    name: str,
    action: Action,
    version: str,
    replaced: str | None,
    *,
    at: str,
    report_digest: str | None = None,
    git_sha: str | None = None,
    forced: bool = False,
) -> Event:
    seq = len(history(registry, name)) + 1
    event = Event(seq, action, version, replaced, at, who(), report_digest, git_sha, forced)
    registry.tag_model(name, f"{HISTORY_PREFIX}{seq:06d}", event.to_json())
    return event


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
    for event in events:
        if event.action is Action.ROLLBACK and stack and len(stack) > 1 and stack[-2] == event.version:
            stack.pop()
        else:
            stack.append(event.version)
    return tuple(stack)


def rollback(*, registry: Registry, name: str, alias: str, to: str | None, force: bool, at: str) -> Moved:
    """Move @champion back to the previous champion, or to a named version."""
    current = registry.by_alias(name, alias)
    if current is None:
        raise InputError(f"{name}: no version holds @{alias}: nothing to roll back")
    stack = champion_stack(history(registry, name))
    target_version = to or _previous(registry, name, stack, current)
    if target_version == current.version:
        return Moved(name, current.version, None, None, False, f"{name} v{current.version} already holds @{alias}: nothing to do")
    target = registry.version(name, target_version)
    if "mlci.promoted_at" not in target.tags and not force:
        raise RefusedError(f"refusing to roll back to {name} v{target.version}: it never passed a gate (use --force to override; it is recorded)")
    event = _append(registry, name, Action.ROLLBACK, target.version, current.version, at=at, forced=force)
    new_stack = champion_stack((*history(registry, name),))
    below = new_stack[-2] if len(new_stack) > 1 else None
    registry.set_alias(name, alias, target.version)
    if below is None:
        registry.delete_alias(name, PREVIOUS_ALIAS)
    else:
        registry.set_alias(name, PREVIOUS_ALIAS, below)
    _audit_tags(registry, name, event)
    return Moved(name, target.version, current.version, below, True, f"{name} v{target.version} is now @{alias} (rolled back from v{current.version})")


def _previous(registry: Registry, name: str, stack: tuple[str, ...], current: VersionInfo) -> str:
    if len(stack) > 1 and stack[-1] == current.version:
        return stack[-2]
    previous = registry.by_alias(name, PREVIOUS_ALIAS)
    if previous is None:
        raise InputError(f"{name}: no previous champion recorded; name one with --to VERSION")
    return previous.version
