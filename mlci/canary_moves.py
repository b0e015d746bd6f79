"""The two moves `mlci canary` decides: graduate (the challenger becomes champion) and abort.

Both run under the promotion lock, repair what a killed run left, and re-read @challenger first:
a challenger replaced since the analysis read the logs is refused, not moved. Graduation is a
promote event (`cause` names the canary), committed by mlci.trail's own path, so
@previous-champion, the audit tags and the champion stack are exactly a promote's; only then is
@challenger removed. A graduate killed between those two moves leaves the version on both aliases;
the next `mlci canary` sees that (unfinished_graduation) and only removes @challenger. An abort is a `canary-abort` event naming the challenger alias, written
pending, then the alias removed, then done.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mlci.adapters.mlflow_registry import VersionInfo
from mlci.config import LOCK_WAIT_SECONDS
from mlci.errors import RefusedError
from mlci.faults import failpoint
from mlci.locking import promotion_lock
from mlci.promotion import adopt
from mlci.trail import Action, State, commit_event, history, new_event, repair, write_event

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

GRADUATED_TAG = "mlci.canary_graduated_at"  # on the version, once its graduation is complete


@dataclass(frozen=True)
class Arms:
    """Which aliases to move, for which model, as of which analysis."""

    name: str
    champion_alias: str
    challenger_alias: str
    version: str  # the challenger version the analysis judged
    at: str
    lock_wait_seconds: float = LOCK_WAIT_SECONDS


def graduate(registry: ModelRegistry, arms: Arms, *, cause: str) -> str:
    """@champion to the challenger through promote's path, then @challenger removed."""
    name, alias = arms.name, arms.champion_alias
    with promotion_lock(registry, name, wait_seconds=arms.lock_wait_seconds):
        repair(registry, name, alias)
        _check_still_challenger(registry, arms)
        current = registry.by_alias(name, alias)
        adopt(registry, name, alias, current, at=arms.at)
        pending = new_event(
            registry, name, Action.PROMOTE, arms.version, current, at=arms.at, cause=cause
        )
        commit_event(registry, name, alias, pending)
        failpoint("after_graduated")
        registry.delete_alias(name, arms.challenger_alias)
        registry.tag_version(name, arms.version, {GRADUATED_TAG: arms.at})
    was = f" (was v{current.version})" if current else ""
    return (
        f"graduate: {name} v{arms.version} is now @{alias}{was}; @{arms.challenger_alias} removed"
    )


def unfinished_graduation(
    registry: ModelRegistry, name: str, aliases: tuple[str, str], *, cause: str
) -> VersionInfo | None:
    """The version a killed graduate left on both aliases, or None.

    A graduate killed after @champion moved and before @challenger was removed leaves one version
    on both. It is a graduation (not a hand-made mistake) when the trail's last champion move is
    a promote of that version whose cause is the canary's and the version has no GRADUATED_TAG
    (written once @challenger is gone); a pending promote counts when the version
    holds @champion, as repair() will finish it.
    """
    champion_alias, challenger_alias = aliases
    champion = registry.by_alias(name, champion_alias)
    challenger = registry.by_alias(name, challenger_alias)
    if champion is None or challenger is None or champion.version != challenger.version:
        return None
    moves = [e for e in history(registry, name, champion_alias) if e.moves_champion]
    last = moves[-1] if moves else None
    if last is None or last.action is not Action.PROMOTE or last.version != champion.version:
        return None
    finished = GRADUATED_TAG in champion.tags  # @challenger put back on it by hand since
    return None if finished or not (last.cause or "").startswith(cause) else champion


def finish_graduation(registry: ModelRegistry, arms: Arms) -> str:
    """Under the lock: finish the promote event if pending, then remove @challenger."""
    name, alias = arms.name, arms.champion_alias
    with promotion_lock(registry, name, wait_seconds=arms.lock_wait_seconds):
        repair(registry, name, alias)
        _check_still_challenger(registry, arms)
        champion = registry.by_alias(name, alias)
        if champion is None or champion.version != arms.version:
            raise RefusedError(
                f"refusing to finish the graduation: @{alias} of {name} moved since the analysis "
                f"(v{arms.version} expected); run `mlci canary` again"
            )
        registry.delete_alias(name, arms.challenger_alias)
        registry.tag_version(name, arms.version, {GRADUATED_TAG: arms.at})
    return (
        f"graduate: finished the graduation a killed run left: {name} v{arms.version} is "
        f"@{alias}; @{arms.challenger_alias} removed"
    )


def abort(registry: ModelRegistry, arms: Arms, *, cause: str) -> str:
    """@challenger removed, audited as a canary-abort event; @champion untouched."""
    name = arms.name
    with promotion_lock(registry, name, wait_seconds=arms.lock_wait_seconds):
        repair(registry, name, arms.champion_alias)
        _check_still_challenger(registry, arms)
        event = new_event(
            registry, name, Action.CANARY_ABORT, arms.version, None, at=arms.at, cause=cause
        )
        pending = replace(event, alias=arms.challenger_alias)
        write_event(registry, name, pending)
        failpoint("after_event_pending")
        registry.delete_alias(name, arms.challenger_alias)
        failpoint("after_challenger_alias")
        registry.tag_version(name, arms.version, {"mlci.canary_aborted_at": arms.at})
        write_event(registry, name, replace(pending, state=State.DONE))
    return (
        f"abort: @{arms.challenger_alias} removed from {name} v{arms.version}; "
        f"@{arms.champion_alias} unchanged"
    )


def _check_still_challenger(registry: ModelRegistry, arms: Arms) -> None:
    held = registry.by_alias(arms.name, arms.challenger_alias)
    if held is None or held.version != arms.version:
        now = f"v{held.version}" if held else "no version"
        raise RefusedError(
            f"refusing to act on the canary: @{arms.challenger_alias} of {arms.name} moved since "
            f"the analysis (judged v{arms.version}, now {now}); run `mlci canary` again"
        )
