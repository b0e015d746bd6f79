"""Charts without image hosting: Mermaid for GitHub Markdown, inline SVG for the HTML report.

GitHub renders ```mermaid blocks itself, so no plot leaves the repository (CML uploaded plots to a
public third-party host: #291, #1120, #1377). Labels come from data, so they are reduced to a
safe alphabet before they enter a Mermaid block, and escaped before they enter SVG.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

from mlci.report.view import DriftRow, MetricRow

MAX_BARS = 15
_MERMAID_UNSAFE = re.compile(r"[^\w .:/+()=<>-]", re.UNICODE)
COLORS = {"champion": "#8c959f", "candidate": "#0969da", "threshold": "#cf222e", "drift": "#bf8700"}


def mermaid_label(value: object, width: int = 24) -> str:
    """A label that can neither end the string, the block nor the fence, nor ping anyone."""
    text = (
        _MERMAID_UNSAFE.sub("_", str(value).replace("\n", " ")).replace("<", "_").replace(">", "_")
    )
    return text if len(text) <= width else text[: width - 1] + "…"


def _mermaid_numbers(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


def _axis(labels: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{mermaid_label(x)}"' for x in labels) + "]"


def metric_charts(rows: Sequence[MetricRow]) -> list[str]:
    """xychart-beta blocks: champion as bars, candidate as a line; scores in [0, 1] share one."""
    plotted = [r for r in rows if r.candidate is not None][:MAX_BARS]
    unit = [r for r in plotted if _unit(r)]
    other = [r for r in plotted if not _unit(r)]
    charts = [_metric_chart(unit, _unit_range(unit))] if unit else []
    charts.extend(_metric_chart([r], None) for r in other)
    return charts


def _unit_range(rows: Sequence[MetricRow]) -> str:
    """Zoom in on the scores (0.93 vs 0.95 is invisible on 0..1), from a round tenth down to 1."""
    values = [v for r in rows for v in (r.candidate, r.champion) if v is not None]
    low = max(0.0, math.floor(min(values) * 10) / 10 - 0.1)
    return f"{low:.1f} --> 1"


def _unit(row: MetricRow) -> bool:
    return all(v is None or 0.0 <= v <= 1.0 for v in (row.candidate, row.champion))


def _metric_chart(rows: Sequence[MetricRow], y_range: str | None) -> str:
    has_champion = any(r.champion is not None for r in rows)
    title = "champion (bars) vs candidate (line)" if has_champion else "candidate (no champion yet)"
    lines = ["xychart-beta", f'    title "{title}"', f"    x-axis {_axis([r.name for r in rows])}"]
    lines.append('    y-axis "score"' + (f" {y_range}" if y_range else ""))
    candidate = [r.candidate or 0.0 for r in rows]
    if has_champion:
        lines.append(f"    bar {_mermaid_numbers([r.champion or 0.0 for r in rows])}")
        lines.append(f"    line {_mermaid_numbers(candidate)}")
    else:
        lines.append(f"    bar {_mermaid_numbers(candidate)}")
    return "\n".join(lines)


def drift_chart(rows: Sequence[DriftRow]) -> str | None:
    """Drift per column (the highest first) as bars, the threshold as a line."""
    plotted = sorted((r for r in rows if r.score is not None), key=lambda r: -(r.score or 0.0))[
        :MAX_BARS
    ]
    if not plotted:
        return None
    thresholds = [r.threshold for r in plotted]
    lines = [
        "xychart-beta",
        '    title "drift per column (bars) vs threshold (line)"',
        f"    x-axis {_axis([r.column for r in plotted])}",
        '    y-axis "drift score"',
        f"    bar {_mermaid_numbers([r.score or 0.0 for r in plotted])}",
    ]
    if all(t is not None for t in thresholds):
        lines.append(f"    line {_mermaid_numbers([t or 0.0 for t in thresholds])}")
    return "\n".join(lines)


# --- inline SVG for the HTML report -------------------------------------------------------


def svg_metrics(rows: Sequence[MetricRow]) -> str:
    """Horizontal bars per metric: champion (grey) above candidate (blue), with values."""
    plotted = [r for r in rows if r.candidate is not None][:MAX_BARS]
    if not plotted:
        return ""
    top = max(max(r.candidate or 0.0, r.champion or 0.0) for r in plotted) or 1.0
    scale = 1.0 if top <= 1.0 else top
    label_w, bar_w, row_h = 160, 420, 44
    parts: list[str] = []
    for i, r in enumerate(plotted):
        y = 10 + i * row_h
        parts.append(_svg_text(8, y + 18, r.name, anchor="start"))
        for j, (role, value) in enumerate((("champion", r.champion), ("candidate", r.candidate))):
            if value is None:
                continue
            w = max(1.0, bar_w * max(value, 0.0) / scale)
            yy = y + 4 + j * 17
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="14" fill="{COLORS[role]}">'
            )
            parts.append(f"<title>{role}: {value:.4f}</title></rect>")
            parts.append(
                _svg_text(label_w + w + 6, yy + 11, f"{value:.4f}", anchor="start", size=11)
            )
    height = 20 + len(plotted) * row_h
    legend = _legend(label_w, height, (("champion", "champion"), ("candidate", "candidate")))
    return _svg(label_w + bar_w + 80, height + 24, "metrics: champion vs candidate", parts + legend)


def svg_drift(rows: Sequence[DriftRow]) -> str:
    """Horizontal drift bars per column with each column's threshold as a red tick."""
    plotted = sorted((r for r in rows if r.score is not None), key=lambda r: -(r.score or 0.0))[
        :MAX_BARS
    ]
    if not plotted:
        return ""
    top = max(max(r.score or 0.0, r.threshold or 0.0) for r in plotted) or 1.0
    label_w, bar_w, row_h = 160, 420, 24
    parts: list[str] = []
    for i, r in enumerate(plotted):
        y = 10 + i * row_h
        w = max(1.0, bar_w * (r.score or 0.0) / top)
        parts.append(_svg_text(8, y + 14, r.column, anchor="start"))
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="16" fill="{COLORS["drift"]}">'
        )
        parts.append(f"<title>{escape(r.column)}: {r.score:.4f}</title></rect>")
        parts.append(_svg_text(label_w + w + 6, y + 14, f"{r.score:.4f}", anchor="start", size=11))
        if r.threshold is not None:
            x = label_w + bar_w * r.threshold / top
            color = COLORS["threshold"]
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 20}" stroke="{color}" '
                'stroke-width="2"/>'
            )
    height = 20 + len(plotted) * row_h
    legend = _legend(label_w, height, (("drift", "drift score"), ("threshold", "threshold")))
    return _svg(label_w + bar_w + 80, height + 24, "drift per column", parts + legend)


def svg_series(name: str, points: Sequence[tuple[str, float]]) -> str:
    """One monitored figure over the recorded runs: a line, a dot per run (the last, this run,
    in the drift colour), the lowest and highest value on the axis, the first and last date."""
    if not points:
        return ""
    width, height, left, top, plot_w, plot_h = 560, 150, 70, 26, 460, 90
    values = [v for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * (v - low) / span

    parts = [_svg_text(8, 16, name, anchor="start")]
    line = " ".join("{:.1f},{:.1f}".format(*xy(i, v)) for i, v in enumerate(values))
    color = COLORS["candidate"]
    parts.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2"/>')
    for i, (when, v) in enumerate(points):
        x, y = xy(i, v)
        fill = COLORS["drift"] if i == len(points) - 1 else color
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}">')
        parts.append(f"<title>{escape(when)}: {v:.4g}</title></circle>")
    parts.append(_svg_text(left - 6, top + 4, f"{high:.4g}", anchor="end", size=11))
    parts.append(_svg_text(left - 6, top + plot_h + 4, f"{low:.4g}", anchor="end", size=11))
    bottom = top + plot_h + 20
    parts.append(_svg_text(left, bottom, points[0][0][:16], anchor="start", size=11))
    if len(points) > 1:
        parts.append(_svg_text(left + plot_w, bottom, points[-1][0][:16], anchor="end", size=11))
    return _svg(width, height, f"{name} over {len(points)} monitor run(s)", parts)


def _legend(x: int, y: int, items: Sequence[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for i, (key, label) in enumerate(items):
        xx = x + i * 130
        out.append(f'<rect x="{xx}" y="{y}" width="12" height="12" fill="{COLORS[key]}"/>')
        out.append(_svg_text(xx + 18, y + 11, label, anchor="start", size=12))
    return out


def _svg_text(x: float, y: float, text: str, *, anchor: str, size: int = 13) -> str:
    shown = text if len(text) <= 22 else text[:21] + "…"
    attrs = f'x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
    return f"<text {attrs}>{escape(shown)}</text>"


def _svg(width: int, height: int, label: str, parts: Sequence[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    )
    return head + "".join(parts) + "</svg>"
