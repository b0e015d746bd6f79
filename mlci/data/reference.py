"""Where the reference statistics come from: a data file, a stored profile, or a DVC revision.

`data.reference: {dvc_rev: main}` reads the same data path (or `path:`) as it is at revision
`main`, through `dvc get` on this repository: nothing is checked out, the working tree is left
alone, and DVC fetches the bytes from its cache or remote.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlci.adapters.dvc import dvc
from mlci.config import DvcReference
from mlci.config_load import LoadedConfig
from mlci.data.digest import file_digest
from mlci.data.profile import Profile, profile_file
from mlci.data.profile_json import read_profile
from mlci.data.reader import Advance
from mlci.errors import ConfigError, InputError


@dataclass(frozen=True)
class Reference:
    profile: Profile
    digest: str
    describe: str  # for the report: "data/train.csv", "profile ref.json", "data/new.csv@main (DVC)"
    data_path: Path | None  # the rows, where they exist (a profile has none): for deepchecks


def load_reference(
    loaded: LoadedConfig, *, workdir: Path, batch_rows: int | None, advance: Advance | None = None
) -> Reference | None:
    """The configured reference, or None when data.reference is not set."""
    ref = loaded.config.data.reference
    if ref is None:
        return None
    if ref == "champion":
        from mlci.baseline import champion_reference

        profile, uri = champion_reference(loaded)
        return Reference(profile, f"{uri} baseline", f"the reference stored with {uri}", None)
    if isinstance(ref, DvcReference):
        path, rel = _dvc_get(loaded, ref, workdir)
        return _from_file(path, f"{rel}@{ref.dvc_rev} (DVC)", batch_rows, advance)
    return _from_file(Path(ref), _shown(loaded, Path(ref)), batch_rows, advance)


def _from_file(
    path: Path, describe: str, batch_rows: int | None, advance: Advance | None
) -> Reference:
    if path.suffix.lower() == ".json":
        return Reference(read_profile(path), file_digest(path), f"profile {describe}", None)
    profile = profile_file(path, batch_rows=batch_rows, advance=advance)
    return Reference(profile, file_digest(path), describe, path)


def _dvc_path(loaded: LoadedConfig, ref: DvcReference) -> Path:
    """The data path (absolute) whose base-branch version is the reference."""
    if ref.path is not None:
        return (loaded.root / ref.path).resolve()
    data = loaded.config.data.path
    if data is None:
        raise ConfigError(
            f"{loaded.path.name}: data.reference.path: needed when data.path is not set"
        )
    return Path(data).resolve()


def _dvc_get(loaded: LoadedConfig, ref: DvcReference, workdir: Path) -> tuple[Path, str]:
    """Fetch the file at the revision; returns it and its path inside the repository."""
    repo = _git_root(loaded)
    try:
        rel = _dvc_path(loaded, ref).relative_to(repo).as_posix()
    except ValueError:
        raise ConfigError(
            f"{loaded.path.name}: data.reference: the data is outside the git repository {repo}"
        ) from None
    out = Path(tempfile.mkdtemp(prefix="reference-", dir=workdir)) / Path(rel).name
    dvc(["get", str(repo), rel, "--rev", ref.dvc_rev, "-o", str(out)], repo, service=False)
    return out, rel


def _git_root(loaded: LoadedConfig) -> Path:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=loaded.root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        raise InputError("data.reference.dvc_rev: git is not installed") from None
    if done.returncode != 0:
        raise InputError(
            f"{loaded.root}: data.reference.dvc_rev needs a git repository, and this is not one"
        )
    return Path(done.stdout.strip()).resolve()


def _shown(loaded: LoadedConfig, path: Path) -> str:
    try:
        return path.relative_to(loaded.root).as_posix()
    except ValueError:
        return str(path)
