"""Read and write mlci-report.json."""

from __future__ import annotations

import json
from pathlib import Path

from mlci.errors import InputError
from mlci.results import SCHEMA_VERSION, GateReport, digest_text


def write_report(report: GateReport, path: Path) -> None:
    """Write atomically, so a killed run never leaves half a report for promote to read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(report.dumps(), encoding="utf-8")
    tmp.replace(path)


def load_report(path: Path) -> tuple[GateReport, str]:
    """The report and the digest of its bytes (recorded by promote in the audit trail)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: report not found (run `mlci gate` first)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read report: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION:
        found = doc.get("schema_version") if isinstance(doc, dict) else None
        raise InputError(
            f"{path}: not an mlci report of schema {SCHEMA_VERSION} (schema_version: {found!r})"
        )
    try:
        return GateReport.from_json(doc), digest_text(text)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: malformed mlci report: {type(exc).__name__} {exc}") from None
