"""Charts without image hosting: Mermaid blocks for the comment, inline SVG for the HTML page."""

from __future__ import annotations

from mlci.report.charts import drift_chart, mermaid_label, metric_charts, svg_drift, svg_series
from mlci.report.view import DriftRow, MetricRow
from mlci.results import Status
from tests.report.samples import HOSTILE_CATEGORY


def metric(name: str, cand: float | None, champ: float | None) -> MetricRow:
    return MetricRow(
        name, Status.PASS, cand, champ, None, None, None, None, "—", True, f"{name} ok"
    )


def drift(column: str, score: float | None, threshold: float | None) -> DriftRow:
    return DriftRow(column, score, None, threshold, "psi", Status.PASS, f"{column} ok")


def test_mermaid_label() -> None:
    # moved from tests/report/test_render.py
    assert mermaid_label('x"]\n```') == "x__ ___"
    assert mermaid_label(HOSTILE_CATEGORY) == "_org/everyone"
    assert mermaid_label("a" * 40) == "a" * 23 + "…"


def test_unit_scores_share_one_zoomed_chart_and_others_get_their_own() -> None:
    charts = metric_charts([metric("accuracy", 0.93, 0.95), metric("rmse", 12.5, None)])
    assert charts == [
        "xychart-beta\n"
        '    title "champion (bars) vs candidate (line)"\n'
        '    x-axis ["accuracy"]\n'
        '    y-axis "score" 0.8 --> 1\n'
        "    bar [0.95]\n"
        "    line [0.93]",
        "xychart-beta\n"
        '    title "candidate (no champion yet)"\n'
        '    x-axis ["rmse"]\n'
        '    y-axis "score"\n'
        "    bar [12.5]",
    ]


def test_drift_chart_sorts_highest_first_and_draws_thresholds_only_when_all_known() -> None:
    rows = [drift("a", 0.1, 0.2), drift("b", 0.3, 0.2), drift("c", None, 0.2)]
    assert drift_chart(rows) == (
        "xychart-beta\n"
        '    title "drift per column (bars) vs threshold (line)"\n'
        '    x-axis ["b", "a"]\n'
        '    y-axis "drift score"\n'
        "    bar [0.3, 0.1]\n"
        "    line [0.2, 0.2]"
    )
    unknown = drift_chart([drift("a", 0.1, None)])
    assert unknown is not None and unknown.splitlines()[-1] == "    bar [0.1]"
    assert drift_chart([drift("c", None, 0.2)]) is None


def test_svg_escapes_data_and_has_nothing_to_draw_without_scores() -> None:
    svg = svg_drift([drift("<b>&", 0.5, 0.2)])
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert "<text" in svg and "&lt;b&gt;&amp;" in svg and "<b>" not in svg
    assert svg_drift([drift("a", None, 0.2)]) == ""


def test_a_series_marks_each_run_and_labels_its_range() -> None:
    svg = svg_series("psi", [("2026-01-01T00:00:00Z", 0.1), ("2026-01-02T00:00:00Z", 0.3)])
    assert svg.count("<circle") == 2
    assert 'aria-label="psi over 2 monitor run(s)"' in svg
    assert ">0.3</text>" in svg and ">0.1</text>" in svg
    assert ">2026-01-01T00:00<" in svg and ">2026-01-02T00:00<" in svg
    assert svg_series("psi", []) == ""
