"""`mlci init`: a starting mlci.yaml that loads, never written over an existing file."""

from __future__ import annotations

from pathlib import Path

from mlci.config import Task, load_config
from tests.conftest import run_mlci


def test_writes_a_config_that_loads(tmp_path: Path) -> None:
    result = run_mlci("init", "--name", "churn", "--task", "binary", cwd=tmp_path)
    assert (result.code, result.out.strip()) == (
        0,
        "wrote mlci.yaml; next: mlci schema infer data/new.csv -o mlci.schema.yaml",
    )
    model = load_config(tmp_path / "mlci.yaml").require_model()
    assert (model.name, model.task, model.candidate) == (
        "churn",
        Task.BINARY,
        str(tmp_path / "models" / "candidate"),
    )
    assert model.metrics == {}


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "mlci.yaml").write_text("keep: me\n")
    result = run_mlci("init", "--name", "churn", "--task", "binary", cwd=tmp_path)
    assert result.code == 2
    assert (
        result.err.strip() == "mlci: error: mlci.yaml: already exists; edit it, or remove it first"
    )
    assert (tmp_path / "mlci.yaml").read_text() == "keep: me\n"


def test_a_bad_name_leaves_no_file(tmp_path: Path) -> None:
    result = run_mlci("init", "--name", "my model", "--task", "regression", cwd=tmp_path)
    assert result.code == 2
    assert result.err.strip().startswith("mlci: error: mlci.yaml: model.name: ")
    assert not (tmp_path / "mlci.yaml").exists()
