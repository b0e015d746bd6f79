"""The deepchecks suites' results as mlci checks: each suite's checks with their status, a
message kept short, and a suite that did not run as an error (never as passed: deepchecks'
own `SuiteResult.passed()` counts a crashed check as passed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlci.config import DeepchecksConfig
from mlci.results import CheckResult, Status

_MESSAGE_MAX = 300  # deepchecks' condition texts can list hundreds of column pairs


@dataclass(frozen=True)
class SuitesOutcome:
    checks: tuple[CheckResult, ...]
    notes: tuple[str, ...]


def suite_checks(found: dict[str, Any], config: DeepchecksConfig) -> SuitesOutcome:
    checks: list[CheckResult] = []
    notes: list[str] = []
    by_name = {s["suite"]: s for s in found["suites"]}
    for suite in config.suites:
        result = by_name.get(suite)
        if result is None or result.get("error"):
            why = result["error"] if result else "no result"
            checks.append(
                _error(f"deepchecks.{suite}", f"deepchecks suite {suite} did not run: {why}")
            )
            continue
        checks.extend(_check(c) for c in result["checks"])
        notes.append(f"deepchecks {suite}: HTML report {result['html']}")
        if result.get("excluded"):
            notes.append(f"deepchecks {suite}: excluded {', '.join(result['excluded'])}")
    return SuitesOutcome(tuple(checks), tuple(notes))


_STATUSES = {"pass": Status.PASS, "warn": Status.WARN, "fail": Status.FAIL, "skip": Status.SKIP}


def _check(doc: dict[str, Any]) -> CheckResult:
    status = _STATUSES.get(doc["status"], Status.ERROR)  # "error" and anything unknown
    text = " ".join(str(doc["message"]).split())
    short = text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 1] + "…"
    return CheckResult(
        id=f"deepchecks.{doc['check']}",
        title=str(doc["header"]),
        status=status,
        message=f"{doc['header']}: {short}",
        details={"deepchecks": text} if short != text else {},
    )


def _error(check_id: str, message: str) -> CheckResult:
    return CheckResult(id=check_id, title=check_id, status=Status.ERROR, message=message)
