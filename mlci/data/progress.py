"""Progress of a long read on stderr: a bar on a terminal, a quiet line now and then in CI.

Nothing is shown for work that ends within the first two seconds, so small files stay silent.
"""

from __future__ import annotations

import sys
import time
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
        pct = f" ({fraction:.0%})" if fraction is not None else ""
        self.stream.write(
            f"mlci: {self.label}: {self.rows:,} rows{pct}, {now - self.started:.0f}s\n"
        )
        self.stream.flush()
