"""The CLI shell: lazy commands, --help without heavy imports, one error handler, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlci import __version__
from mlci.cli import COMMANDS
from tests.conftest import REPO, Project, run_mlci

HEAVY = ("mlflow", "dvc", "pandas", "pyarrow", "sklearn", "deepchecks", "numpy", "scipy")


def test_help_imports_no_heavy_module() -> None:
    # A child process: this test process has imported everything already.
    code = (
        "import sys\n"
        "from mlci.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        f"loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print('LOADED', loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip().splitlines()[-1] == "LOADED []"
    for name in COMMANDS:
        assert name in done.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_subcommand_help_imports_no_heavy_module(name: str) -> None:
    code = (
        "import sys\n"
        "from mlci.cli import main\n"
        f"try:\n    main([{name!r}, '--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip().splitlines()[-1] == "LOADED []"


def test_every_product_command_is_registered() -> None:
    expected = {"init", "demo", "schema", "profile", "validate", "regress", "version", "promote",
                "rollback", "history", "report", "gate", "config", "monitor",
                "canary"}  # fmt: skip
    assert set(COMMANDS) == expected


def test_version() -> None:
    result = run_mlci("--version")
    assert (result.code, result.out.strip()) == (0, f"mlci, version {__version__}")


def test_unknown_command_is_a_usage_error() -> None:
    result = run_mlci("frobnicate")
    assert result.code == 2
    assert "No such command 'frobnicate'" in result.err


def test_unknown_option_is_a_usage_error() -> None:
    result = run_mlci("gate", "--no-such-option")
    assert result.code == 2
    assert result.err.strip() == (
        "mlci: error: No such option '--no-such-option' (see `mlci gate --help`)"
    )


def test_a_missing_argument_is_one_mlci_error_line() -> None:
    result = run_mlci("schema", "infer")
    assert (result.code, result.err) == (
        2,
        "mlci: error: Missing argument 'DATA' (see `mlci schema infer --help`)\n",
    )


def test_errors_have_no_traceback_without_debug(tmp_path: Path) -> None:
    result = run_mlci("gate", "--config", tmp_path / "absent.yaml")
    assert result.code == 2
    assert (
        result.err.strip()
        == f"mlci: error: {tmp_path / 'absent.yaml'}: config file not found (create one, or pass --config)"
    )
    assert "Traceback" not in result.text


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlci", "--debug", "gate", "--config", str(tmp_path / "absent.yaml")],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2  # the documented code, traceback or not
    assert "Traceback (most recent call last)" in done.stderr
    assert "mlci.errors.ConfigError" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("mlci: error: ")


def test_console_script_runs_in_a_child_process(project: Project) -> None:
    # The installed `mlci` entry point, not only main(): the same verdict and exit code.
    exe = Path(sys.executable).with_name("mlci")
    done = subprocess.run(
        [str(exe), "validate"], cwd=project.root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "mlci verdict: PASS"
