"""Progress of a long read: ReadProgress draws it on a stream (a bar on a terminal, a quiet line
now and then in CI); ReadReport hands the same lines to a step's progress callback, so the command
that called the step decides whether and where they are shown.

Nothing is reported for work that ends within the first two seconds, so small files stay silent.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

_QUIET_FOR = 2.0  # seconds before anything is shown
_LINE_EVERY = 15.0  # seconds between lines when stderr is not a terminal
_WIDTH = 30


@dataclass
class ReadProgress:
    """`advance(rows, fraction)` after each batch; `close()` at the end."""

    label: str
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    rows: int = 0
    started: float = field(default_factory=time.monotonic)
    last: float = 0.0
    drawn: bool = False

    def advance(self, rows: int, fraction: float | None) -> None:
        self.rows += rows
        now = time.monotonic()
        if now - self.started < _QUIET_FOR:
            return
        if self._tty():
            self._bar(fraction, now)
        elif now - self.last >= _LINE_EVERY:
            self._line(fraction, now)

    def close(self) -> None:
        if self.drawn and self._tty():
            self.stream.write("\n")
            self.stream.flush()

    def _tty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def _bar(self, fraction: float | None, now: float) -> None:
        if now - self.last < 0.1:
            return
        self.last, self.drawn = now, True
        done = int((fraction or 0) * _WIDTH)
        bar = "#" * done + "-" * (_WIDTH - done)
        pct = f"{fraction:4.0%}" if fraction is not None else "    "
        self.stream.write(
            f"\rmlci: {self.label} [{bar}] {pct} {self.rows:,} rows {now - self.started:.0f}s"
        )
        self.stream.flush()

    def _line(self, fraction: float | None, now: float) -> None:
        self.last = now
        self.stream.write(f"mlci: {_line(self.label, self.rows, fraction, now - self.started)}\n")
        self.stream.flush()


@dataclass
class ReadReport:
    """`advance(rows, fraction)` after each batch: a line to SAY now and then, none at the end."""

    label: str
    say: Callable[[str], None]
    rows: int = 0
    started: float = field(default_factory=time.monotonic)
    last: float = 0.0

    def advance(self, rows: int, fraction: float | None) -> None:
        self.rows += rows
        now = time.monotonic()
        if now - self.started >= _QUIET_FOR and now - self.last >= _LINE_EVERY:
            self.last = now
            self.say(_line(self.label, self.rows, fraction, now - self.started))


def _line(label: str, rows: int, fraction: float | None, seconds: float) -> str:
    pct = f" ({fraction:.0%})" if fraction is not None else ""
    return f"{label}: {rows:,} rows{pct}, {seconds:.0f}s"
