"""`mlci validate` end to end: real files, real config, the report it writes, the exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import Project, git, run_mlci
from tests.data.conftest import DataProject, make_frame


def validate(root: Path) -> tuple[int, dict[str, Any], str]:
    done = run_mlci("validate", "--report-json", "report.json", cwd=root)
    report = (
        json.loads((root / "report.json").read_text()) if (root / "report.json").exists() else {}
    )
    return done.code, report, done.text


def findings(report: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    checks = report["steps"][0]["checks"]
    return [(c["id"], c.get("column"), c["status"]) for c in checks if c["status"] != "pass"]


def test_example_project_passes_with_drift_checked_against_train(project: Project) -> None:
    code, report, text = validate(project.root)
    assert code == 0, text
    step = report["steps"][0]
    # 86 rows: too few for the joint drift classifier, and the report says so
    assert findings(report) == [("joint_drift", None, "skip")]
    joint = next(c for c in step["checks"] if c["id"] == "joint_drift")
    assert joint["message"] == (
        "not tested (too small to judge: 86 vs 284 rows, validate.joint_drift.min_rows is 200)"
    )
    assert step["status"] == "pass"
    assert step["notes"] == ["data: 86 rows x 32 columns", "reference: data/train.csv (284 rows)"]
    drift = [c for c in step["checks"] if c["id"] == "drift"]
    assert len(drift) == 32  # 31 features and the share; the label has its prior-shift check
    prior = [(c["column"], c["status"]) for c in step["checks"] if c["id"] == "prior_shift"]
    assert prior == [("target", "pass")]
    assert set(report["provenance"]["data"]) == {"data", "reference"}


def test_a_shifted_feature_fails_the_step_with_exit_1(project: Project) -> None:
    new = pd.read_csv(project.root / "data" / "new.csv")
    new["worst_area"] = new["worst_area"] * 1.8
    new.to_csv(project.root / "data" / "new.csv", index=False)
    code, report, _ = validate(project.root)
    assert code == 1
    assert ("drift", "worst_area", "fail") in findings(report)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_injected_faults_give_exact_findings(tmp_path: Path, suffix: str) -> None:
    proj = DataProject(tmp_path / "p", suffix)
    frame = make_frame()
    frame.loc[[1, 2], "age"] = [150.0, float("nan")]
    frame.loc[3, "region"] = "atlantis"
    frame = pd.concat(
        [frame.drop(columns=["income"]), frame.iloc[:30].drop(columns=["income"])],
        ignore_index=True,
    )
    frame["flag"] = 1
    proj.new(frame)
    code, report, text = validate(proj.root)
    assert code == 1, text
    assert findings(report) == [
        ("unique", "id", "fail"),
        ("nulls", "age", "fail"),
        ("range", "age", "fail"),
        ("missing_column", "income", "fail"),
        ("categories", "region", "fail"),
        ("duplicates", None, "fail"),
        ("constant", "flag", "fail"),
        ("drift", "flag", "fail"),
        ("joint_drift", "flag", "fail"),  # the rows are told apart by flag above all
    ]


def test_csv_and_parquet_of_the_same_data_get_the_same_verdict(tmp_path: Path) -> None:
    frame = make_frame()
    frame["income"] = frame["income"] * 1.5
    frame.loc[4, "region"] = "mars"
    verdicts = []
    for suffix in (".csv", ".parquet"):
        proj = DataProject(tmp_path / suffix[1:], suffix)
        proj.new(frame)
        code, report, _ = validate(proj.root)
        verdicts.append((code, report["verdict"], findings(report)))
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][2] == [
        ("categories", "region", "fail"),
        ("drift", "income", "fail"),
        ("joint_drift", "income", "fail"),
    ]


def test_a_stored_profile_stands_in_for_the_reference_data(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    frame = make_frame()
    frame["age"] = frame["age"] + 40
    proj.new(frame)
    _, with_data, _ = validate(proj.root)
    assert run_mlci("profile", "data/ref.csv", "-o", "ref.profile.json", cwd=proj.root).code == 0
    proj.config["data"]["reference"] = "ref.profile.json"
    proj.save_config()
    code, with_profile, _ = validate(proj.root)
    assert code == 1
    assert (
        findings(with_profile)
        == findings(with_data)
        == [("range", "age", "fail"), ("drift", "age", "fail"), ("joint_drift", "age", "fail")]
    )
    assert with_profile["steps"][0]["notes"][1] == "reference: profile ref.profile.json (400 rows)"


def test_reference_from_a_dvc_revision_reads_the_base_branch_data(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "repo")
    root = proj.root
    proj.new(make_frame(seed=1))
    git("init", "-q", "-b", "main", cwd=root)
    dvc = [sys.executable, "-m", "dvc"]
    subprocess.run([*dvc, "init", "-q"], cwd=root, check=True)
    subprocess.run(
        [*dvc, "remote", "add", "-d", "local", str(tmp_path / "remote")], cwd=root, check=True
    )
    subprocess.run([*dvc, "add", "-q", "data/new.csv"], cwd=root, check=True)
    subprocess.run([*dvc, "push", "-q"], cwd=root, check=True, capture_output=True)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "data", cwd=root)
    shifted = make_frame(seed=2)
    shifted["income"] = shifted["income"] + 30_000
    proj.new(shifted)  # the pull request's version of data/new.csv, not committed
    proj.config["data"]["reference"] = {"dvc_rev": "main"}
    proj.save_config()
    code, report, text = validate(root)
    assert code == 1, text
    assert report["steps"][0]["notes"][1] == "reference: data/new.csv@main (DVC) (400 rows)"
    assert ("drift", "income", "fail") in findings(report)
    assert (
        pd.read_csv(root / "data" / "new.csv")["income"].mean() > 70_000
    )  # working tree untouched


def test_unknown_dvc_revision_is_an_input_error(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "repo")
    proj.new(make_frame())
    git("init", "-q", "-b", "main", cwd=proj.root)
    proj.config["data"]["reference"] = {"dvc_rev": "no-such-branch"}
    proj.save_config()
    code, _, text = validate(proj.root)
    assert code == 2
    assert "mlci: error: dvc get " in text and "--rev no-such-branch" in text


@pytest.mark.parametrize(
    ("validate_section", "message"),
    [
        (
            {"drift": {"psi": {"warn": 0.3, "fail": 0.2}}},
            "mlci.yaml: validate.drift.psi: Value error, warn (0.3) must not be above fail (0.2)",
        ),
        (
            {"drift": {"columns": {"age": {"method": "ks"}}}},
            "mlci.yaml: validate.drift.columns.age.method: ",
        ),
        ({"batch_rows": 10}, "mlci.yaml: validate.batch_rows: "),
        (
            {"deepchecks": {"suites": ["model_evaluation"]}},
            "mlci.yaml: validate.deepchecks.suites.0: ",
        ),
    ],
)
def test_bad_validate_settings_exit_2_naming_the_key(
    tmp_path: Path, validate_section: dict[str, Any], message: str
) -> None:
    proj = DataProject(tmp_path / "p")
    proj.new(make_frame())
    proj.config["validate"] = validate_section
    proj.save_config()
    code, _, text = validate(proj.root)
    assert code == 2
    assert text.splitlines()[0].startswith(f"mlci: error: {message}")


def test_bad_reference_shape_exits_2(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    proj.config["data"]["reference"] = {"dvc": "main"}
    proj.save_config()
    code, _, text = validate(proj.root)
    assert code == 2
    assert (
        "mlci.yaml: data.reference: Value error, dvc_rev: Field required "
        "(expected {dvc_rev: REV, path: optional})" in text
    )


def test_corrupt_data_exits_2_naming_the_file(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    (proj.root / "data" / "new.csv").write_text("a,b\n1,2\n3,4,5\n")
    code, _, text = validate(proj.root)
    assert code == 2
    assert (
        text.strip()
        .splitlines()[-1]
        .endswith(
            "data/new.csv: cannot read CSV: CSV parse error: Expected 2 columns, got 3: 3,4,5"
        )
    )


def test_without_contract_or_reference_integrity_still_runs(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    proj.new(make_frame())
    proj.config["data"] = {"path": "data/new.csv"}
    proj.save_config()
    code, report, _ = validate(proj.root)
    assert code == 0
    assert report["steps"][0]["notes"] == [
        "data: 400 rows x 5 columns",
        "no reference (data.reference not set): drift not checked",
        "no schema contract (data.schema not set in mlci.yaml): contract checks skipped",
    ]
    assert [c["id"] for c in report["steps"][0]["checks"]] == ["duplicates"]


def test_dvc_reference_outside_a_git_repository_exits_2(tmp_path: Path) -> None:
    proj = DataProject(tmp_path / "p")
    proj.new(make_frame())
    proj.config["data"]["reference"] = {"dvc_rev": "main"}
    proj.save_config()
    code, _, text = validate(proj.root)
    assert code == 2
    assert text.splitlines()[-1] == (
        f"mlci: error: {proj.root}: data.reference.dvc_rev needs a git repository, and this is not one"
    )
