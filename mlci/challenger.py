"""`mlci promote --canary`: the candidate onto the challenger alias, @champion untouched.

The same checks as promote (a passing report for this candidate, the same config, the same files,
the champion the gate compared against), and one more: the challenger must differ from the
champion, by version and by files, or the canary would compare the champion with itself. The move
is audited like every other (a `canary` event naming the alias it moved, written pending, then the
alias, then done; mlci.trail.repair finishes or aborts one a killed run left pending).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.adapters.mlflow_registry import DIGEST_TAG, LocalModel, VersionInfo, scratch_dir
from mlci.config_load import LoadedConfig
from mlci.errors import RefusedError
from mlci.faults import failpoint
from mlci.locking import promotion_lock
from mlci.promotion import (
    Moved,
    PromoteRequest,
    _check_champion_unchanged,
    _check_digest,
    _check_report,
    configured_request,
    registered,
)
from mlci.trail import Action, State, new_event, repair, write_event

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry


def promote_canary(*, registry: ModelRegistry, request: PromoteRequest, challenger: str) -> Moved:
    """Check the report as promote does, then move the challenger alias to the candidate."""
    name, alias = request.model_name, request.alias
    _check_report(request)
    with scratch_dir() as tmp:
        candidate = registry.fetch(request.candidate_uri, Path(tmp) / "candidate")
        _check_digest(request.report, candidate)
        champion = registry.by_alias(name, alias)
        _check_champion_unchanged(request.report, champion, alias)
        _check_differs(request, candidate, champion)
        version = registered(registry, candidate, name)
    with promotion_lock(registry, name, wait_seconds=request.lock_wait_seconds):
        repair(registry, name, alias)
        champion = registry.by_alias(name, alias)
        _check_champion_unchanged(request.report, champion, alias)
        if champion is not None and champion.version == version.version:
            raise RefusedError(_same(name, champion.version, alias))
        current = registry.by_alias(name, challenger)
        if current is not None and current.version == version.version:
            return Moved(name, version.version, None, False,
                         f"{name} v{version.version} already holds @{challenger}: nothing to do")  # fmt: skip
        _move(registry, request, version, current, challenger)
    was = f" (was v{current.version})" if current else ""
    return Moved(name, version.version, current.version if current else None, True,
                 f"{name} v{version.version} is now @{challenger}{was}; @{alias} unchanged")  # fmt: skip


def _check_differs(
    request: PromoteRequest, candidate: LocalModel, champion: VersionInfo | None
) -> None:
    if champion is None:
        raise RefusedError(
            f"refusing to canary: {request.model_name} has no @{request.alias} to compare a "
            "challenger with (promote it first)"
        )
    gated = request.report.provenance.champion
    same = champion.tags.get(DIGEST_TAG) == candidate.digest or (
        gated is not None and gated.digest == candidate.digest
    )
    if same:
        raise RefusedError(_same(request.model_name, champion.version, request.alias))


def _same(name: str, version: str, alias: str) -> str:
    return (
        f"refusing to canary: the candidate is {name} v{version}, which holds @{alias} "
        "(same files): a challenger must differ from the champion"
    )


def _move(
    registry: ModelRegistry,
    request: PromoteRequest,
    version: VersionInfo,
    current: VersionInfo | None,
    challenger: str,
) -> None:
    name = request.model_name
    pending = replace(
        new_event(registry, name, Action.CANARY, version.version, current, at=request.at,
                   report_digest=request.report_digest, git_sha=request.report.provenance.git_sha),
        alias=challenger,
    )  # fmt: skip
    write_event(registry, name, pending)
    failpoint("after_event_pending")
    registry.set_alias(name, challenger, version.version)
    failpoint("after_challenger_alias")
    registry.tag_version(
        name, version.version, {"mlci.canary_at": pending.at, "mlci.canary_by": pending.by}
    )
    write_event(registry, name, replace(pending, state=State.DONE))


def promote_canary_as_configured(loaded: LoadedConfig, report_path: Path) -> Moved:
    """promote_canary() with everything taken from mlci.yaml and the report file."""
    from mlci.wiring import registry_for

    return promote_canary(
        registry=registry_for(loaded),
        request=configured_request(loaded, report_path),
        challenger=loaded.config.registry.challenger_alias,
    )
