"""`mlci history --stats --html`'s page in a real headless Chromium: a chart per figure, no
console error, a screenshot; figures from a Stats with known answers (tests/test_delivery.py
checks the figures themselves against a real trail)."""

from __future__ import annotations

import re
from pathlib import Path

from mlci.delivery import Stats
from mlci.report.stats_html import render_stats_html
from tests.report.test_html import browse, png_size

HOSTILE = "<script>alert(1)</script>"


def known(model: str = "breast-cancer-classifier") -> Stats:
    return Stats(
        model=model, since="2026-09-02T11:00:00+00:00", until="2026-12-01T11:00:00+00:00",
        window_days=90.0, failure_window_days=10.0, promotions=3, per_week=0.23,
        lead_time_hours=3.0, lead_time_known=2, lead_time_unknown=1, failed=2,
        change_failure_rate=0.6667, rollbacks=2, rollbacks_by_monitor=1, restore_hours=121.5,
        canaries=4, graduated=2, graduation_rate=0.5, aborted=1,
    )  # fmt: skip


def test_the_stats_page_draws_a_chart_per_figure_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "stats.html"
    page.write_text(render_stats_html(known()), encoding="utf-8")
    shot = tmp_path / "stats.png"
    console, _ = browse(page, tmp_path, f"--screenshot={shot}", "--window-size=900,1100")
    assert console == []
    assert png_size(shot) == (900, 1100)
    assert shot.stat().st_size > 20_000  # drawn, not blank
    _, dom = browse(page, tmp_path, "--dump-dom")
    captions = [part.split("</figcaption>")[0] for part in dom.split("<figcaption>")[1:]]
    assert captions == [
        "Deployment frequency: <span>3 promotions (0.23 per week)</span>",
        "Lead time: <span>3h median over 2 (1 with no known commit time)</span>",
        "Change failure rate: <span>67% (2 of 3 rolled back within 10d)</span>",
        "Time to restore: <span>121.5h median over 2 rollbacks (1 by the monitor)</span>",
        "Canary graduation: <span>50% (2 of 4 became champion, 1 aborted)</span>",
    ]
    assert dom.count("<svg") == 5
    # Change failure rate: kept 1 (a third of the longest bar, 2 rolled back), rolled back 2.
    assert "<title>kept: 1</title>" in dom and "<title>rolled back: 2</title>" in dom
    assert 'width="180.0" height="18" fill="#0969da"><title>kept: 1' in dom
    assert "<title>open: 1</title>" in dom  # 4 canaries: 2 graduated, 1 aborted, 1 open


def test_the_stats_page_escapes_the_model_name_and_loads_nothing() -> None:
    html = render_stats_html(known(HOSTILE))
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
