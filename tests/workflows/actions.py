"""Local stand-ins for the third-party actions mlci's workflows use; any other one fails the test.

- actions/checkout clones from the World's bare repository (the workflow's repository, or the
  `repository:` input) and checks out `ref:` (default: the event's commit for the workflow's
  own repository, the default branch for another) into `path:`.
- actions/setup-python gives the job a fresh virtual environment of the interpreter running the
  tests: it sees that interpreter's installed libraries (a .pth line) but not mlci, and its pip
  is offline (no index, no build isolation), so `pip install` of mlci from a checkout is real
  and fast while nothing is downloaded. The requested version is recorded, not enforced.
- actions/upload-artifact copies the matched files into the run's artifacts folder, honouring
  `if-no-files-found` (warn, error, ignore) and refusing a second artifact of the same name.
- actions/cache restores a directory saved by an earlier job of the same World under the same
  key and saves it when the job ends (GitHub's post step); a miss is what a first run sees.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.workflows.expressions import to_string

if TYPE_CHECKING:
    from tests.workflows.harness import Runner


@dataclass(frozen=True)
class Request:
    runner: Runner
    inputs: Mapping[str, Any]
    env: Mapping[str, str]
    contexts: Mapping[str, Any]


@dataclass(frozen=True)
class Result:
    code: int
    outputs: dict[str, str] = field(default_factory=dict)
    log: str = ""


class ActionInputError(ValueError):
    """An input the real action does not have, or that this stand-in does not implement."""


def _inputs(request: Request, allowed: set[str], action: str) -> dict[str, str]:
    unknown = set(request.inputs) - allowed
    if unknown:
        raise ActionInputError(f"{action}: inputs this stand-in does not implement: {unknown}")
    return {k: to_string(v) for k, v in request.inputs.items()}


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)


def checkout(request: Request) -> Result:
    given = _inputs(
        request, {"repository", "ref", "path", "persist-credentials", "fetch-depth"}, "checkout"
    )
    runner = request.runner
    github = request.contexts["github"]
    repository = given.get("repository") or github["repository"]
    own = repository.lower() == str(github["repository"]).lower()
    ref = given.get("ref") or (github["sha"] if own else "")
    target = runner.workspace / given.get("path", ".")
    origin = runner.call.world.repository(repository)
    if target.exists() and any(target.iterdir()):
        return Result(1, log=f"checkout: {target} is not empty")
    clone = _run("git", "clone", "--quiet", "--no-checkout", str(origin), str(target))
    if clone.returncode != 0:
        return Result(1, log=clone.stderr)
    if ref:
        fetched = _run("git", "fetch", "--quiet", "origin", ref, cwd=target)
        if fetched.returncode != 0:
            return Result(1, log=f"checkout: {repository}@{ref}: {fetched.stderr.strip()}")
        done = _run("git", "checkout", "--quiet", "--detach", "FETCH_HEAD", cwd=target)
    else:
        done = _run("git", "checkout", "--quiet", "--force", "HEAD", cwd=target)
    return Result(
        done.returncode, log=f"checked out {repository}@{ref or 'default'}\n{done.stderr}"
    )


def setup_python(request: Request) -> Result:
    given = _inputs(request, {"python-version", "cache", "check-latest"}, "setup-python")
    runner = request.runner
    venv = runner.root / "tool-cache" / "Python" / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    if made.returncode != 0:
        return Result(1, log=made.stderr)
    site = _site_packages(venv)
    # The test interpreter's libraries, without the .pth files that make mlci importable.
    site.joinpath("runner-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (venv / "pip.conf").write_text("[global]\nno-index = true\nno-build-isolation = false\n")
    runner.path.append(str(venv / "bin"))
    runner.env_files["pythonLocation"] = str(venv)
    version = ".".join(str(n) for n in sys.version_info[:3])
    outputs = {"python-version": version, "python-path": str(venv / "bin" / "python")}
    wanted = given.get("python-version", "")
    return Result(0, outputs, log=f"python {version} (asked for {wanted or 'default'})")


def _site_packages(venv: Path) -> Path:
    folder = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_artifact(request: Request) -> Result:
    allowed = {"name", "path", "if-no-files-found", "retention-days", "compression-level"}
    given = _inputs(request, allowed | {"overwrite", "include-hidden-files"}, "upload-artifact")
    runner = request.runner
    name = given.get("name") or "artifact"
    mode = given.get("if-no-files-found", "warn")
    if mode not in ("warn", "error", "ignore"):
        raise ActionInputError(f"upload-artifact: if-no-files-found: {mode!r}")
    patterns = [p.strip() for p in given.get("path", "").splitlines() if p.strip()]
    if any(p.startswith("!") for p in patterns):
        raise ActionInputError("upload-artifact: exclusion patterns are not implemented")
    files = sorted({Path(f) for p in patterns for f in _matches(runner.workspace, p)})
    target = runner.call.artifacts / name
    if target.exists() and given.get("overwrite", "false") != "true":
        return Result(1, log=f"upload-artifact: an artifact named {name!r} already exists")
    if not files:
        message = f"No files were found with the provided path: {' '.join(patterns)}."
        if mode == "error":
            return Result(1, log=f"::error::{message}")
        return Result(0, log=f"::warning::{message}" if mode == "warn" else message)
    root = Path(os.path.commonpath([f.parent for f in files]))
    for file in files:
        (target / file.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target / file.relative_to(root))
    return Result(0, {"artifact-id": name}, log=f"uploaded {len(files)} file(s) as {name}")


def _matches(workspace: Path, pattern: str) -> list[str]:
    relative = pattern.lstrip("/") if Path(pattern).is_absolute() else pattern
    root = Path("/") if Path(pattern).is_absolute() else workspace
    out: list[str] = []
    for path in root.glob(relative):
        item = str(path)
        if path.is_dir():
            out.extend(str(p) for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            out.append(item)
    return out


def cache(request: Request) -> Result:
    given = _inputs(request, {"path", "key", "restore-keys"}, "cache")
    runner = request.runner
    key, paths = given["key"], [p.strip() for p in given["path"].splitlines() if p.strip()]
    store = runner.call.world.root / "actions-cache" / key
    hit = store.is_dir()
    for i, path in enumerate(paths):
        if hit and (store / str(i)).is_dir():
            shutil.copytree(store / str(i), Path(path).expanduser(), dirs_exist_ok=True)

    def save() -> None:
        if store.exists():
            return
        for j, folder in enumerate(paths):
            source = Path(folder).expanduser()
            if source.is_dir():
                shutil.copytree(source, store / str(j))

    if not hit:
        runner.post.append(save)
    return Result(0, {"cache-hit": "true" if hit else "false"}, log=f"cache {key}: hit={hit}")


STAND_INS: dict[str, Callable[[Request], Result]] = {
    "actions/checkout": checkout,
    "actions/setup-python": setup_python,
    "actions/upload-artifact": upload_artifact,
    "actions/cache": cache,
}
