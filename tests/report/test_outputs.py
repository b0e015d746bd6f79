"""Step outputs, the job summary's size limit, cutting a comment at a section, annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.errors import InputError
from mlci.report.outputs import COMMENT_LIMIT, SUMMARY_LIMIT, append_summary, fit, write_outputs
from mlci.report.render import render_markdown
from mlci.results import CheckResult, GateReport, Provenance, Status, StepResult
from tests.fake_github import parse_github_output
from tests.report.samples import full_report


def test_outputs_use_random_heredoc_delimiters(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("earlier=1\n")
    sneaky = "fail\nverdict=pass\nghadelimiter_x"
    write_outputs(out, {"verdict": sneaky, "report-path": "mlci-report.json"})
    text = out.read_text()
    assert parse_github_output(text) == {
        "earlier": "1",
        "verdict": sneaky,
        "report-path": "mlci-report.json",
    }
    delimiters = {line.split("<<")[1] for line in text.splitlines() if "<<" in line}
    assert len(delimiters) == 2


def test_outputs_file_that_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"missing/output: cannot append: No such file or directory"
    ):
        write_outputs(tmp_path / "missing" / "output", {"verdict": "pass"})


def _big_report(rows: int) -> GateReport:
    checks = tuple(
        CheckResult(
            "range",
            "range",
            Status.FAIL,
            f"column_{i}: value {'x' * 80} out of range",
            column=f"column_{i}",
        )
        for i in range(rows)
    )
    prov = Provenance(
        git_sha=None, config_digest="sha256:0", mlci_version="0.1.0", created_at="now"
    )
    return GateReport(
        steps=(StepResult("validate", checks), *full_report().steps[1:]), provenance=prov
    )


def test_a_long_comment_is_cut_at_a_section_with_a_pointer() -> None:
    text = render_markdown(_big_report(2000))
    assert len(text) > COMMENT_LIMIT
    cut = fit(text, COMMENT_LIMIT, "Full report: the mlci-report artifact.")
    assert len(cut) <= COMMENT_LIMIT
    assert cut.endswith("\n\n---\nFull report: the mlci-report artifact.\n")
    # The validate section alone is too long: whole lines are kept, the open fence stays closed.
    assert cut.startswith("<!-- mlci:report -->\n## ❌ mlci: **FAIL**")
    assert cut.count("```") % 2 == 0


def test_sections_are_kept_whole_when_they_fit() -> None:
    text = "## head\n\n### one\n" + "a\n" * 10 + "\n### two\n" + "b\n" * 100
    cut = fit(text, 120, "see artifact")
    assert cut == "## head\n\n### one\n" + "a\n" * 9 + "a\n\n---\nsee artifact\n"
    assert fit(text, 10_000, "unused") == text


def test_summary_stays_under_one_mib(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_bytes(b"x" * (SUMMARY_LIMIT - 5000))
    written = append_summary(
        summary, render_markdown(_big_report(500)), "full report in the artifact"
    )
    assert summary.stat().st_size <= SUMMARY_LIMIT
    assert written <= 5000
    assert summary.read_text().endswith("full report in the artifact\n")
