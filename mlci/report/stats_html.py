"""`mlci history --stats --html FILE`: the delivery figures as a self-contained HTML page, one
inline SVG chart per figure, drawn like mlci/report/charts.py's (labels escaped, no script, no
remote asset, so the page opens from a CI artifact as it is).

Each chart splits the events its figure counts: deployment frequency the moves in the window by
kind, lead time the promotions with and without a known commit time, change failure rate the
promotions kept and rolled back, time to restore the rollbacks by hand and by the monitor, canary
graduation the canaries graduated, aborted and still open. The figure itself heads the chart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from mlci.delivery import Stats, render

BAR = {"ok": "#0969da", "bad": "#cf222e", "other": "#8c959f"}
_LABEL_W, _BAR_W, _ROW_H = 190, 360, 26


def render_stats_html(stats: Stats) -> str:
    lines = render(stats)  # the terminal's wording: one figure per line after the heading
    figures = [re.split(r"\s{2,}", line.strip(), maxsplit=1)[1] for line in lines[1:]]
    charts = [
        _chart("Deployment frequency", figures[0], [
            ("promotions", stats.promotions, "ok"),
            ("rollbacks", stats.rollbacks, "bad"),
            ("canaries", stats.canaries, "other"),
        ]),
        _chart("Lead time", figures[1], [
            ("known commit time", stats.lead_time_known, "ok"),
            ("no known commit time", stats.lead_time_unknown, "other"),
        ]),
        _chart("Change failure rate", figures[2], [
            ("kept", stats.promotions - stats.failed, "ok"),
            ("rolled back", stats.failed, "bad"),
        ]),
        _chart("Time to restore", figures[3], [
            ("by hand", stats.rollbacks - stats.rollbacks_by_monitor, "other"),
            ("by the monitor", stats.rollbacks_by_monitor, "bad"),
        ]),
        _chart("Canary graduation", figures[4], [
            ("graduated", stats.graduated, "ok"),
            ("aborted", stats.aborted, "bad"),
            ("open", max(0, stats.canaries - stats.graduated - stats.aborted), "other"),
        ]),
    ]  # fmt: skip
    title = f"mlci delivery · {stats.model}"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1 id="title">{escape(title)}</h1><p>{escape(lines[0])}</p>'
        + "".join(charts)
        + "</body></html>\n"
    )


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328}"
    "figure{margin:0 0 1.5rem}figcaption{font-weight:600;margin-bottom:.3rem}"
    "figcaption span{font-weight:400;color:#59636e}"
)


def _chart(title: str, figure: str, rows: Sequence[tuple[str, int, str]]) -> str:
    top = max((value for _, value, _ in rows), default=0) or 1
    parts: list[str] = []
    for i, (label, value, kind) in enumerate(rows):
        y = 6 + i * _ROW_H
        width = max(1.0, _BAR_W * value / top) if value else 0.0
        parts.append(_text(8, y + 14, label, "start"))
        parts.append(
            f'<rect x="{_LABEL_W}" y="{y}" width="{width:.1f}" height="18" fill="{BAR[kind]}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(_text(_LABEL_W + width + 6, y + 14, str(value), "start"))
    w, h = _LABEL_W + _BAR_W + 60, 12 + len(rows) * _ROW_H
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}">' + "".join(parts) + "</svg>"
    )
    return (
        f"<figure><figcaption>{escape(title)}: <span>{escape(figure)}</span></figcaption>"
        f"{svg}</figure>"
    )


def _text(x: float, y: float, text: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="13" text-anchor="{anchor}">{escape(text)}</text>'
    )
