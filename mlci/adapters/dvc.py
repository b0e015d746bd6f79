"""DVC through its own command line, run with this interpreter (`python -m dvc`).

The CLI rather than dvc.repo.Repo: it is DVC's stable interface, it releases its locks when the
process ends, and its errors are the ones DVC users already know. Credentials for cloud remotes
come from the environment (DVC reads them); mlci never prints a remote URL's userinfo.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from mlci.errors import InputError, ServiceError

PUSH_ATTEMPTS = 3


@dataclass(frozen=True)
class Pointer:
    """What a .dvc file says of its output: the content hash DVC stores it under."""

    path: Path
    md5: str
    size: int | None
    nfiles: int | None


def dvc(args: Sequence[str], cwd: Path, *, service: bool = False) -> str:
    """Run one DVC command; a failure is a service error for push/pull, an input error otherwise."""
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        lines = [ln.strip() for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        reason = next(
            (ln for ln in lines if ln.startswith("ERROR")),
            lines[-1] if lines else f"exit {done.returncode}",
        )
        error = ServiceError if service else InputError
        raise error(f"dvc {' '.join(args)} (in {cwd}): {redact(reason)}")
    return done.stdout


def redact(text: str) -> str:
    """Drop user:password@ from any URL in the text."""
    return " ".join(_without_userinfo(word) for word in text.split(" "))


def _without_userinfo(word: str) -> str:
    if "://" not in word or "@" not in word:
        return word
    parts = urlsplit(word)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))


def dvc_root(cwd: Path) -> Path:
    """The nearest folder at or above cwd holding .dvc/."""
    for folder in (cwd, *cwd.parents):
        if (folder / ".dvc").is_dir():
            return folder
    raise InputError(f"{cwd}: not a DVC repository (run `dvc init`)")


def _config(root: Path) -> dict[str, str]:
    """`dvc config --list`: one key=value a line, all config levels merged (remote list wraps)."""
    pairs = (
        line.split("=", 1) for line in dvc(["config", "--list"], root).splitlines() if "=" in line
    )
    return {key.strip(): value.strip() for key, value in pairs}


def remotes(root: Path) -> dict[str, str]:
    """Remote name → URL (userinfo removed)."""
    found = {}
    for key, value in _config(root).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "remote" and parts[2] == "url":
            found[parts[1]] = redact(value)
    return found


def default_remote(root: Path) -> str | None:
    return _config(root).get("core.remote") or None


def changed(root: Path, pointers: Sequence[Path]) -> set[Path]:
    """Pointers whose output differs from what the .dvc file records."""
    if not pointers:
        return set()
    doc = json.loads(dvc(["status", "--json", *map(str, pointers)], root) or "{}")
    return {(root / key).resolve() for key in doc}


def add(root: Path, paths: Sequence[Path]) -> None:
    if paths:
        dvc(["add", *map(str, paths)], root)


def push(root: Path, pointers: Sequence[Path], remote: str, *, delay: float = 1.0) -> None:
    """dvc push, retried: a flaky network must not fail a release; a dead remote ends in exit 3."""
    _retried(["push", "-r", remote, *map(str, pointers)], root, delay)


def pull(root: Path, targets: Sequence[Path], remote: str, *, delay: float = 1.0) -> None:
    """dvc pull of these targets only (pointers or stage outputs), retried like push."""
    _retried(["pull", "-r", remote, *map(str, targets)], root, delay)


def _retried(args: list[str], root: Path, delay: float) -> None:
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        try:
            dvc(args, root, service=True)
            return
        except ServiceError:
            if attempt == PUSH_ATTEMPTS:
                raise
            time.sleep(delay * attempt)


# `dvc status --cloud`: "deleted" is in the remote but not in the local cache (a fresh clone).
_IN_REMOTE = frozenset({"deleted", "ok"})


def missing_in_remote(root: Path, targets: Sequence[Path], remote: str) -> list[str]:
    """Outputs (repository-relative) whose objects the remote does not hold; a remote that
    cannot be read is a service error."""
    doc = json.loads(
        dvc(["status", "--cloud", "--json", "-r", remote, *map(str, targets)], root, service=True)
        or "{}"
    )
    return sorted(path for path, state in doc.items() if state not in _IN_REMOTE)


def tracked_by(root: Path, path: Path) -> Path | None:
    """The .dvc pointer (of the path or a folder above it) or the dvc.lock that records it."""
    resolved = path.resolve()
    for folder in (resolved, *resolved.parents):
        if folder == root.parent:
            break
        pointer = folder.with_name(folder.name + ".dvc")
        if pointer.is_file():
            return pointer
    lock = root / "dvc.lock"
    return (
        lock if lock.is_file() and _locked_outputs(lock) & {resolved, *resolved.parents} else None
    )


def _locked_outputs(lock: Path) -> set[Path]:
    try:
        doc = yaml.safe_load(lock.read_text(encoding="utf-8")) or {}
        stages = doc.get("stages", {}).values()
        return {
            (lock.parent / out["path"]).resolve() for st in stages for out in st.get("outs", [])
        }
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError):
        raise InputError(f"{lock}: not a readable dvc.lock") from None


def read_pointer(pointer: Path) -> Pointer:
    try:
        doc = yaml.safe_load(pointer.read_text(encoding="utf-8"))
        out = doc["outs"][0]
        return Pointer(
            path=pointer, md5=str(out["md5"]), size=out.get("size"), nfiles=out.get("nfiles")
        )
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        raise InputError(f"{pointer}: not a readable .dvc file") from None
