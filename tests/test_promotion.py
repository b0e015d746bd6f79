"""promote / rollback / history against a real sqlite registry with real scikit-learn models.

Every refusal is checked for its exit code, its message, and that the registry did not move.
"""

from __future__ import annotations

import json

from tests.conftest import Project, git

MODEL = "breast-cancer-classifier"


def gate_and_promote(project: Project, kind: str) -> None:
    project.use(kind)
    gate = project.mlci("gate")
    assert gate.code == 0, gate.text
    promoted = project.mlci("promote")
    assert promoted.code == 0, promoted.text


def history(project: Project) -> list[dict[str, object]]:
    result = project.mlci("history", "--json")
    assert result.code == 0, result.text
    return [json.loads(line) for line in result.out.splitlines()]


def test_first_promotion_registers_tags_and_records(project: Project) -> None:
    git("init", "-q", cwd=project.root)
    git("add", "-A", cwd=project.root)
    git("commit", "-q", "-m", "init", cwd=project.root)
    sha = git("rev-parse", "HEAD", cwd=project.root)
    project.use("baseline")
    assert project.mlci("gate").code == 0
    result = project.mlci("promote")
    assert (result.code, result.out.strip()) == (0, f"{MODEL} v1 is now @champion (first champion)")
    assert project.aliases() == {"champion": "1"}
    tags = project.client().get_model_version(MODEL, "1").tags
    assert tags["mlci.git_sha"] == sha
    assert tags["mlci.report_digest"].startswith("sha256:")
    assert tags["mlci.artifact_digest"].startswith("sha256:")
    assert tags["mlci.replaced_version"] == ""
    assert [(e["action"], e["version"], e["replaced_version"]) for e in history(project)] == [
        ("promote", "1", None)
    ]


def test_second_promotion_keeps_previous_champion_and_rerun_is_a_noop(project: Project) -> None:
    gate_and_promote(project, "baseline")
    gate_and_promote(project, "tuned")
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    assert project.client().get_model_version(MODEL, "2").tags["mlci.replaced_version"] == "1"
    again = project.mlci("promote")
    assert (again.code, again.out.strip()) == (
        0,
        f"{MODEL} v2 already holds @champion: nothing to do",
    )
    assert project.versions() == ["1", "2"]
    assert len(history(project)) == 2


def test_failed_report_is_refused_and_nothing_moves(project: Project) -> None:
    gate_and_promote(project, "baseline")
    project.use("broken")
    assert project.mlci("gate").code == 1
    result = project.mlci("promote")
    assert result.code == 1
    assert result.err.strip() == "mlci: error: refusing to promote: the report's verdict is fail"
    assert (project.aliases(), project.versions()) == ({"champion": "1"}, ["1"])


def test_report_for_another_candidate_is_refused(project: Project) -> None:
    assert project.mlci("gate").code == 0
    config = project.config()
    config["model"]["candidate"] = "models/other"
    project.write_config(config)
    result = project.mlci("promote")
    assert result.code == 1
    assert result.err.strip() == (
        f"mlci: error: refusing to promote: the report is for {MODEL} {project.root / 'models' / 'candidate'}, "
        f"not {MODEL} {project.root / 'models' / 'other'}"
    )
    assert project.aliases() == {}


def test_candidate_files_changed_since_the_gate_are_refused(project: Project) -> None:
    assert project.mlci("gate").code == 0
    project.use("baseline")  # same path, other files
    result = project.mlci("promote")
    assert result.code == 1
    assert "changed since the gate ran (report sha256:" in result.err
    assert project.aliases() == {}


def test_config_changed_since_the_gate_is_refused(project: Project) -> None:
    assert project.mlci("gate").code == 0
    config = project.config()
    config["model"]["metrics"]["accuracy"]["min"] = 0.5
    project.write_config(config)
    result = project.mlci("promote")
    assert result.code == 1
    assert (
        result.err.strip()
        == "mlci: error: refusing to promote: mlci.yaml changed since the gate ran (config digest differs)"
    )


def test_champion_changed_since_the_gate_is_refused(project: Project) -> None:
    gate_and_promote(project, "baseline")
    project.use("tuned")
    assert project.mlci("gate").code == 0
    # Someone else moves @champion between our gate and our promote.
    client = project.client()
    v1 = client.get_model_version(MODEL, "1")
    other = client.create_model_version(MODEL, source=v1.source)
    client.set_registered_model_alias(MODEL, "champion", other.version)
    result = project.mlci("promote")
    assert result.code == 1
    assert result.err.strip() == (
        "mlci: error: refusing to promote: champion changed since the gate ran "
        "(gate compared against v1, @champion is now v2); run the gate again"
    )
    assert project.aliases() == {"champion": "2"}
    assert project.versions() == ["1", "2"]


def test_report_without_regress_is_refused(project: Project) -> None:
    assert project.mlci("validate").code == 0
    result = project.mlci("promote")
    assert result.code == 1
    assert (
        result.err.strip()
        == "mlci: error: refusing to promote: the report has no regress step (run `mlci gate`)"
    )


def test_missing_report_is_an_input_error(project: Project) -> None:
    result = project.mlci("promote", "--report", "nowhere.json")
    assert result.code == 2
    assert (
        result.err.strip() == "mlci: error: nowhere.json: report not found (run `mlci gate` first)"
    )


def test_rollback_pops_the_champion_stack(project: Project) -> None:
    gate_and_promote(project, "baseline")
    gate_and_promote(project, "tuned")
    result = project.mlci("rollback")
    assert (result.code, result.out.strip()) == (
        0,
        f"{MODEL} v1 is now @champion (rolled back from v2)",
    )
    assert project.aliases() == {"champion": "1"}
    again = project.mlci("rollback")
    assert again.code == 2
    assert (
        again.err.strip()
        == f"mlci: error: {MODEL}: no previous champion recorded; name one with --to VERSION"
    )
    assert project.aliases() == {"champion": "1"}


def test_rollback_to_a_named_version_and_its_refusals(project: Project) -> None:
    gate_and_promote(project, "baseline")
    gate_and_promote(project, "tuned")
    missing = project.mlci("rollback", "--to", "9")
    assert missing.code == 1
    assert missing.err.strip() == (
        f"mlci: error: refusing to roll back to {MODEL} v9: no such version (deleted, or never registered)"
    )
    other = project.mlci("rollback", "--to", "models:/another-model/1")
    assert other.code == 1
    assert other.err.strip() == (
        f"mlci: error: refusing to roll back {MODEL} to models:/another-model/1: that version belongs to another model"
    )
    client = project.client()
    ungated = client.create_model_version(MODEL, source=client.get_model_version(MODEL, "1").source)
    refused = project.mlci("rollback", "--to", ungated.version)
    assert refused.code == 1
    assert refused.err.strip() == (
        f"mlci: error: refusing to roll back to {MODEL} v3: it never passed a gate "
        "(use --force to override; it is recorded)"
    )
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    forced = project.mlci("rollback", "--to", "3", "--force")
    assert (forced.code, forced.out.strip()) == (
        0,
        f"{MODEL} v3 is now @champion (rolled back from v2)",
    )
    assert project.aliases() == {"champion": "3", "previous-champion": "2"}
    assert history(project)[0]["forced"] is True
    bad = project.mlci("rollback", "--to", "latest")
    assert bad.code == 2
    assert (
        bad.err.strip()
        == f"mlci: error: --to: expected VERSION or models:/{MODEL}/VERSION, got 'latest'"
    )
    # A version deleted after it was champion: refused, nothing moves.
    client.delete_model_version(MODEL, "1")
    deleted = project.mlci("rollback", "--to", "1")
    assert deleted.code == 1
    assert "no such version (deleted, or never registered)" in deleted.err
    assert project.aliases() == {"champion": "3", "previous-champion": "2"}


def test_rollback_without_champion(project: Project) -> None:
    result = project.mlci("rollback")
    assert result.code == 2
    assert (
        result.err.strip()
        == f"mlci: error: {MODEL}: no version holds @champion: nothing to roll back"
    )


def test_history_after_promote_promote_rollback_promote(project: Project) -> None:
    gate_and_promote(project, "baseline")
    gate_and_promote(project, "tuned")
    assert project.mlci("rollback").code == 0
    # The tuned model again: the gate now compares against v1, promote reuses v2 (same files).
    gate_and_promote(project, "tuned")
    events = history(project)
    assert [(e["seq"], e["action"], e["version"], e["replaced_version"]) for e in events] == [
        (4, "promote", "2", "1"),
        (3, "rollback", "1", "2"),
        (2, "promote", "2", "1"),
        (1, "promote", "1", None),
    ]
    assert project.versions() == ["1", "2"]
    assert project.aliases() == {"champion": "2", "previous-champion": "1"}
    table = project.mlci("history")
    assert table.code == 0
    assert [line.split()[1:3] for line in table.out.splitlines()] == [
        ["promote", "v2"], ["rollback", "v1"], ["promote", "v2"], ["promote", "v1"],
    ]  # fmt: skip
