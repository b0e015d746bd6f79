"""`mlci demo`: the README's first command, end to end in a child process, with real parts."""

from __future__ import annotations

import json
from pathlib import Path

from mlflow import MlflowClient

from tests.conftest import git, run_mlci, run_mlci_process

MODEL = "breast-cancer-classifier"


def test_demo_runs_the_whole_story(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = run_mlci_process("demo", root, cwd=tmp_path)
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert "      promote: breast-cancer-classifier v1 is now @champion (first champion)" in lines
    assert (
        "      promote refused (exit 1): refusing to promote: the report's verdict is fail" in lines
    )
    assert "      promote: breast-cancer-classifier v2 is now @champion (was v1)" in lines
    assert "      breast-cancer-classifier v1 is now @champion (rolled back from v2)" in lines
    assert f"report: {root / 'mlci-report.json'}" in lines
    assert "Traceback" not in result.err

    # The registry: v1 champion again after the rollback, v2 registered, nothing else.
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(uri, uri)
    model = client.get_registered_model(MODEL)
    assert {a: str(v) for a, v in model.aliases.items()} == {"champion": "1"}
    assert sorted(str(v.version) for v in client.search_model_versions(f"name = '{MODEL}'")) == [
        "1",
        "2",
    ]

    # git: one commit holding the DVC pointers, not the data.
    assert git("log", "--format=%s", cwd=root) == "Example project: data (DVC), contract, mlci.yaml"
    tracked = git("ls-files", cwd=root).splitlines()
    assert {
        "data/train.csv.dvc",
        "data/eval.csv.dvc",
        "data/new.csv.dvc",
        "mlci.schema.yaml",
    } <= set(tracked)
    assert "data/train.csv" not in tracked

    # DVC: every tracked file's object is in the local remote.
    for name in ("train", "eval", "new"):
        pointer = (root / "data" / f"{name}.csv.dvc").read_text()
        md5 = next(line.split()[-1] for line in pointer.splitlines() if "md5:" in line)
        assert (root / ".dvc-storage" / "files" / "md5" / md5[:2] / md5[2:]).is_file()

    # The report: the improved candidate's passing gate, rendered as Markdown too.
    doc = json.loads((root / "mlci-report.json").read_text())
    # 199 evaluation rows cannot show that a 2-point accuracy gain is within a 0.01 drop with
    # 95% confidence: inconclusive is a warning, which promotes (seeded, so always the same).
    assert doc["verdict"] == "warn"
    assert "      gate: WARN — accuracy: 0.9698 vs champion 0.9497" in result.out
    assert doc["provenance"]["champion"]["version"] == "1"
    assert (root / "mlci-report.md").read_text().startswith("<!-- mlci:report -->")

    # The project is usable afterwards: history from the CLI, in the demo directory.
    history = run_mlci("history", cwd=root)
    assert history.code == 0
    assert [line.split()[1:3] for line in history.out.splitlines()] == [
        ["rollback", "v1"], ["promote", "v2"], ["promote", "v1"],
    ]  # fmt: skip


def test_demo_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = run_mlci("demo", tmp_path)
    assert result.code == 2
    assert (
        result.err.strip()
        == f"mlci: error: {tmp_path}: demo directory exists and is not empty (pick a new one)"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
