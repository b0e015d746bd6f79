"""`mlci canary` on a real sqlite registry: v1 (`baseline`) is champion again (v2 promoted, then
rolled back), v2 (`tuned`) is put on @challenger, and both answer rows through mlflow.pyfunc into
the inference logs the analysis reads (tests/monitor/conftest.py's Logs). @challenger is set with
MLflow's own client here, as a serving team's script might: `mlci promote --canary`'s path has its
own tests (tests/test_challenger.py)."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import Project, run_mlci_process
from tests.monitor.conftest import Logs, build_project

MODEL = "breast-cancer-classifier"


@pytest.fixture(scope="module")
def promoted_once(
    tmp_path_factory: pytest.TempPathFactory, trained: Path, migrated_db: Path
) -> Project:
    made = build_project(tmp_path_factory.mktemp("canary") / "project", trained, migrated_db, None)
    back = made.mlci("rollback")
    assert back.code == 0, back.text
    return made


@pytest.fixture
def project(promoted_once: Project, tmp_path: Path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(promoted_once.root, root)
    made = Project(root=root, trained=promoted_once.trained)
    made.client().set_registered_model_alias(MODEL, "challenger", "2")
    return made


def configure(project: Project, **canary: Any) -> None:
    config = project.config()
    config["canary"] = {"min_rows": 100, **canary}
    project.write_config(config)


def traffic(project: Project, *, challenger_rows: int = 200, **challenger: Any) -> None:
    logs = Logs(project)
    logs.write("champion.parquet", rows=600, model="baseline", version="1", seed=1)
    logs.write(
        "challenger.parquet", rows=challenger_rows, model="tuned", version="2", seed=2,
        **challenger,
    )  # fmt: skip


def last_line(project: Project, *args: str) -> tuple[int, str]:
    result = project.mlci("canary", *args)
    assert not result.err.strip() or result.code == 2, result.text
    return result.code, result.out.strip().splitlines()[-2]


def trail(project: Project) -> list[dict[str, Any]]:
    shown = project.mlci("history", "--json")
    assert shown.code == 0, shown.text
    return [json.loads(line) for line in reversed(shown.out.splitlines())]


def tags(project: Project, version: str) -> dict[str, str]:
    found = project.client().get_model_version(MODEL, version).tags
    return {k: v for k, v in found.items() if k.startswith("mlci.canary_")}


def test_a_healthy_challenger_graduates_after_the_configured_runs(project: Project) -> None:
    configure(project, consecutive=2)
    traffic(project)
    assert last_line(project) == (
        0, "continue: healthy run 1 of 2: 1 more healthy run(s) to graduate",
    )  # fmt: skip
    assert tags(project, "2") == {"mlci.canary_healthy": "1", "mlci.canary_failures": "0"}
    assert project.aliases() == {"champion": "1", "challenger": "2"}
    assert last_line(project) == (
        0,
        f"graduate: {MODEL} v2 is now @champion (was v1); @challenger removed "
        "(2 healthy run(s) in a row of 2)",
    )
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    last = trail(project)[-1]
    assert (last["action"], last["version"], last["replaced_version"], last["state"]) == (
        "promote", "2", "1", "done",
    )  # fmt: skip
    assert last["cause"] == "mlci canary: 2 healthy run(s) in a row of 2"
    report = json.loads((project.root / "mlci-canary.json").read_text())
    assert [s["name"] for s in report["steps"]] == ["canary"]
    # Healthy, but 200 challenger rows cannot rule out the allowed drop: inconclusive, not failed.
    checks = report["steps"][0]["checks"]
    assert report["steps"][0]["status"] == "warn"
    assert {c["id"] for c in checks if c["status"] == "warn"} == {"canary_metric"}
    # Graduated through promote's path: a plain rollback returns to the old champion.
    back = project.mlci("rollback")
    assert (back.code, back.out.strip()) == (
        0, f"{MODEL} v1 is now @champion (rolled back from v2)",
    )  # fmt: skip


def test_a_challenger_with_more_errors_is_aborted(project: Project) -> None:
    configure(project)
    traffic(project, error_rate=0.2)
    code, said = last_line(project)
    assert (code, said) == (
        1,
        f"abort: @challenger removed from {MODEL} v2; @champion unchanged "
        "(1 failed run(s) of failure_limit 1: canary_error_rate, challenger_error_rate)",
    )
    assert project.aliases() == {"champion": "1"}
    last = trail(project)[-1]
    assert (last["action"], last["version"], last["alias"], last["state"]) == (
        "canary-abort", "2", "challenger", "done",
    )  # fmt: skip
    stats = project.mlci("history", "--stats", "--json")
    assert stats.code == 0, stats.text
    assert json.loads(stats.out)["aborted"] == 1
    # The report renders as the canary workflow's summary step renders it.
    html = project.mlci(
        "report", "--report", "mlci-canary.json", "--format", "html", "-o", "c.html"
    )
    assert html.code == 0, html.text
    assert (project.root / "c.html").read_text().startswith("<!doctype html>")


def test_a_challenger_worse_on_labels_is_aborted(project: Project) -> None:
    configure(project)
    traffic(project, flip_labels=0.3)
    code, said = last_line(project)
    assert (code, said) == (
        1,
        f"abort: @challenger removed from {MODEL} v2; @champion unchanged "
        "(1 failed run(s) of failure_limit 1: canary_metric, challenger_performance)",
    )
    assert project.aliases() == {"champion": "1"}
    # The arms compared on their labels: the difference and its unpaired interval, per metric.
    report = json.loads((project.root / "mlci-canary.json").read_text())
    arms = [c for c in report["steps"][0]["checks"] if c["id"] == "canary_metric"]
    assert [(c["title"], c["status"]) for c in arms] == [
        ("accuracy, challenger vs champion", "fail"),
        ("f1, challenger vs champion", "fail"),
    ]
    assert arms[0]["message"] == (
        "challenger arm vs champion arm (unpaired bootstrap; champion 600 labelled rows): "
        "accuracy: 0.6550 vs champion 0.9617 (Δ -0.3067, 95% CI [-0.3717, -0.2481], 200 rows); "
        "below min 0.85; worse by 0.3067, beyond the allowed drop 0.0100 with 95% confidence"
    )
    assert (arms[0]["details"]["ci_low"], arms[0]["details"]["ci_high"]) == pytest.approx(
        (-0.3717, -0.2481), abs=1e-4
    )


def test_a_failure_under_the_limit_continues_and_resets_the_healthy_count(
    project: Project,
) -> None:
    configure(project, failure_limit=2)
    project.client().set_model_version_tag(MODEL, "2", "mlci.canary_healthy", "2")
    traffic(project, error_rate=0.2)
    assert last_line(project) == (
        0, "continue: failed run 1 of failure_limit 2; healthy count reset to 0",
    )  # fmt: skip
    assert tags(project, "2") == {"mlci.canary_healthy": "0", "mlci.canary_failures": "1"}
    assert project.aliases()["challenger"] == "2"


def test_too_few_rows_continue_and_count_nothing(project: Project) -> None:
    configure(project)
    traffic(project, challenger_rows=30)
    assert last_line(project) == (
        0,
        "continue: too few rows for canary.min_rows 100: challenger 30; nothing counted",
    )
    assert tags(project, "2") == {}
    assert project.aliases() == {"champion": "1", "challenger": "2"}


def test_dry_run_says_what_it_would_do_and_changes_nothing(project: Project) -> None:
    configure(project, consecutive=1)
    traffic(project)
    before = trail(project)
    assert last_line(project, "--dry-run") == (
        0,
        f"graduate (dry run): would make {MODEL} v2 @champion (1 healthy run(s) in a row of 1)",
    )
    assert project.aliases() == {"champion": "1", "challenger": "2"}
    assert (trail(project), tags(project, "2")) == (before, {})


def test_no_challenger_is_bad_input(project: Project) -> None:
    project.client().delete_registered_model_alias(MODEL, "challenger")
    traffic(project)
    result = project.mlci("canary")
    assert (result.code, result.err.strip()) == (
        2,
        f"mlci: error: {MODEL}: no version holds @challenger: no canary to analyse "
        "(put one there with `mlci promote --canary`)",
    )


def test_a_challenger_equal_to_the_champion_is_bad_input(project: Project) -> None:
    project.client().set_registered_model_alias(MODEL, "challenger", "1")
    traffic(project)
    result = project.mlci("canary")
    assert (result.code, result.err.strip()) == (
        2,
        f"mlci: error: {MODEL}: v1 holds both @champion and @challenger: a challenger must "
        "differ from the champion",
    )
    assert project.aliases() == {"champion": "1", "challenger": "1"}


def test_logs_without_the_version_column_are_bad_input(project: Project) -> None:
    traffic(project)
    config = project.config()
    del config["monitor"]["model_version"]
    project.write_config(config)
    result = project.mlci("canary")
    assert (result.code, result.err.strip()) == (
        2,
        "mlci: error: mlci.yaml: monitor.model_version: required by mlci canary "
        "(the log column naming the version that answered)",
    )
    config["monitor"]["model_version"] = "model_version"
    project.write_config(config)
    path = project.root / "logs" / "champion.parquet"
    pd.read_parquet(path).drop(columns=["model_version"]).to_parquet(path, index=False)
    result = project.mlci("canary")
    assert (result.code, result.err.strip()) == (
        2,
        f"mlci: error: {path}: the logs lack the configured column(s) 'model_version' "
        "(monitor.model_version)",
    )
    assert project.aliases()["challenger"] == "2"


def raw_trail(project: Project) -> list[tuple[str, str, str]]:
    found = project.client().get_registered_model(MODEL).tags
    events = [json.loads(v) for k, v in sorted(found.items()) if k.startswith("mlci.history.")]
    return [(e["action"], e["version"], e["state"]) for e in events]


def test_an_abort_killed_before_the_alias_moves_is_marked_aborted_and_done_again(
    project: Project,
) -> None:
    configure(project)
    traffic(project, error_rate=0.2)
    killed = run_mlci_process(
        "canary", cwd=project.root, env={"MLCI_FAILPOINT": "after_event_pending"}
    )
    assert killed.code == -signal.SIGKILL, killed.text
    assert project.aliases()["challenger"] == "2"
    assert last_line(project)[0] == 1
    assert project.aliases() == {"champion": "1"}
    assert raw_trail(project)[-2:] == [
        ("canary-abort", "2", "aborted"),
        ("canary-abort", "2", "done"),
    ]


def test_an_abort_killed_after_the_alias_moved_is_finished_by_the_next_move(
    project: Project,
) -> None:
    configure(project)
    traffic(project, error_rate=0.2)
    killed = run_mlci_process(
        "canary", cwd=project.root, env={"MLCI_FAILPOINT": "after_challenger_alias"}
    )
    assert killed.code == -signal.SIGKILL, killed.text
    assert project.aliases() == {"champion": "1"}
    assert raw_trail(project)[-1] == ("canary-abort", "2", "pending")
    # Any later move of the model repairs the trail under the lock first.
    back = project.mlci("rollback", "--to", "1")
    assert (back.code, back.out.strip()) == (
        0,
        f"{MODEL} v1 already holds @champion: nothing to do",
    )
    assert raw_trail(project)[-1] == ("canary-abort", "2", "done")


# The failpoints (mlci/faults.py) SIGKILL the child `mlci canary` at a named point of the graduate:
# a signal sent from the test at a moment it guesses would land anywhere, or after the run ended.
@pytest.mark.parametrize("point", ["after_champion_alias", "after_event_done", "after_graduated"])
def test_a_graduate_killed_after_the_champion_moved_is_finished_by_the_next_run(
    project: Project, point: str
) -> None:
    configure(project, consecutive=1)
    traffic(project)
    killed = run_mlci_process("canary", cwd=project.root, env={"MLCI_FAILPOINT": point})
    assert killed.code == -signal.SIGKILL, killed.text
    # One version on both aliases: never two champions, and @previous-champion already kept.
    assert project.aliases() == {"champion": "2", "challenger": "2", "previous-champion": "1"}
    assert last_line(project, "--dry-run") == (
        0,
        f"graduate (dry run): would finish the graduation a killed run left: remove @challenger "
        f"from {MODEL} v2",
    )
    assert project.aliases()["challenger"] == "2"
    assert last_line(project) == (
        0,
        f"graduate: finished the graduation a killed run left: {MODEL} v2 is @champion; "
        "@challenger removed",
    )
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    assert raw_trail(project)[-1] == ("promote", "2", "done")
    # Nothing is left over: the next run finds no challenger.
    assert project.mlci("canary").code == 2


@pytest.mark.parametrize("point", ["after_event_pending", "after_previous_alias"])
def test_a_graduate_killed_before_the_champion_moved_graduates_on_the_next_run(
    project: Project, point: str
) -> None:
    configure(project, consecutive=1)
    traffic(project)
    killed = run_mlci_process("canary", cwd=project.root, env={"MLCI_FAILPOINT": point})
    assert killed.code == -signal.SIGKILL, killed.text
    assert (project.aliases()["champion"], project.aliases()["challenger"]) == ("1", "2")
    assert last_line(project) == (
        0,
        f"graduate: {MODEL} v2 is now @champion (was v1); @challenger removed "
        "(1 healthy run(s) in a row of 1)",
    )
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    assert raw_trail(project)[-2:] == [("promote", "2", "aborted"), ("promote", "2", "done")]


def test_a_graduated_champion_put_back_on_challenger_by_hand_stays_bad_input(
    project: Project,
) -> None:
    configure(project, consecutive=1)
    traffic(project)
    assert last_line(project)[0] == 0
    assert tags(project, "2")["mlci.canary_graduated_at"]
    project.client().set_registered_model_alias(MODEL, "challenger", "2")
    result = project.mlci("canary")
    assert (result.code, result.err.strip()) == (
        2,
        f"mlci: error: {MODEL}: v2 holds both @champion and @challenger: a challenger must "
        "differ from the champion",
    )
    assert project.aliases() == {"champion": "2", "challenger": "2", "previous-champion": "1"}
