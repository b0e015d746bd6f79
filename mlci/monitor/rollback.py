"""The loop back: a breach of a rollback-worthy check moves @champion back, through the same
locked, audited path as `mlci rollback` (mlci/promotion.py), with the monitor and the checks
recorded as the event's cause.

Never twice for the same breach: the cause carries the breach key (the window's first and last
log timestamps and its row count), and a breach whose key is already in the trail is left alone.
That check is made again under the promotion lock, with the move (`rollback(unless=...)`): two
scheduled runs racing on one breach read the trail before either moved, so only the check under
the lock can tell the second that the first already acted. Under the lock the move is also
refused when @champion is no longer the version this run judged.
Never past the first champion: with nothing before it on the champion stack, nothing moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mlci.adapters.mlflow_registry import VersionInfo
from mlci.config_load import LoadedConfig
from mlci.faults import failpoint
from mlci.promotion import rollback
from mlci.trail import Event, champion_stack, history

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

CAUSE = "mlci monitor"


def loop_back(
    loaded: LoadedConfig,
    registry: ModelRegistry,
    champion: VersionInfo,
    breached: Sequence[str],
    key: str,
    *,
    dry_run: bool,
) -> str:
    """Roll back (or say what would happen); returns the sentence the report shows."""
    from mlci.clock import now_iso

    name, alias = champion.name, loaded.config.registry.champion_alias
    what = ", ".join(breached)
    trail = history(registry, name, alias)
    # Read first without the lock: the usual case (acted on already, first champion, dry run)
    # needs no lock; the same check runs again under it below.
    said = _not_again(trail, key, what, name)
    if said is not None:
        return said
    stack = champion_stack(trail)
    if len(stack) < 2 or stack[-1] != champion.version:
        return f"rollback: not possible: v{champion.version} is the first champion of {name}"
    if dry_run:
        return f"rollback (dry run): would move @{alias} of {name} from v{stack[-1]} back to v{stack[-2]} ({what})"
    failpoint("monitor_before_rollback")
    moved = rollback(
        registry=registry,
        name=name,
        alias=alias,
        to=None,
        force=False,
        at=now_iso(),
        lock_wait_seconds=loaded.config.registry.lock_wait_seconds,
        cause=f"{CAUSE}: {what} breached; breach {key}",
        unless=_under_lock(champion, key, what),
    )
    if not moved.changed:
        return moved.message
    return f"rollback: {moved.message} ({what} breached)"


def _not_again(trail: Sequence[Event], key: str, what: str, name: str) -> str | None:
    done = next((e for e in trail if e.cause and f"breach {key}" in e.cause), None)
    if done is None:
        return None
    return (
        f"rollback: not again: this breach ({what}) already rolled {name} back "
        f"from v{done.replaced_version} to v{done.version} (event {done.seq})"
    )


def _under_lock(
    champion: VersionInfo, key: str, what: str
) -> Callable[[tuple[Event, ...], VersionInfo], str | None]:
    def unless(trail: tuple[Event, ...], current: VersionInfo) -> str | None:
        said = _not_again(trail, key, what, champion.name)
        if said is None and current.version != champion.version:
            said = (
                f"rollback: not now: @champion of {champion.name} moved to v{current.version} "
                f"since this run judged v{champion.version}"
            )
        return said

    return unless
