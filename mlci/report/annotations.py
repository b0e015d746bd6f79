"""`::error` / `::warning` workflow commands for the worst checks, so failures show on the run.

GitHub shows at most 10 annotations of each kind per step; a few, the worst first, are more
useful than a wall. Values are escaped as @actions/core does, so a message from data can neither
end the command early nor start another one.
"""

from __future__ import annotations

from mlci.report.view import worst_checks
from mlci.results import GateReport, Status

DEFAULT_LIMIT = 5


def workflow_annotations(report: GateReport, limit: int = DEFAULT_LIMIT) -> list[str]:
    lines = []
    for step, check in worst_checks(report, limit):
        level = "warning" if check.status is Status.WARN else "error"
        where = f"{check.title} ({check.column})" if check.column else check.title
        title = f"mlci {step}: {where}"
        lines.append(workflow_command(level, title, check.message))
    return lines


def workflow_command(level: str, title: str, message: str) -> str:
    """`::LEVEL title=TITLE::MESSAGE`, both escaped: data can neither end it nor start another."""
    return f"::{level} title={_property(title)}::{_data(message)}"


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")
