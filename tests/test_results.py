"""The one data model and its versioned JSON form, checked against the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mlci.report.io import load_report, write_report
from mlci.results import CheckResult, GateReport, ModelRef, Provenance, Status, StepResult, worst
from tests.conftest import REPO, Project

SCHEMA = json.loads((REPO / "mlci" / "schemas" / "gate-report.schema.json").read_text())
DIGEST = "sha256:" + "ab" * 32


def check(status: Status, column: str | None = None) -> CheckResult:
    return CheckResult(
        id="range",
        title="Values in range",
        status=status,
        message="m",
        observed=1,
        expected=2,
        column=column,
    )


def report(*statuses: Status) -> GateReport:
    prov = Provenance(
        git_sha="a" * 40,
        config_digest=DIGEST,
        mlci_version="0.1.0",
        created_at="2026-11-26T14:00:00+00:00",
        candidate=ModelRef(name="m", uri="/tmp/m", version=None, digest=DIGEST),
        champion=None,
        data={"data": DIGEST},
    )
    return GateReport(
        steps=(StepResult(name="validate", checks=tuple(check(s, "age") for s in statuses)),),
        provenance=prov,
    )


@pytest.mark.parametrize(
    ("statuses", "verdict", "passed"),
    [
        ((), Status.PASS, True),
        ((Status.PASS, Status.SKIP), Status.PASS, True),
        ((Status.PASS, Status.WARN), Status.WARN, True),
        ((Status.WARN, Status.FAIL), Status.FAIL, False),
        ((Status.PASS, Status.ERROR), Status.FAIL, False),
    ],
)
def test_verdict(statuses: tuple[Status, ...], verdict: Status, passed: bool) -> None:
    assert (report(*statuses).verdict, report(*statuses).passed) == (verdict, passed)


@pytest.mark.parametrize(
    ("statuses", "step"),
    [
        ((), Status.PASS),
        ((Status.SKIP, Status.SKIP), Status.SKIP),
        ((Status.PASS,) * 35 + (Status.SKIP,) * 2, Status.PASS),
        ((Status.SKIP, Status.WARN), Status.WARN),
        ((Status.SKIP, Status.FAIL, Status.PASS), Status.FAIL),
    ],
)
def test_step_is_skip_only_when_nothing_ran(statuses: tuple[Status, ...], step: Status) -> None:
    result = StepResult(name="validate", checks=tuple(check(s, "age") for s in statuses))
    assert (result.status, result.to_json()["status"]) == (step, step.value)


def test_worst_orders_by_severity() -> None:
    assert worst([Status.SKIP, Status.ERROR, Status.FAIL]) is Status.ERROR
    assert worst([]) is Status.PASS


def test_json_round_trip_and_schema(tmp_path: Path) -> None:
    original = report(Status.PASS, Status.FAIL)
    doc = original.to_json()
    jsonschema.validate(doc, SCHEMA)
    assert doc["verdict"] == "fail"
    assert doc["steps"][0]["checks"][1] == {
        "id": "range", "title": "Values in range", "status": "fail", "message": "m",
        "observed": 1, "expected": 2, "column": "age",
    }  # fmt: skip
    path = tmp_path / "r.json"
    write_report(original, path)
    loaded, digest = load_report(path)
    assert loaded == original
    assert digest.startswith("sha256:")


def test_real_gate_report_matches_the_schema(project: Project) -> None:
    assert project.mlci("gate").code == 0
    doc = json.loads((project.root / "mlci-report.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert [s["name"] for s in doc["steps"]] == ["validate", "regress"]
    assert doc["provenance"]["candidate"]["uri"] == str(project.root / "models" / "candidate")
    assert doc["provenance"]["champion"] is None
    assert set(doc["provenance"]["data"]) == {"data", "reference", "eval_data"}
