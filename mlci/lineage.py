"""The version step: data and model artifacts tracked by DVC, pushed, and recorded as lineage
tags on the candidate's MLflow model version.

Order matters for "nothing lost": check everything first (git, DVC, remote, committed pointers),
then track, then push (retried), then verify the remote holds every object, and only then tag the
registry. A failure at any step leaves the registry untouched.

In CI (or with --verify) the checkout is read-only and the pointers were committed in the pull
request: nothing is added or pushed; the step verifies that the remote holds every object of the
committed pointers at this commit, and only then records the lineage.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlci import __version__
from mlci.adapters import dvc, git
from mlci.adapters.mlflow_registry import VersionInfo, scratch_dir
from mlci.config import candidate_is_local
from mlci.config_load import LoadedConfig
from mlci.errors import ConfigError, InputError, ServiceError
from mlci.results import CheckResult, Status, StepResult

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

Say = Callable[[str], None]
LINEAGE = "mlci.lineage."
VERSION_REPORT = "mlci-version.json"


@dataclass(frozen=True)
class Artifact:
    role: str
    path: Path

    @property
    def pointer(self) -> Path:
        return self.path.with_name(self.path.name + ".dvc")


@dataclass(frozen=True)
class Plan:
    git_root: Path
    dvc_root: Path
    remote: str
    remote_url: str
    artifacts: tuple[Artifact, ...]
    to_add: tuple[Artifact, ...]


@dataclass(frozen=True)
class VersionOutcome:
    step: StepResult
    version: VersionInfo | None


def artifacts(loaded: LoadedConfig) -> tuple[Artifact, ...]:
    """What mlci.yaml names: the data, its reference, the evaluation rows, the candidate, extras."""
    cfg = loaded.config
    found: list[Artifact] = []
    for role, value in (("data", cfg.data.path), ("reference", cfg.data.reference)):
        if isinstance(value, Path):
            found.append(Artifact(role, value))
    if cfg.model is not None:
        found.append(Artifact("eval_data", cfg.model.eval_data))
        if candidate_is_local(cfg.model.candidate):
            found.append(Artifact("candidate", Path(cfg.model.candidate)))
    found.extend(Artifact(f"extra.{i}", p) for i, p in enumerate(cfg.version.paths, start=1))
    for artifact in found:
        if not artifact.path.exists():
            raise InputError(f"{artifact.path}: not found ({artifact.role} in {loaded.path.name})")
    return tuple(found)


def plan(loaded: LoadedConfig) -> Plan:
    git_root = git.toplevel(loaded.root)
    dvc_root = dvc.dvc_root(loaded.root)
    remote = loaded.config.version.remote or dvc.default_remote(dvc_root)
    known = dvc.remotes(dvc_root)
    if remote is None:
        raise ConfigError(
            f"{loaded.path.name}: version.remote: no DVC remote configured (or `dvc remote add -d NAME URL`)"
        )
    if remote not in known:
        raise ConfigError(
            f"{loaded.path.name}: version.remote: no DVC remote named {remote!r} (known: {', '.join(known) or 'none'})"
        )
    found = artifacts(loaded)
    _refuse_uncommitted(git_root, [a.pointer for a in found if a.pointer.exists()])
    existing = [a.pointer for a in found if a.pointer.exists()]
    stale = dvc.changed(dvc_root, existing)
    to_add = tuple(a for a in found if not a.pointer.exists() or a.pointer.resolve() in stale)
    return Plan(git_root, dvc_root, remote, known[remote], found, to_add)


def _refuse_uncommitted(git_root: Path, pointers: list[Path]) -> None:
    dirty = git.uncommitted(git_root, pointers)
    if dirty:
        raise InputError(
            f"uncommitted .dvc changes: {', '.join(dirty)}; commit them so the lineage names a commit "
            f"that has them (git add {' '.join(dirty)} && git commit)"
        )


def verify_by_default(verify: bool | None) -> bool:
    """--verify / --no-verify when given; otherwise verify in CI, track and push locally."""
    from mlci.registry_guard import in_ci

    return in_ci() if verify is None else verify


def refuse_to_clobber(report_json: Path) -> None:
    """version's report must never replace the gate report that promote trusts."""
    try:
        steps = json.loads(report_json.read_text(encoding="utf-8")).get("steps", [])
    except (OSError, ValueError, AttributeError):
        return
    if any(isinstance(st, dict) and st.get("name") == "regress" for st in steps):
        raise InputError(
            f"{report_json}: holds a gate report (promote reads it); mlci version writes its own "
            f"report (default {VERSION_REPORT}), choose another --report-json"
        )


def run_version(
    *, loaded: LoadedConfig, registry: ModelRegistry, dry_run: bool, verify: bool, say: Say
) -> VersionOutcome:
    started = time.perf_counter()
    from mlci.inputs import fetch_inputs

    fetch_inputs(loaded=loaded, say=say)
    if verify:
        return _verified(loaded, registry, say, started)
    the_plan = plan(loaded)
    if dry_run:
        return VersionOutcome(
            StepResult("version", _dry_run_checks(the_plan), time.perf_counter() - started), None
        )
    if the_plan.to_add:
        say(f"dvc add {' '.join(_rel(a.path, the_plan.dvc_root) for a in the_plan.to_add)}")
        dvc.add(the_plan.dvc_root, [a.path for a in the_plan.to_add])
        _refuse_uncommitted(
            the_plan.git_root, [*(a.pointer for a in the_plan.to_add), *_gitignores(the_plan)]
        )
    pointers = [a.pointer for a in the_plan.artifacts]
    say(f"dvc push -r {the_plan.remote} ({len(pointers)} artifacts)")
    dvc.push(the_plan.dvc_root, pointers, the_plan.remote)
    missing = dvc.missing_in_remote(the_plan.dvc_root, pointers, the_plan.remote)
    if missing:
        raise ServiceError(
            f"DVC remote {the_plan.remote}: still missing after push: {', '.join(missing)}"
        )
    version = _tag_lineage(loaded, registry, the_plan)
    checks = (*_tracked_checks(the_plan), _pushed_check(the_plan), _lineage_check(version))
    return VersionOutcome(StepResult("version", checks, time.perf_counter() - started), version)


def _verified(
    loaded: LoadedConfig, registry: ModelRegistry, say: Say, started: float
) -> VersionOutcome:
    """CI: no add, no push; the remote must already hold every committed pointer's objects."""
    the_plan = plan(loaded)
    untracked = [a for a in the_plan.artifacts if not a.pointer.exists()]
    pointers = [a.pointer for a in the_plan.artifacts if a.pointer.exists()]
    say(f"verifying {len(pointers)} artifacts in DVC remote {the_plan.remote} (no add, no push)")
    missing = (
        dvc.missing_in_remote(the_plan.dvc_root, pointers, the_plan.remote) if pointers else []
    )
    checks = [_untracked_check(a, the_plan) for a in untracked]
    if missing:
        checks.append(_missing_check(the_plan, missing))
    if checks:
        return VersionOutcome(
            StepResult("version", tuple(checks), time.perf_counter() - started), None
        )
    version = _tag_lineage(loaded, registry, the_plan)
    checks = [*_tracked_checks(the_plan), _in_remote_check(the_plan), _lineage_check(version)]
    return VersionOutcome(
        StepResult("version", tuple(checks), time.perf_counter() - started), version
    )


def _untracked_check(artifact: Artifact, the_plan: Plan) -> CheckResult:
    path = _rel(artifact.path, the_plan.git_root)
    return CheckResult(id="dvc_tracked", title="Tracked by DVC", status=Status.FAIL,
                       message=f"{path}: no {artifact.pointer.name} at this commit; run `mlci version` (or `dvc add {path}`) and commit the pointer in the pull request",
                       observed="untracked", expected="tracked", details={"role": artifact.role})  # fmt: skip


def _missing_check(the_plan: Plan, missing: list[str]) -> CheckResult:
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return CheckResult(id="dvc_in_remote", title="In the DVC remote", status=Status.FAIL,
                       message=f"DVC remote {the_plan.remote} ({the_plan.remote_url}) lacks {shown}; run `dvc push -r {the_plan.remote}` from the commit that added them",
                       observed=len(missing), expected=0)  # fmt: skip


def _in_remote_check(the_plan: Plan) -> CheckResult:
    return CheckResult(id="dvc_in_remote", title="In the DVC remote", status=Status.PASS,
                       message=f"{len(the_plan.artifacts)} artifacts of this commit are in remote {the_plan.remote} ({the_plan.remote_url})",
                       observed=0, expected=0)  # fmt: skip


def _gitignores(the_plan: Plan) -> list[Path]:
    return [
        a.path.parent / ".gitignore"
        for a in the_plan.to_add
        if (a.path.parent / ".gitignore").exists()
    ]


def _tag_lineage(
    loaded: LoadedConfig, registry: ModelRegistry, the_plan: Plan
) -> VersionInfo | None:
    if loaded.config.model is None:
        return None
    from mlci.promotion import registered

    model = loaded.config.model
    with scratch_dir() as tmp:
        candidate = registry.fetch(model.candidate, Path(tmp) / "candidate")
        version = registered(registry, candidate, model.name)
    registry.tag_version(model.name, version.version, lineage_tags(the_plan))
    return registry.version(model.name, version.version)


def lineage_tags(the_plan: Plan) -> dict[str, str]:
    tags = {
        LINEAGE + "git_sha": git.head_sha(the_plan.git_root) or "",
        LINEAGE + "dvc_remote": the_plan.remote,
        LINEAGE + "dvc_remote_url": the_plan.remote_url,
        LINEAGE + "mlci_version": __version__,
    }
    for artifact in the_plan.artifacts:
        pointer = dvc.read_pointer(artifact.pointer)
        doc = {
            "path": _rel(artifact.path, the_plan.git_root),
            "md5": pointer.md5,
            "size": pointer.size,
        }
        if pointer.nfiles is not None:
            doc["nfiles"] = pointer.nfiles
        tags[LINEAGE + artifact.role] = json.dumps(doc, sort_keys=True)
    return tags


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _dry_run_checks(the_plan: Plan) -> tuple[CheckResult, ...]:
    adds = {a.path for a in the_plan.to_add}
    checks = [
        CheckResult(
            id="dvc_tracked",
            title="Tracked by DVC",
            status=Status.SKIP,
            message=f"{_rel(a.path, the_plan.git_root)}: would run `dvc add`"
            if a.path in adds
            else f"{_rel(a.path, the_plan.git_root)}: tracked and unchanged",
            observed="untracked or changed" if a.path in adds else "tracked",
            expected="tracked",
        )
        for a in the_plan.artifacts
    ]
    checks.append(CheckResult(id="dvc_pushed", title="Pushed to the DVC remote", status=Status.SKIP,
                              message=f"would push {len(the_plan.artifacts)} artifacts to {the_plan.remote} ({the_plan.remote_url})",
                              observed=None, expected=the_plan.remote))  # fmt: skip
    checks.append(CheckResult(id="lineage", title="Lineage recorded", status=Status.SKIP,
                              message="would tag the candidate's model version with git commit, DVC digests and remote",
                              observed=None, expected=None))  # fmt: skip
    return tuple(checks)


def _tracked_checks(the_plan: Plan) -> tuple[CheckResult, ...]:
    out = []
    for a in the_plan.artifacts:
        pointer = dvc.read_pointer(a.pointer)
        out.append(CheckResult(id="dvc_tracked", title="Tracked by DVC", status=Status.PASS,
                               message=f"{_rel(a.path, the_plan.git_root)}: md5 {pointer.md5}",
                               observed=pointer.md5, expected="tracked", details={"role": a.role}))  # fmt: skip
    return tuple(out)


def _pushed_check(the_plan: Plan) -> CheckResult:
    return CheckResult(id="dvc_pushed", title="Pushed to the DVC remote", status=Status.PASS,
                       message=f"{len(the_plan.artifacts)} artifacts in remote {the_plan.remote} ({the_plan.remote_url})",
                       observed=len(the_plan.artifacts), expected=the_plan.remote)  # fmt: skip


def _lineage_check(version: VersionInfo | None) -> CheckResult:
    if version is None:
        return CheckResult(id="lineage", title="Lineage recorded", status=Status.SKIP,
                           message="no model section in the config: no model version to tag", observed=None, expected=None)  # fmt: skip
    return CheckResult(id="lineage", title="Lineage recorded", status=Status.PASS,
                       message=f"{version.uri}: tagged with commit {version.tags.get(LINEAGE + 'git_sha', '')[:12]} and DVC digests",
                       observed=version.uri, expected=None)  # fmt: skip
