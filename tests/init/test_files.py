"""The files `mlci init` writes: the config text, kept files, and the two shared files that only
gain mlci's lines."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from mlci.init.files import (
    HOOK_ID,
    IGNORED,
    Written,
    add_gitignore,
    add_hook,
    config_text,
    workflow_text,
    write_new,
)
from mlci.init.inspect import Answers

ANSWERS = Answers(data="data/new.csv", reference="data/train.csv", eval_data="data/eval.csv",
                  label="churned", task="binary", name="churn", candidate="models/candidate")  # fmt: skip


def test_the_config_is_yaml_of_the_answers() -> None:
    doc = yaml.safe_load(config_text(ANSWERS))
    assert doc["data"] == {"path": "data/new.csv", "reference": "data/train.csv",
                           "schema": "mlci.schema.yaml", "label": "churned"}  # fmt: skip
    assert doc["model"] == {"name": "churn", "task": "binary", "candidate": "models/candidate",
                            "eval_data": "data/eval.csv", "metrics": {}}  # fmt: skip
    assert doc["registry"] == {"tracking_uri": "sqlite:///mlflow.db", "champion_alias": "champion"}
    without = yaml.safe_load(config_text(replace(ANSWERS, reference=None)))
    assert "reference" not in without["data"]


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    assert write_new(tmp_path, "a/b.yml", "one\n", force=False) == Written("a/b.yml", "wrote")
    assert write_new(tmp_path, "a/b.yml", "two\n", force=False) == Written("a/b.yml", "kept")
    assert (tmp_path / "a" / "b.yml").read_text() == "one\n"
    assert write_new(tmp_path, "a/b.yml", "two\n", force=True) == Written("a/b.yml", "wrote")
    assert (tmp_path / "a" / "b.yml").read_text() == "two\n"


def test_the_gitignore_gains_only_the_missing_lines_once(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc\nmlflow.db")  # no final newline
    assert add_gitignore(tmp_path) == Written(".gitignore", "added to")
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[:3] == ["*.pyc", "mlflow.db", "# mlci: the local registry, its artifacts, "
                         "reports and the gate cache"]  # fmt: skip
    assert lines[3:] == list(IGNORED[1:])
    assert add_gitignore(tmp_path) == Written(".gitignore", "already in")


def test_the_hook_is_added_once_and_only_where_appending_is_safe(tmp_path: Path) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    assert add_hook(tmp_path) == Written(".pre-commit-config.yaml", "wrote")
    hooks = yaml.safe_load(config.read_text())["repos"][0]["hooks"]
    assert [(h["id"], h["entry"], h["stages"]) for h in hooks] == [
        (HOOK_ID, "mlci gate", ["pre-push"])
    ]
    assert add_hook(tmp_path) == Written(".pre-commit-config.yaml", "already in")
    config.write_text("repos: []\ndefault_stages: [pre-commit]\n")
    assert add_hook(tmp_path) == Written(".pre-commit-config.yaml", "kept")
    assert config.read_text() == "repos: []\ndefault_stages: [pre-commit]\n"


def test_without_requirements_the_workflow_loses_only_that_line() -> None:
    shipped = workflow_text("mlci-pr.yml", requirements=True)
    bare = workflow_text("mlci-pr.yml", requirements=False)
    assert "requirements: requirements.txt" in shipped
    dropped = [line for line in shipped.splitlines() if line not in bare.splitlines()]
    assert [line.strip() for line in dropped] == ["requirements: requirements.txt"]
