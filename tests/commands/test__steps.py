"""The body validate, regress and gate share, called directly on a data-only project: the report
written, what is printed for each of --quiet, --json and neither, the exit code, the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlci.commands._steps import run_and_report
from tests.data.conftest import DataProject, make_frame


@pytest.fixture
def proj(tmp_path: Path) -> DataProject:
    proj = DataProject(tmp_path / "p")
    proj.new(make_frame())
    return proj


def run(proj: DataProject, **options: bool) -> int:
    return run_and_report(
        config_path=proj.root / "mlci.yaml",
        report_json=proj.root / "out" / "r.json",
        names=("validate",),
        **options,
    )


def test_a_pass_writes_the_report_and_prints_the_verdict_first(
    proj: DataProject, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(proj) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert (lines[0], lines[1], lines[-1]) == (
        "mlci verdict: PASS",
        "  validate: pass (25 pass)",
        f"report: {proj.root / 'out' / 'r.json'}",
    )
    assert err.startswith("mlci: validate: pass (25 checks, ")
    report = json.loads((proj.root / "out" / "r.json").read_text())
    assert (report["verdict"], [s["name"] for s in report["steps"]]) == ("pass", ["validate"])


def test_a_failing_check_exits_1_and_quiet_prints_only_the_verdict(
    proj: DataProject, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = make_frame()
    frame["age"] = frame["age"] + 40
    proj.new(frame)
    assert run(proj, quiet=True) == 1
    assert capsys.readouterr() == ("mlci verdict: FAIL\n", "")


def test_json_prints_the_report_it_wrote(
    proj: DataProject, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(proj, as_json=True) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == json.loads((proj.root / "out" / "r.json").read_text())


def test_unchanged_inputs_reuse_the_report_when_the_cache_is_on(
    proj: DataProject, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(proj, cache=True) == 0
    first = (proj.root / "out" / "r.json").read_text()
    capsys.readouterr()
    assert run(proj, cache=True) == 0
    _, err = capsys.readouterr()
    created = json.loads(first)["provenance"]["created_at"]
    assert err == (
        f"mlci: inputs unchanged since the run of {created}: its report is reused "
        "(--no-cache runs the gate again)\n"
    )
    # the same report (its keys may come back in another order: it is re-written from the cache)
    assert json.loads((proj.root / "out" / "r.json").read_text()) == json.loads(first)
