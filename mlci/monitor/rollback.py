"""The loop back: a breach of a rollback-worthy check moves @champion back, through the same
locked, audited path as `mlci rollback` (mlci/promotion.py), with the monitor and the checks
recorded as the event's cause.

Never twice for the same breach: the cause carries the breach key (the window's first and last
log timestamps and its row count), and a breach whose key is already in the trail is left alone.
Never past the first champion: with nothing before it on the champion stack, nothing moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlci.adapters.mlflow_registry import Registry, VersionInfo
from mlci.config_load import LoadedConfig
from mlci.promotion import rollback
from mlci.trail import champion_stack, history

CAUSE = "mlci monitor"


def loop_back(
    loaded: LoadedConfig,
    registry: Registry,
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
    done = next((e for e in trail if e.cause and f"breach {key}" in e.cause), None)
    if done is not None:
        return (
            f"rollback: not again: this breach ({what}) already rolled {name} back "
            f"from v{done.replaced_version} to v{done.version} (event {done.seq})"
        )
    stack = champion_stack(trail)
    if len(stack) < 2 or stack[-1] != champion.version:
        return f"rollback: not possible: v{champion.version} is the first champion of {name}"
    if dry_run:
        return f"rollback (dry run): would move @{alias} of {name} from v{stack[-1]} back to v{stack[-2]} ({what})"
    moved = rollback(
        registry=registry,
        name=name,
        alias=alias,
        to=None,
        force=False,
        at=now_iso(),
        lock_wait_seconds=loaded.config.registry.lock_wait_seconds,
        cause=f"{CAUSE}: {what} breached; breach {key}",
    )
    return f"rollback: {moved.message} ({what} breached)"
