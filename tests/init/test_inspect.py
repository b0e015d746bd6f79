"""What `mlci init` guesses from a repository: tables by name, the model directory, the
registry name, the label and the task from the rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.init.inspect import Answers, guess, guess_label_task, model_name


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        ("a,target", ["1,0", "2,1", "3,0"], ("target", "binary")),
        ("a,Label", ["1,cat", "2,dog", "3,bird"], ("Label", "multiclass")),
        ("a,price", ["1,10.5", "2,11.25", "3,9.0"], ("price", "regression")),
    ],
)
def test_label_and_task_from_the_rows(
    tmp_path: Path, header: str, rows: list[str], expected: tuple[str, str]
) -> None:
    path = tmp_path / "eval.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    assert guess_label_task(path, None) == expected


def test_tables_are_picked_by_name_and_the_model_by_its_mlmodel(tmp_path: Path) -> None:
    root = tmp_path / "Churn Model!"
    for rel in ("data/train.csv", "data/eval.parquet", "data/new_batch.csv", ".venv/x/test.csv",
                "models/old/MLmodel", "models/candidate/MLmodel"):  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("a\n")
    assert guess(root) == Answers(
        data="data/new_batch.csv", reference="data/train.csv", eval_data="data/eval.parquet",
        label="target", task="binary", name="churn-model", candidate="models/candidate",
    )  # fmt: skip


def test_an_empty_repository_gets_the_default_paths(tmp_path: Path) -> None:
    found = guess(tmp_path)
    assert (found.data, found.reference, found.eval_data, found.candidate) == (
        "data/eval.csv", None, "data/eval.csv", "models/candidate"
    )  # fmt: skip


def test_overrides_win_and_reference_none_drops_it() -> None:
    base = Answers(data="d.csv", reference="r.csv", eval_data="e.csv", label="y", task="binary",
                   name="m", candidate="models/c")  # fmt: skip
    assert base.with_overrides(label="churn", task=None) == Answers(
        data="d.csv", reference="r.csv", eval_data="e.csv", label="churn", task="binary",
        name="m", candidate="models/c",
    )  # fmt: skip
    assert base.with_overrides(reference="none").reference is None
    assert base.with_overrides(reference="other.csv").reference == "other.csv"


@pytest.mark.parametrize(
    ("folder", "expected"),
    [("churn model", "churn-model"), ("a/b:c@d", "a-b-c-d"), ("..", "model"), ("X.v2", "x.v2")],
)
def test_the_registry_name_from_the_folder(folder: str, expected: str) -> None:
    assert model_name(folder) == expected


def test_a_missing_file_keeps_the_given_label(tmp_path: Path) -> None:
    assert guess_label_task(tmp_path / "absent.csv", "churn") == ("churn", "binary")
