"""The inputs mlci.yaml names, fetched from the DVC remote when a fresh checkout lacks them.

`actions/checkout` gives the .dvc pointers, not the data: every file the steps read (data,
reference, evaluation rows, schema contract, candidate model) that is missing here and is a DVC
output is pulled, only those, from the configured remote, before any step runs. Files that are
present are never touched, and a missing file DVC does not track is left to the step that reads
it (its error names the file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlci.adapters import dvc
from mlci.config import candidate_is_local
from mlci.config_load import LoadedConfig
from mlci.errors import ConfigError, InputError, ServiceError

Say = Callable[[str], None]


@dataclass(frozen=True)
class Needed:
    """One file a step reads, and the DVC file (pointer or dvc.lock) that records it."""

    key: str
    path: Path
    tracked_by: Path


@dataclass(frozen=True)
class Fetched:
    remote: str
    paths: tuple[Path, ...]


def named_inputs(loaded: LoadedConfig) -> tuple[tuple[str, Path], ...]:
    """(dotted config key, path) of every local file the steps read."""
    cfg = loaded.config
    found = [("data.path", cfg.data.path), ("data.schema", cfg.data.schema_)]
    if isinstance(cfg.data.reference, Path):
        found.append(("data.reference", cfg.data.reference))
    if cfg.model is not None:
        found.append(("model.eval_data", cfg.model.eval_data))
        if candidate_is_local(cfg.model.candidate):
            found.append(("model.candidate", Path(cfg.model.candidate)))
    # a URL (data.path: s3://...) is not a local file: there is nothing to pull
    return tuple((key, path) for key, path in found if isinstance(path, Path))


def missing_tracked(loaded: LoadedConfig, root: Path) -> tuple[Needed, ...]:
    out = []
    for key, path in named_inputs(loaded):
        if path.exists():
            continue
        by = dvc.tracked_by(root, path)
        if by is not None:
            out.append(Needed(key, path, by))
    return tuple(out)


def fetch_inputs(*, loaded: LoadedConfig, say: Say) -> Fetched | None:
    """Pull the DVC-tracked inputs missing from the workspace; None when nothing was missing."""
    try:
        root = dvc.dvc_root(loaded.root)
    except InputError:
        return None  # not a DVC repository: nothing can be pulled
    needed = missing_tracked(loaded, root)
    if not needed:
        return None
    remote, url = _remote(loaded, root, needed)
    targets = sorted({n.tracked_by if n.tracked_by.suffix == ".dvc" else n.path for n in needed})
    shown = ", ".join(_rel(n.path, root) for n in needed)
    say(f"pulling {shown} from DVC remote {remote} ({url})")
    absent = dvc.missing_in_remote(root, targets, remote)
    if absent:
        raise _not_pushed(needed[0], root, remote, url, ", ".join(absent[:3]) + _more(absent))
    try:
        dvc.pull(root, targets, remote)
    except ServiceError as exc:
        # A directory whose .dir listing was never pushed: `dvc status` cannot see inside it,
        # and the pull ends in "Checkout failed"; that is missing data, not a dead remote.
        if "Checkout failed" not in str(exc):
            raise
        raise _not_pushed(needed[0], root, remote, url, "a folder's file listing") from None
    still = [n for n in needed if not n.path.exists()]
    if still:
        raise InputError(
            f"{_rel(still[0].path, root)}: still missing after `dvc pull -r {remote}` "
            f"({still[0].key} in {loaded.path.name}, tracked by {_rel(still[0].tracked_by, root)})"
        )
    return Fetched(remote, tuple(n.path for n in needed))


def _not_pushed(first: Needed, root: Path, remote: str, url: str, what: str) -> InputError:
    return InputError(
        f"{_rel(first.path, root)}: not in the workspace and not in DVC remote {remote} ({url}): "
        f"{_rel(first.tracked_by, root)} names data nobody pushed (missing: {what}); "
        f"run `dvc push -r {remote}` where it was added"
    )


def _more(items: list[str]) -> str:
    return f" and {len(items) - 3} more" if len(items) > 3 else ""


def _remote(loaded: LoadedConfig, root: Path, needed: tuple[Needed, ...]) -> tuple[str, str]:
    remote = loaded.config.version.remote or dvc.default_remote(root)
    known = dvc.remotes(root)
    first = needed[0]
    if remote is None:
        raise InputError(
            f"{_rel(first.path, root)}: not in the workspace; it is tracked by "
            f"{_rel(first.tracked_by, root)} but no DVC remote is configured to pull it from "
            f"(set version.remote in {loaded.path.name}, or `dvc remote add -d NAME URL`)"
        )
    if remote not in known:
        raise ConfigError(
            f"{loaded.path.name}: version.remote: no DVC remote named {remote!r} "
            f"(known: {', '.join(known) or 'none'})"
        )
    return remote, known[remote]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
