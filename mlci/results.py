"""The one data model: CheckResult, StepResult, GateReport, and their versioned JSON form.

Every renderer reads a GateReport and nothing else. The JSON form is described by
mlci/schemas/gate-report.schema.json; bump SCHEMA_VERSION on any incompatible change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

SCHEMA_VERSION = "1.0"

JsonValue = Any


class Status(str, Enum):
    """A check's or step's outcome; the order is severity, worst last."""

    PASS = "pass"
    SKIP = "skip"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def blocks(self) -> bool:
        """Fail and error stop the gate; warnings and skips do not."""
        return self in (Status.FAIL, Status.ERROR)


_SEVERITY = {Status.PASS: 0, Status.SKIP: 1, Status.WARN: 2, Status.FAIL: 3, Status.ERROR: 4}


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status; an empty sequence passed."""
    return max(statuses, key=lambda s: s.severity, default=Status.PASS)


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    status: Status
    message: str
    observed: JsonValue = None
    expected: JsonValue = None
    column: str | None = None
    details: Mapping[str, JsonValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "message": self.message,
            "observed": self.observed,
            "expected": self.expected,
        }
        if self.column is not None:
            out["column"] = self.column
        if self.details:
            out["details"] = dict(self.details)
        return out

    @classmethod
    def from_json(cls, doc: Mapping[str, JsonValue]) -> CheckResult:
        return cls(
            id=doc["id"],
            title=doc.get("title", doc["id"]),
            status=Status(doc["status"]),
            message=doc["message"],
            observed=doc.get("observed"),
            expected=doc.get("expected"),
            column=doc.get("column"),
            details=doc.get("details") or {},
        )


@dataclass(frozen=True)
class StepResult:
    name: str
    checks: tuple[CheckResult, ...]
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    # Monitor steps: each monitored figure over the recorded runs, oldest first, as
    # (ISO timestamp, value), so renderers draw the history without asking the registry.
    series: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """The worst of the checks that ran; `skip` only when every check was skipped (a skipped
        check beside passes is a note, not the step's outcome)."""
        ran = [c.status for c in self.checks if c.status is not Status.SKIP]
        return worst(ran) if ran or not self.checks else Status.SKIP

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "name": self.name,
            "status": self.status.value,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "checks": [c.to_json() for c in self.checks],
        }
        if self.series:
            out["series"] = {k: [[t, v] for t, v in pts] for k, pts in self.series.items()}
        return out

    @classmethod
    def from_json(cls, doc: Mapping[str, JsonValue]) -> StepResult:
        return cls(
            name=doc["name"],
            checks=tuple(CheckResult.from_json(c) for c in doc["checks"]),
            seconds=float(doc.get("seconds", 0.0)),
            notes=tuple(doc.get("notes", ())),
            series={
                str(k): tuple((str(t), float(v)) for t, v in pts)
                for k, pts in (doc.get("series") or {}).items()
            },
        )


@dataclass(frozen=True)
class ModelRef:
    """A model as the report names it: registered name and version where known, and its URI."""

    name: str
    uri: str
    version: str | None = None
    digest: str | None = None

    def to_json(self) -> dict[str, JsonValue]:
        return {"name": self.name, "version": self.version, "uri": self.uri, "digest": self.digest}

    @classmethod
    def from_json(cls, doc: Mapping[str, JsonValue] | None) -> ModelRef | None:
        if doc is None:
            return None
        return cls(
            name=doc["name"], uri=doc["uri"], version=doc.get("version"), digest=doc.get("digest")
        )


@dataclass(frozen=True)
class Provenance:
    git_sha: str | None
    config_digest: str
    mlci_version: str
    created_at: str
    candidate: ModelRef | None = None
    champion: ModelRef | None = None
    data: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "git_sha": self.git_sha,
            "config_digest": self.config_digest,
            "mlci_version": self.mlci_version,
            "created_at": self.created_at,
            "candidate": self.candidate.to_json() if self.candidate else None,
            "champion": self.champion.to_json() if self.champion else None,
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, JsonValue]) -> Provenance:
        return cls(
            git_sha=doc.get("git_sha"),
            config_digest=doc["config_digest"],
            mlci_version=doc["mlci_version"],
            created_at=doc["created_at"],
            candidate=ModelRef.from_json(doc.get("candidate")),
            champion=ModelRef.from_json(doc.get("champion")),
            data=doc.get("data") or {},
        )


@dataclass(frozen=True)
class GateReport:
    steps: tuple[StepResult, ...]
    provenance: Provenance

    @property
    def verdict(self) -> Status:
        """pass, warn, or fail: an error in any check fails the gate."""
        status = worst(s.status for s in self.steps)
        if status is Status.ERROR:
            return Status.FAIL
        return Status.PASS if status is Status.SKIP else status

    @property
    def passed(self) -> bool:
        return not self.verdict.blocks

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.name == name), None)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "schema_version": SCHEMA_VERSION,
            "verdict": self.verdict.value,
            "provenance": self.provenance.to_json(),
            "steps": [s.to_json() for s in self.steps],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, doc: Mapping[str, JsonValue]) -> GateReport:
        return cls(
            steps=tuple(StepResult.from_json(s) for s in doc["steps"]),
            provenance=Provenance.from_json(doc["provenance"]),
        )


def digest_text(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
