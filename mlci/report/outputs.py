"""GitHub Actions' file channels: step outputs, the job summary, and size limits.

Step outputs use the heredoc form with a random delimiter, so a value can never close its own
block and inject another output (the delimiter is checked against the value, as @actions/core
does). The job summary is capped at GitHub's 1 MiB per step; comments at 65,536 characters.
Both are cut at a section boundary (a `### ` heading) with a pointer to the full report.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from mlci.errors import InputError

COMMENT_LIMIT = 65_536
SUMMARY_LIMIT = 1024 * 1024
SECTION = "\n### "


def write_outputs(path: Path, values: Mapping[str, str]) -> None:
    """Append name<<delimiter blocks to $GITHUB_OUTPUT."""
    blocks = []
    for name, value in values.items():
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        if delimiter in value or delimiter in name:
            raise InputError(f"{path}: output {name!r}: value contains its own delimiter")
        blocks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    _append(path, "".join(blocks))


def append_summary(path: Path, markdown: str, pointer: str) -> int:
    """Append to $GITHUB_STEP_SUMMARY within the 1 MiB limit; returns the bytes written."""
    used = path.stat().st_size if path.exists() else 0
    room = SUMMARY_LIMIT - used
    text = fit(markdown + "\n", room, pointer, measure=lambda s: len(s.encode("utf-8")))
    _append(path, text)
    return len(text.encode("utf-8"))


def fit(text: str, limit: int, pointer: str, measure: Callable[[str], int] = len) -> str:
    """`text` if it fits, else whole sections from the top and then `pointer`."""
    if measure(text) <= limit:
        return text
    tail = f"\n\n---\n{pointer}\n"
    budget = limit - measure(tail)
    if budget <= 0:
        return ""
    kept = text[:0]
    for section in _sections(text):
        if measure(kept + section) > budget:
            break
        kept += section
    if not kept:
        kept = _cut_lines(text, budget, measure)
    return kept.rstrip("\n") + tail


def _sections(text: str) -> list[str]:
    parts = text.split(SECTION)
    return [parts[0]] + [SECTION + p for p in parts[1:]]


def _cut_lines(text: str, budget: int, measure: Callable[[str], int]) -> str:
    """No whole section fits: keep whole lines, then close an open code fence."""
    kept: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        size += measure(line)
        if size > budget - 8:  # room for a closing fence
            break
        kept.append(line)
    out = "".join(kept)
    return out + "```\n" if out.count("```") % 2 else out


def _append(path: Path, text: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(f"{path}: cannot append: {exc.strerror or exc}") from None
