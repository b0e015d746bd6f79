"""The audit trail of a model's aliases: one registered-model tag per event, and its repair.

Append-only: mlci.history.NNNNNN, JSON. An event is written `pending` before the aliases move and
`done` after (commit_event), so a process killed at any point leaves a state the next run repairs:
a pending event whose version holds @champion happened (it is finished), any other pending event
did not (it is marked aborted). Readers apply the same rule, so the history they show always agrees
with the alias. The champion stack (promote pushes, rollback pops) is replayed from the events that
happened. The moves themselves (promote, rollback, adopt) are mlci/promotion.py's.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

from mlci.adapters.mlflow_registry import VersionInfo
from mlci.faults import failpoint

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

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


def _raw_events(registry: ModelRegistry, name: str) -> tuple[Event, ...]:
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


def history(registry: ModelRegistry, name: str, alias: str = "champion") -> tuple[Event, ...]:
    """Every promotion and rollback that happened, oldest first."""
    events = _raw_events(registry, name)
    if not events:
        return ()
    holder = registry.by_alias(name, alias)
    return effective(events, holder.version if holder else None)


def repair(registry: ModelRegistry, name: str, alias: str) -> None:
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


def _repair_other_alias(registry: ModelRegistry, name: str, last: Event) -> None:
    """A pending canary happened when its version holds the alias it was moving."""
    holder = registry.by_alias(name, last.alias or "")
    holds = holder is not None and holder.version == last.version
    # An abort removes the alias: it happened when the version no longer holds it.
    happened = not holds if last.action is Action.CANARY_ABORT else holds
    _write(registry, name, replace(last, state=State.DONE if happened else State.ABORTED))


def new_event(
    registry: ModelRegistry,
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


def commit_event(registry: ModelRegistry, name: str, alias: str, event: Event) -> Event:
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


def write_event(registry: ModelRegistry, name: str, event: Event) -> None:
    """Append (or finish) an event of the trail, for moves made outside this module."""
    _write(registry, name, event)


def _write(registry: ModelRegistry, name: str, event: Event) -> None:
    registry.tag_model(name, f"{HISTORY_PREFIX}{event.seq:06d}", event.to_json())


def _set_previous(registry: ModelRegistry, name: str, stack: tuple[str, ...]) -> None:
    if len(stack) > 1:
        registry.set_alias(name, PREVIOUS_ALIAS, stack[-2])
    elif registry.model_exists(name) and registry.has_alias(name, PREVIOUS_ALIAS):
        registry.delete_alias(name, PREVIOUS_ALIAS)


def _audit_tags(registry: ModelRegistry, name: str, event: Event) -> None:
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
