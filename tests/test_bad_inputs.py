"""Files a user controls, broken the ways real files break: each is exit 2 and one error line
naming the file (and the key or column), never "this is a bug" (exit 70) and never a traceback.

`{root}` in an expected message is the project folder. The last test proves, against a registry
with a champion and a DVC remote with data, that refused inputs change neither.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pytest
from mlflow.pyfunc.model import PythonModel

from tests.conftest import Project

MODEL = "breast-cancer-classifier"
Mutate = Callable[[Project], object]


class NoneModel(PythonModel):
    """A pyfunc model whose predict returns None, as a half-written custom model does."""

    def predict(self, context: Any, model_input: Any, params: Any = None) -> None:
        return None


def _none_model(project: Project) -> None:
    target = project.root / "models" / "candidate"
    shutil.rmtree(target)
    mlflow.pyfunc.save_model(str(target), python_model=NoneModel())


def _config(change: Callable[[dict[str, Any]], None]) -> Mutate:
    def mutate(project: Project) -> None:
        config = project.config()
        change(config)
        project.write_config(config)

    return mutate


def _append(text: str) -> Mutate:
    return lambda p: p.config_path.write_text(p.config_path.read_text() + text)


def _replace(old: str, new: str) -> Mutate:
    def mutate(p: Project) -> None:
        text = p.config_path.read_text()
        assert old in text
        p.config_path.write_text(text.replace(old, new, 1))

    return mutate


def _write(relative: str, content: bytes) -> Mutate:
    return lambda p: (p.root / relative).write_bytes(content)


def _cut(relative: str, keep: int) -> Mutate:
    return lambda p: (p.root / relative).write_bytes((p.root / relative).read_bytes()[:keep])


def _loop(relative: str) -> Mutate:
    def mutate(p: Project) -> None:
        path = p.root / relative
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        path.symlink_to(path.name)

    return mutate


def _directory(relative: str) -> Mutate:
    def mutate(p: Project) -> None:
        (p.root / relative).unlink()
        (p.root / relative).mkdir()

    return mutate


def _cell(relative: str, column: int, value: str) -> Mutate:
    def mutate(p: Project) -> None:
        lines = (p.root / relative).read_text().splitlines()
        cells = lines[5].split(",")
        cells[column] = value
        lines[5] = ",".join(cells)
        (p.root / relative).write_text("\n".join(lines) + "\n")

    return mutate


def _both(*steps: Mutate) -> Mutate:
    return lambda p: [step(p) for step in steps]


BOMB = "".join(
    f"  {n}: &{n} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, n in zip("abcdefg", "bcdefgh", strict=False)
)
CANDIDATE = "{root}/models/candidate"
LOAD = f"mlci: error: candidate {CANDIDATE}: cannot load with mlflow.pyfunc: "
BIG = "x" * 200_000  # a long value, quoted short (a file over 1 MiB is refused unread)

CASES: list[tuple[str, Mutate, str, str]] = [
    ("corrupt MLmodel", _write("models/candidate/MLmodel", b"flavors: [unclosed\n  : :"), "regress",
     LOAD + "ParserError: while parsing a flow sequence"),
    ("truncated pickle", _cut("models/candidate/model.pkl", 200), "regress",
     LOAD + "UnpicklingError: pickle data was truncated"),
    ("empty pickle", _write("models/candidate/model.pkl", b""), "regress",
     LOAD + "EOFError: Ran out of input"),
    ("empty model dir", _both(lambda p: shutil.rmtree(p.root / "models/candidate"),
                              lambda p: (p.root / "models/candidate").mkdir()), "regress",
     f"mlci: error: {CANDIDATE}: not an MLflow model directory (no MLmodel file)"),
    ("predict returns None", _none_model, "regress",
     f"mlci: error: candidate {CANDIDATE}: predict returned None, not one value per row"),
    ("unknown URI scheme", _config(lambda c: c["model"].update(candidate="s3x://bucket/model")),
     "regress", "mlci: error: model s3x://bucket/model: no MLflow artifact store handles this URI "
     "scheme (expected a local path, runs:/, models:/, s3://, gs://, ...)"),
    ("text in a float column", _cell("data/eval.csv", 1, "big"), "regress",
     "mlci: error: {root}/data/eval.csv: column mean_radius: could not convert 'big' to float"),
    ("eval data symlink loop", _loop("data/eval.csv"), "regress",
     "mlci: error: {root}/data/eval.csv: a symlink loop"),
    ("model symlink loop", _loop("models/candidate"), "regress",
     f"mlci: error: {CANDIDATE}: a symlink loop"),
    ("corrupt Parquet eval data", _both(
        _write("data/eval.parquet", b"PAR1garbagePAR1"),
        _config(lambda c: c["model"].update(eval_data="data/eval.parquet"))), "regress",
     "mlci: error: {root}/data/eval.parquet: cannot read Parquet: Parquet file size is 15 bytes, "
     "smaller than the size reported by footer's (1701273954bytes)"),
    ("schema path is a directory", _directory("mlci.schema.yaml"), "validate",
     "mlci: error: {root}/mlci.schema.yaml: is a directory, expected a file"),
    ("schema symlink loop", _loop("mlci.schema.yaml"), "validate",
     "mlci: error: {root}/mlci.schema.yaml: a symlink loop"),
    ("data symlink loop", _loop("data/new.csv"), "validate",
     "mlci: error: {root}/data/new.csv: a symlink loop"),
    ("ragged CSV", lambda p: (p.root / "data/new.csv").write_text(
        (p.root / "data/new.csv").read_text() + "1,2\n"), "validate",
     "mlci: error: {root}/data/new.csv: cannot read CSV: CSV parse error: Expected 32 columns, got 2: 1,2"),
    ("contract of the wrong type", _write("mlci.schema.yaml", b"columns: 5\n"), "validate",
     "mlci: error: {root}/mlci.schema.yaml: columns: Input should be a valid dictionary"),
    ("200 KB config value", _config(lambda c: c["model"].update(task=BIG)), "validate",
     "mlci: error: mlci.yaml: model.task: expected one of binary, multiclass, regression, "
     "got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (200,002 characters)"),
    ("2 MB config file", _write("mlci.yaml", b"#" * 2_000_000), "validate",
     "mlci: error: mlci.yaml: 2,000,000 bytes; a config file over 1 MiB is refused "
     "(is this the right file?)"),
    ("YAML alias bomb", _append("bomb:\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB), "validate",
     "mlci: error: mlci.yaml: line 20: a: YAML anchors and aliases are not allowed in mlci.yaml "
     "(&a); write the value out"),
    ("YAML alias", _replace("f1: {min: 0.85, max_drop: 0.01}", "f1: *r"), "validate",
     "mlci: error: mlci.yaml: line 14: f1: YAML anchors and aliases are not allowed in mlci.yaml "
     "(*r); write the value out"),
    ("duplicate section", _append("registry:\n  champion_alias: prod\n"), "validate",
     "mlci: error: mlci.yaml: line 19: registry: duplicate key (first on line 16); "
     "YAML would keep the last one silently"),
    ("duplicate nested key", _replace("  task: binary\n", "  task: binary\n  task: regression\n"),
     "validate", "mlci: error: mlci.yaml: line 10: task: duplicate key (first on line 9); "
     "YAML would keep the last one silently"),
    ("report of the wrong shape", _write("mlci-report.json", b"[1, 2, 3]"), "promote",
     "mlci: error: mlci-report.json: not an mlci report of schema 1.0 (schema_version: None)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "command", "expected"),
    [pytest.param(m, c, e, id=name) for name, m, c, e in CASES],
)
def test_bad_input_is_exit_2_with_one_line(
    project: Project, mutate: Mutate, command: str, expected: str
) -> None:
    mutate(project)
    result = project.mlci(command)
    lines = [line for line in result.err.splitlines() if not line.endswith(": running")]
    assert (result.code, lines) == (2, [expected.format(root=project.root)])
    assert result.out == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: no permission to deny")
def test_unreadable_schema_is_exit_2(project: Project) -> None:
    (project.root / "mlci.schema.yaml").chmod(0)
    result = project.mlci("validate")
    assert result.code == 2
    assert result.err.splitlines()[-1] == (
        f"mlci: error: {project.root}/mlci.schema.yaml: permission denied"
    )


def _state(project: Project, remote: Path) -> tuple[Any, ...]:
    client = project.client()
    versions = sorted(
        ((v.version, v.source, dict(v.tags)) for v in client.search_model_versions(f"name = '{MODEL}'")),
        key=lambda v: int(v[0]),
    )  # fmt: skip
    model = client.get_registered_model(MODEL)
    files = sorted(str(p.relative_to(remote)) for p in remote.rglob("*"))
    return versions, dict(model.aliases), dict(model.tags), files


def test_refused_inputs_change_neither_registry_nor_dvc_remote(
    project: Project, tmp_path: Path
) -> None:
    def run(*args: str) -> None:
        subprocess.run(args, cwd=project.root, check=True, capture_output=True)

    remote = tmp_path / "remote"
    run("git", "init", "-q")
    run(sys.executable, "-m", "dvc", "init", "-q")
    run(sys.executable, "-m", "dvc", "remote", "add", "-d", "local", str(remote))
    run(sys.executable, "-m", "dvc", "add", "data/train.csv", "data/eval.csv", "data/new.csv")
    run(sys.executable, "-m", "dvc", "push", "-q")
    run("git", "add", "-A")
    run("git", "commit", "-q", "-m", "data")
    project.use("baseline")
    assert project.mlci("gate").code == 0
    assert project.mlci("promote").code == 0
    before = _state(project, remote)
    assert before[1] == {"champion": 1} and before[3], before

    project.use("tuned")
    _write("models/candidate/model.pkl", b"")(project)
    assert project.mlci("gate").code == 2
    promote = project.mlci("promote")  # the last report is the baseline's: refused
    assert promote.code == 1
    assert "models/candidate changed since the gate ran" in promote.err
    _append("registry:\n  champion_alias: prod\n")(project)
    for command in ("gate", "version", "promote", "rollback"):
        result = project.mlci(command)
        assert result.code == 2, (command, result.text)
        assert "duplicate key" in result.err
    assert _state(project, remote) == before
