"""Deepchecks in its own virtual environment, run in a subprocess, mapped to CheckResults.

deepchecks 0.19.1 is unmaintained, AGPL-licensed and imports only with numpy<2, pandas<3 and
scikit-learn<1.6, so it never enters mlci's environment. mlci creates one venv for it, once, under
the user's cache directory (MLCI_CACHE_DIR overrides the place), and runs
mlci/adapters/deepchecks_runner.py there on the same data files.

A check that crashed or did not run is `error`, never a pass; a whole suite that could not run is
one `error` result. The HTML report of each suite is kept in the report directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlci.config import DeepchecksConfig
from mlci.errors import InputError, ServiceError

VERSION = "0.19.1"
# setuptools: deepchecks imports pkg_resources. pyarrow: pandas reads Parquet with it (19.x
# imports with numpy<2; the newest releases need numpy 2).
REQUIREMENTS = (
    f"deepchecks=={VERSION}",
    "numpy<2",
    "pandas<3",
    "scikit-learn<1.6",
    "setuptools<82",
    "pyarrow>=14,<20",
)
RUNNER = Path(__file__).with_name("deepchecks_runner.py")
_MARKER = ".mlci-ready"
_INSTALL_TIMEOUT = 1800

Say = Callable[[str], None]


def cache_root() -> Path:
    """MLCI_CACHE_DIR, else the platform's user cache directory + /mlci."""
    if override := os.environ.get("MLCI_CACHE_DIR"):
        return Path(override)
    if sys.platform == "win32":
        return (
            Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
            / "mlci"
            / "Cache"
        )
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "mlci"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlci"


@dataclass(frozen=True)
class DeepchecksEnv:
    """The isolated environment: where it lives and the interpreter that creates it."""

    root: Path
    base_python: str = sys.executable

    @classmethod
    def default(cls) -> DeepchecksEnv:
        tag = f"py{sys.version_info.major}{sys.version_info.minor}"
        base = os.environ.get("MLCI_DEEPCHECKS_PYTHON", sys.executable)
        return cls(cache_root() / f"deepchecks-{VERSION}-{tag}", base)

    @property
    def python(self) -> Path:
        scripts = "Scripts" if sys.platform == "win32" else "bin"
        return self.root / scripts / ("python.exe" if sys.platform == "win32" else "python")

    def ready(self) -> bool:
        marker = self.root / _MARKER
        return (
            self.python.exists()
            and marker.is_file()
            and marker.read_text() == "\n".join(REQUIREMENTS)
        )

    def ensure(self, say: Say) -> Path:
        """The environment's python, creating the environment first if needed (once)."""
        if self.ready():
            return self.python
        say(
            f"creating the deepchecks environment in {self.root} "
            "(once; downloads ~200 MB, takes minutes)"
        )
        if self.root.exists():
            shutil.rmtree(self.root)  # a half-made environment from an interrupted run
        self.root.parent.mkdir(parents=True, exist_ok=True)
        self._run([self.base_python, "-m", "venv", str(self.root)], "python -m venv")
        pip = [str(self.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        self._run([*pip, *REQUIREMENTS], "pip install " + " ".join(REQUIREMENTS))
        (self.root / _MARKER).write_text("\n".join(REQUIREMENTS))
        return self.python

    def _run(self, args: list[str], what: str) -> None:
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ServiceError(
                f"cannot create the deepchecks environment in {self.root}: {what}: {exc}"
            ) from None
        if done.returncode != 0:
            lines = [
                ln
                for ln in (done.stderr or done.stdout).splitlines()
                if ln.strip() and "WARNING" not in ln
            ]
            reason = lines[-1] if lines else f"exit {done.returncode}"
            raise ServiceError(
                f"cannot create the deepchecks environment in {self.root}: {what}: {reason} "
                "(needs PyPI access and a Python with numpy<2 wheels; "
                "MLCI_DEEPCHECKS_PYTHON picks the interpreter)"
            )


def run_suites(
    *,
    config: DeepchecksConfig,
    data: Path,
    reference: Path | None,
    label: str | None,
    html_dir: Path,
    env: DeepchecksEnv | None = None,
    say: Say | None = None,
) -> dict[str, Any]:
    """Run the configured suites on DATA (and REFERENCE as train data) in the isolated env;
    the runner's JSON as it wrote it (mlci.data.suites turns it into checks)."""
    env = env or DeepchecksEnv.default()
    python = env.ensure(say or _stderr)
    html_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlci-deepchecks-") as work:
        spec = {
            "suites": list(config.suites),
            "exclude": list(config.exclude),
            "data": str(data.resolve()),
            "reference": str(reference.resolve()) if reference else None,
            "label": label,
            "html_dir": str(html_dir.resolve()),
            "out": str(Path(work) / "out.json"),
        }
        (Path(work) / "spec.json").write_text(json.dumps(spec))
        # Run a copy: next to this module, `import deepchecks` would find this very file.
        runner = Path(work) / "runner.py"
        shutil.copyfile(RUNNER, runner)
        _run_runner(python, runner, Path(work) / "spec.json", config.timeout)
        found: dict[str, Any] = json.loads((Path(work) / "out.json").read_text())
    return found


def _run_runner(python: Path, runner: Path, spec: Path, timeout: float) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONNOUSERSITE": "1"}
    env.pop("PYTHONPATH", None)  # mlci's packages must not leak into the isolated environment
    try:
        done = subprocess.run(
            [str(python), "-I", str(runner), str(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            f"deepchecks did not finish within validate.deepchecks.timeout ({timeout:g} s)"
        ) from None
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        raise ServiceError(
            f"deepchecks runner failed ({python}): "
            + (lines[-1] if lines else f"exit {done.returncode}")
        )


def _stderr(message: str) -> None:
    print(f"mlci: {message}", file=sys.stderr, flush=True)
