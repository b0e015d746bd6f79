"""`mlci promote --canary` against a real sqlite registry with real scikit-learn models, and the
serving code docs/promotion.md shows, run as written against the champion and the challenger."""

from __future__ import annotations

import json
import random
import re
import signal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import REPO, Project, run_mlci_process

MODEL = "breast-cancer-classifier"


def gated(project: Project, kind: str) -> None:
    project.use(kind)
    gate = project.mlci("gate")
    assert gate.code == 0, gate.text


def champion_of(project: Project, kind: str) -> None:
    gated(project, kind)
    promoted = project.mlci("promote")
    assert promoted.code == 0, promoted.text


def trail(project: Project) -> list[dict[str, Any]]:
    shown = project.mlci("history", "--json")
    assert shown.code == 0, shown.text
    return [json.loads(line) for line in reversed(shown.out.splitlines())]


def test_canary_moves_the_challenger_and_leaves_the_champion(project: Project) -> None:
    champion_of(project, "baseline")
    gated(project, "tuned")
    result = project.mlci("promote", "--canary")
    assert (result.code, result.out.strip()) == (
        0,
        f"{MODEL} v2 is now @challenger; @champion unchanged",
    )
    assert project.aliases() == {"champion": "1", "challenger": "2"}
    last = trail(project)[-1]
    assert (last["action"], last["version"], last["alias"], last["state"]) == (
        "canary", "2", "challenger", "done",
    )  # fmt: skip
    assert last["report_digest"].startswith("sha256:")
    tags = project.client().get_model_version(MODEL, "2").tags
    assert "mlci.canary_at" in tags
    assert "mlci.promoted_at" not in tags  # never a champion: rollback --to it still needs --force
    again = project.mlci("promote", "--canary")
    assert (again.code, again.out.strip()) == (
        0,
        f"{MODEL} v2 already holds @challenger: nothing to do",
    )
    assert len(trail(project)) == 2
    # The canary is not on the champion stack: there is nothing to roll back to.
    back = project.mlci("rollback")
    assert (back.code, back.err.strip()) == (
        2,
        f"mlci: error: {MODEL}: no previous champion recorded; name one with --to VERSION",
    )
    assert project.aliases() == {"champion": "1", "challenger": "2"}
    # The gate's report still holds (same champion, same candidate): promoting it graduates v2.
    assert project.mlci("promote").code == 0
    stats = project.mlci("history", "--stats", "--json")
    assert stats.code == 0, stats.text
    figures = json.loads(stats.out)
    assert (figures["promotions"], figures["canaries"], figures["graduated"]) == (2, 1, 1)
    assert figures["graduation_rate"] == 1.0


def test_a_challenger_equal_to_the_champion_is_refused(project: Project) -> None:
    champion_of(project, "baseline")
    gated(project, "baseline")
    result = project.mlci("promote", "--canary")
    assert (result.code, result.err.strip()) == (
        1,
        f"mlci: error: refusing to canary: the candidate is {MODEL} v1, which holds @champion "
        "(same files): a challenger must differ from the champion",
    )
    assert (project.aliases(), project.versions(), len(trail(project))) == (
        {"champion": "1"}, ["1"], 1,
    )  # fmt: skip


def test_a_canary_with_no_champion_is_refused(project: Project) -> None:
    gated(project, "tuned")
    result = project.mlci("promote", "--canary")
    assert (result.code, result.err.strip()) == (
        1,
        f"mlci: error: refusing to canary: {MODEL} has no @champion to compare a challenger "
        "with (promote it first)",
    )
    assert (project.aliases(), project.versions()) == ({}, [])


def test_a_failed_report_is_refused_for_a_canary_too(project: Project) -> None:
    champion_of(project, "baseline")
    project.use("broken")
    assert project.mlci("gate").code == 1
    result = project.mlci("promote", "--canary")
    assert (result.code, result.err.strip()) == (
        1,
        "mlci: error: refusing to promote: the report's verdict is fail",
    )
    assert project.aliases() == {"champion": "1"}


def serving_code() -> str:
    text = (REPO / "docs" / "promotion.md").read_text()
    found = re.search(r"<!-- serving-split:[^>]*-->\n```python\n(.*?)```", text, re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_documented_serving_code_splits_traffic_and_logs_who_answered(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import mlflow

    champion_of(project, "baseline")
    gated(project, "tuned")
    assert project.mlci("promote", "--canary").code == 0
    monkeypatch.setenv("MLFLOW_TRACKING_URI", project.tracking_uri)
    service: dict[str, Any] = {}
    exec(serving_code(), service)  # exactly the block the docs show
    service["SHARE"] = 0.3
    rows = pd.read_csv(project.root / "data" / "eval.csv").drop(columns=["target"]).head(60)
    random.seed(7)
    logs = pd.DataFrame([service["answer"](rows.iloc[[i]]) for i in range(len(rows))])
    logs.to_csv(tmp_path / "inference.csv", index=False)

    random.seed(7)
    expected = ["2" if random.random() < 0.3 else "1" for _ in range(len(rows))]
    assert logs["model_version"].tolist() == expected
    assert 0 < expected.count("2") < len(rows)
    for version in ("1", "2"):
        model = mlflow.pyfunc.load_model(f"models:/{MODEL}/{version}")
        mine = (logs["model_version"] == version).to_numpy()
        assert logs["prediction"][mine].tolist() == model.predict(rows[mine]).tolist()
    assert list(logs.columns[-4:]) == ["prediction", "model_version", "latency_ms", "timestamp"]
    assert (logs["latency_ms"] >= 0).all()


@pytest.mark.parametrize(
    ("point", "challenger_after_kill", "rerun_says"),
    [
        ("after_event_pending", None, f"{MODEL} v2 is now @challenger; @champion unchanged"),
        ("after_challenger_alias", "2", f"{MODEL} v2 already holds @challenger: nothing to do"),
    ],
)
def test_a_killed_canary_is_repaired_by_the_rerun(
    project: Project, point: str, challenger_after_kill: str | None, rerun_says: str
) -> None:
    champion_of(project, "baseline")
    gated(project, "tuned")
    killed = run_mlci_process(
        "promote", "--canary", cwd=project.root, env={"MLCI_FAILPOINT": point}
    )
    assert killed.code == -signal.SIGKILL, killed.text
    assert project.aliases().get("challenger") == challenger_after_kill
    rerun = project.mlci("promote", "--canary")
    assert (rerun.code, rerun.out.strip()) == (0, rerun_says)
    assert project.aliases() == {"champion": "1", "challenger": "2"}
    assert [(e["action"], e["version"], e["state"]) for e in trail(project)] == [
        ("promote", "1", "done"),
        ("canary", "2", "done"),
    ]
