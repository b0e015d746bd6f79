"""Markdown report: verdict first, failing checks on top, intervals, Mermaid, and escaping."""

from __future__ import annotations

import re

from mlci.report.render import md_escape, render_markdown, render_terminal
from tests.report.samples import bare_report, full_report

ZWJ = "\u200d"


def test_verdict_comes_first_then_the_worst_checks() -> None:
    lines = render_markdown(full_report()).splitlines()
    assert lines[:2] == ["<!-- mlci:report -->", "## ❌ mlci: **FAIL** · breast-cancer-classifier"]
    bullets = [line for line in lines[:10] if line.startswith("- ")]
    assert (
        bullets[0]
        == f"- ❌ **validate**: clinic: unexpected values @{ZWJ}org/everyone, \\</details\\>"
    )
    assert bullets[-1].startswith("- ⚠️ **validate**: mean\\_radius")  # warnings after failures


def test_metric_table_has_intervals_and_rules() -> None:
    text = render_markdown(full_report())
    assert "| | metric | candidate | champion | Δ | 95% CI of Δ | rule | status |" in text
    assert (
        "| ❌ | roc\\_auc ↑ | 0.9000 | 0.9700 | -0.0700 | [-0.0900, -0.0500] "
        "| min 0.85 · max\\_drop 0.01 · on the CI | fail |" in text
    )
    assert (
        "| ✅ | f1 ↑ | 0.9300 | 0.9200 | +0.0100 | — "
        "| min 0.85 · max\\_drop 0.01 · on the CI | pass |" in text
    )
    # The validate step's drift form: {"method", "value"} observed, {"warn", "fail"} expected.
    assert "| ❌ | worst\\_radius | 0.3100 | 0.1000 | 0.2000 | psi |" in text
    # A bare score with a bare bound, and details["method"], still render.
    assert "| ✅ | size\\|bytes | 0.0100 | — | 0.2000 | js |" in text


def test_failing_checks_are_on_top_and_passing_ones_folded() -> None:
    text = render_markdown(full_report())
    validate = text.split("### ❌ validate")[1].split("### ")[0]
    assert validate.index("| ❌ | categories |") < validate.index("| ⚠️ | range |")
    assert "<details><summary>2 passing checks</summary>" in validate
    # The share-of-drifted-columns check has no column: it is a check row, not a drift bar.
    assert "| Share of drifted columns | — | 1 of 3 columns drifted (33%) |" in validate
    assert "<details open><summary>Drift: 3 columns (1 failed)</summary>" in validate


def test_mermaid_charts_compare_champion_and_candidate_and_plot_drift() -> None:
    text = render_markdown(full_report())
    blocks = re.findall(r"```mermaid\n(.*?)\n```", text, flags=re.S)
    assert blocks[0].splitlines() == [
        "xychart-beta",
        '    title "drift per column (bars) vs threshold (line)"',
        '    x-axis ["worst_radius", "mean_texture", "size_bytes"]',
        '    y-axis "drift score"',
        "    bar [0.31, 0.05, 0.01]",
        "    line [0.2, 0.2, 0.2]",
    ]
    assert blocks[1].splitlines()[2:] == [
        '    x-axis ["accuracy", "roc_auc", "f1"]',
        '    y-axis "score" 0.8 --> 1',  # zoomed: a tenth below the lowest score
        "    bar [0.94, 0.97, 0.92]",
        "    line [0.95, 0.9, 0.93]",
    ]


def test_data_can_neither_ping_nor_break_the_comment() -> None:
    text = render_markdown(full_report())
    assert "@org/everyone" not in text
    assert text.count(f"@{ZWJ}org/everyone") == 4  # two summary bullets, two table cells
    # Only the template's own <details> blocks open and close; a value's </details> is escaped.
    assert text.count("<details") == text.count("</details>") == 5
    assert "\\</details\\>" in text
    assert "<script>" not in text
    assert text.count("```") % 2 == 0
    # Every table row keeps its header's column count: pipes from data are escaped.
    header = 0
    previous = ""
    for line in text.splitlines():
        pipes = len(re.findall(r"(?<!\\)\|", line))
        if line.startswith("|") and not previous.startswith("|"):
            header = pipes
        elif line.startswith("|"):
            assert pipes == header, line
        previous = line
    assert "| ✅ | size\\|bytes | 0.0100 | — | 0.2000 | js |" in text


def test_md_escape() -> None:
    assert md_escape("a|b `c` <i>@team\n#1") == f"a\\|b \\`c\\` \\<i\\>@{ZWJ}team \\#1"


def test_missing_keys_degrade_to_dashes() -> None:
    text = render_markdown(bare_report())
    assert "| ✅ | accuracy | 0.9000 | — | — | — | — | pass |" in text
    assert 'title "candidate (no champion yet)"' in text
    assert '    y-axis "score"\n    bar [12.5]' in text  # rmse is not a score in [0, 1]: own chart
    assert "Every check passed." in text
    assert "Slices" not in text and "Drift" not in text


def test_no_champion_says_so() -> None:
    text = render_markdown(full_report(champion=False))
    assert ": no champion yet, change rules skipped, floors applied" in text


def test_artifact_link_and_note() -> None:
    text = render_markdown(
        full_report(), artifact_url="https://github.com/o/r/actions/runs/5", note="token @x"
    )
    assert "[the workflow run's artifacts](https://github.com/o/r/actions/runs/5)" in text
    assert f"> [!WARNING]\n> token @{ZWJ}x" in text


def test_terminal_lists_problems() -> None:
    text = render_terminal(full_report())
    assert text.splitlines()[0] == "mlci verdict: FAIL"
    assert "    fail  roc_auc: 0.9000" in text
