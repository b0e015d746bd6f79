"""The crash file an internal error leaves behind, as pre-commit writes `pre-commit.log`.

It holds what a bug report needs: the command, the traceback, and the versions of mlci, Python,
the platform and the libraries mlci drives. Versions come from package metadata, so writing the
file imports none of them. Writing it must never turn one failure into two: any OSError is said
in the message instead.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from importlib import metadata
from pathlib import Path

from mlci import __version__

CRASH_FILE = "mlci-crash.log"
LIBRARIES = ("mlflow", "dvc", "pandas", "pyarrow", "scikit-learn", "numpy", "click", "pydantic")


def crash_path() -> Path:
    """$MLCI_CRASH_DIR/mlci-crash.log, else ./mlci-crash.log (CI uploads the workspace)."""
    return (Path(os.environ.get("MLCI_CRASH_DIR") or ".") / CRASH_FILE).absolute()


def write_crash_file(args: list[str], exc: BaseException) -> str:
    """Write the crash file; return the sentence that tells the user where it is (or why not)."""
    path = crash_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(crash_report(args, exc), encoding="utf-8")
    except OSError as err:
        return f"no crash file ({path}: {err.strerror or type(err).__name__}); rerun with --debug"
    return f"details in {path} (please attach it to a bug report)"


def crash_report(args: list[str], exc: BaseException) -> str:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    versions = "\n".join(f"{name}: {version}" for name, version in versions_info())
    return (
        "### command\n\n"
        f"mlci {' '.join(args)}\n\n"
        "### versions\n\n"
        f"{versions}\n\n"
        "### traceback\n\n"
        f"{trace}"
    )


def versions_info() -> list[tuple[str, str]]:
    found = [
        ("mlci", __version__),
        ("python", sys.version.replace("\n", " ")),
        ("platform", platform.platform()),
    ]
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return found
