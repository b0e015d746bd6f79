"""Render a GateReport: Markdown and HTML through templates/, and a plain terminal summary.

Escaping is per format: HTML templates are autoescaped; in Markdown every value from data or
models goes through `md_escape`, and every Mermaid label through `charts.mermaid_label`.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.report.view import build_view, ordered_checks
from mlci.results import GateReport, Status, StepResult

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "ICONS",
    "md_escape",
    "ordered_checks",
    "render_html",
    "render_markdown",
    "render_terminal",
]

ICONS = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.ERROR: "💥",
    Status.SKIP: "⏭️",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~!])")
# A zero-width joiner after @ stops GitHub from pinging users and teams (@org/everyone).
_ZWJ = "\u200d"


def templates_dir() -> Path:
    """mlci/templates inside the wheel; in a checkout, the top-level templates/."""
    packaged = Path(str(resources.files("mlci"))) / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def md_escape(value: object) -> str:
    """Neutralise Markdown, HTML, table pipes and @mentions in text from data or models."""
    text = _MD_SPECIAL.sub(r"\\\1", str(value)).replace("\r", " ").replace("\n", " ")
    return text.replace("@", "@" + _ZWJ)


def render_markdown(
    report: GateReport, *, artifact_url: str | None = None, note: str | None = None
) -> str:
    """The PR comment and job summary: verdict first, a table per step, Mermaid charts."""
    return _render("report.md.j2", report, artifact_url=artifact_url, note=note)


def render_html(report: GateReport) -> str:
    """One self-contained HTML file: inline CSS and SVG, no scripts, nothing fetched."""
    return _render("report.html.j2", report, artifact_url=None, note=None)


def _render(name: str, report: GateReport, *, artifact_url: str | None, note: str | None) -> str:
    from mlci.report import charts

    template = _environment().get_template(name)
    return template.render(
        view=build_view(report),
        artifact_url=artifact_url,
        note=note,
        metric_charts=charts.metric_charts,
        drift_chart=charts.drift_chart,
        svg_metrics=charts.svg_metrics,
        svg_drift=charts.svg_drift,
        svg_series=charts.svg_series,
    )


def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["num"] = _num
    env.filters["signed"] = _signed
    env.filters["safe_svg"] = jinja2.pass_eval_context(_safe_svg)
    env.globals["icon"] = lambda status: ICONS[Status(status)]
    return env


def _safe_svg(_ctx: Any, svg: str) -> Any:
    # charts.svg_* escape every label themselves; the rest of the markup is ours.
    from markupsafe import Markup

    return Markup(svg)


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _signed(value: Any) -> str:
    return "—" if value is None else f"{value:+.4f}"


def render_terminal(report: GateReport) -> str:
    lines = [f"mlci verdict: {report.verdict.value.upper()}"]
    for step in report.steps:
        lines.append(f"  {step.name}: {step.status.value} ({_counts(step)})")
        lines.extend(f"    note: {note}" for note in step.notes)
        problems = ordered_checks(step.checks)
        lines.extend(
            f"    {c.status.value:5} {c.message}" for c in problems if c.status is not Status.PASS
        )
        if step.name == "regress":
            passed = (c for c in step.checks if c.status is Status.PASS)
            lines.extend(f"    {c.status.value:5} {c.message}" for c in passed)
    return "\n".join(lines)


def _counts(step: StepResult) -> str:
    by: dict[str, int] = {}
    for check in step.checks:
        by[check.status.value] = by.get(check.status.value, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in by.items()) or "no checks"
