"""`mlci init`'s core in-process: everything is checked before the first write, then each file's
action is reported."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from mlci.errors import ConfigError, InputError
from mlci.init.inspect import Answers
from mlci.init.setup import CONFIG, CONTRACT, init_repository

ANSWERS = Answers(data="data/new.csv", reference="data/train.csv", eval_data="data/eval.csv",
                  label="target", task="binary", name="churn", candidate="models/candidate")  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    for name in ("new", "train", "eval"):
        (tmp_path / "data" / f"{name}.csv").write_text("age,target\n31,0\n45,1\n52,0\n")
    return tmp_path


def test_init_writes_every_file_and_a_second_run_keeps_them(repo: Path) -> None:
    done = init_repository(root=repo, answers=ANSWERS, force=False)
    assert [(w.path, w.action) for w in done.files] == [
        (CONFIG, "wrote"), (CONTRACT, "wrote"),
        (".github/workflows/mlci-pr.yml", "wrote"), (".github/workflows/mlci-promote.yml", "wrote"),
        (".github/workflows/mlci-rollback.yml", "wrote"),
        (".pre-commit-config.yaml", "wrote"), (".gitignore", "added to"),
    ]  # fmt: skip
    # inferred from the reference, its range widened by its whole width on both sides
    contract = yaml.safe_load((repo / CONTRACT).read_text())
    assert contract["columns"]["age"] == {
        "type": "int",
        "nullable": False,
        "min": 10.0,
        "max": 73.0,
    }
    again = init_repository(root=repo, answers=ANSWERS, force=False)
    assert [w.action for w in again.files] == ["kept"] * 5 + ["already in", "already in"]
    assert not (repo / f".{CONFIG}.init").exists()  # the probe is gone


def test_a_missing_table_names_its_flag_and_writes_nothing(repo: Path) -> None:
    (repo / "data" / "eval.csv").unlink()
    with pytest.raises(InputError) as caught:
        init_repository(root=repo, answers=ANSWERS, force=False)
    assert (
        str(caught.value) == f"data/eval.csv: not found (pass --eval-data PATH, relative to {repo})"
    )
    assert sorted(p.name for p in repo.iterdir()) == ["data"]


def test_a_name_the_registry_refuses_fails_before_any_write(repo: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        init_repository(root=repo, answers=replace(ANSWERS, name="my model"), force=False)
    assert str(caught.value) == (
        "mlci.yaml: model.name: String should match pattern '^[^\\s/:@]+$', got 'my model'"
    )
    assert sorted(p.name for p in repo.iterdir()) == ["data"]
