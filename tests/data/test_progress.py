"""Progress on stderr: a bar on a terminal, a quiet line in CI, nothing for short reads."""

from __future__ import annotations

import io
import time

from mlci.data.progress import ReadProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_short_reads_print_nothing() -> None:
    out = io.StringIO()
    progress = ReadProgress("profiling d.csv", stream=out)
    progress.advance(1_000, 0.5)
    progress.close()
    assert out.getvalue() == ""


def test_ci_gets_one_plain_line_per_interval() -> None:
    out = io.StringIO()
    progress = ReadProgress("profiling d.parquet", stream=out, started=time.monotonic() - 10)
    progress.advance(65_536, 0.25)
    progress.advance(65_536, 0.5)  # within 15 s of the last line: quiet
    progress.close()
    assert out.getvalue() == "mlci: profiling d.parquet: 65,536 rows (25%), 10s\n"


def test_a_terminal_gets_a_bar_redrawn_in_place() -> None:
    out = Terminal()
    progress = ReadProgress("profiling d.parquet", stream=out, started=time.monotonic() - 3)
    progress.advance(131_072, 0.5)
    progress.close()
    bar = "#" * 15 + "-" * 15
    assert out.getvalue() == f"\rmlci: profiling d.parquet [{bar}]  50% 131,072 rows 3s\n"
