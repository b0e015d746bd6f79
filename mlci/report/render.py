"""Render a GateReport: Markdown through templates/, and a plain terminal summary."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.results import CheckResult, GateReport, Status, StepResult

if TYPE_CHECKING:
    import jinja2

ICONS = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.ERROR: "💥", Status.SKIP: "⏭️"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def templates_dir() -> Path:
    """Inside the wheel the templates are mlci/templates; in a checkout, the top-level templates/."""
    packaged = Path(str(resources.files("mlci"))) / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def md_escape(value: object) -> str:
    """Neutralise Markdown, HTML and @mentions in text that came from data or models."""
    text = _MD_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")
    # A zero-width joiner after @ stops GitHub from pinging users and teams.
    return text.replace("@", "@\u200d")


def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["num"] = _num
    env.globals["icon"] = lambda status: ICONS[Status(status)]
    return env


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def ordered_checks(step: StepResult) -> list[CheckResult]:
    """Failing checks on top, then warnings, then the rest in their own order."""
    return sorted(step.checks, key=lambda c: -c.status.severity)


def render_markdown(report: GateReport) -> str:
    template = _environment().get_template("report.md.j2")
    steps = [{"step": s, "checks": ordered_checks(s)} for s in report.steps]
    return template.render(report=report, steps=steps, prov=report.provenance)


def render_terminal(report: GateReport) -> str:
    lines = [f"mlci verdict: {report.verdict.value.upper()}"]
    for step in report.steps:
        counts = _counts(step)
        lines.append(f"  {step.name}: {step.status.value} ({counts})")
        lines.extend(f"    note: {note}" for note in step.notes)
        lines.extend(f"    {c.status.value:5} {c.message}" for c in ordered_checks(step) if c.status is not Status.PASS)
        if step.name == "regress":
            lines.extend(f"    {c.status.value:5} {c.message}" for c in step.checks if c.status is Status.PASS)
    return "\n".join(lines)


def _counts(step: StepResult) -> str:
    by: dict[str, int] = {}
    for check in step.checks:
        by[check.status.value] = by.get(check.status.value, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in by.items()) or "no checks"
