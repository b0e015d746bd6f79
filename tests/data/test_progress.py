"""Progress of a long read: a bar on a terminal, a quiet line in CI, a line to a step's callback,
nothing for short reads."""

from __future__ import annotations

import io
import re
import time

from mlci.data.progress import ReadProgress, ReadReport


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


def test_a_step_callback_hears_nothing_of_a_short_read() -> None:
    said: list[str] = []
    ReadReport("profiling d.csv", said.append).advance(1_000, 0.5)
    assert said == []


def test_a_step_callback_gets_one_line_per_interval_without_the_prefix() -> None:
    said: list[str] = []
    report = ReadReport("reading the reference", said.append, started=time.monotonic() - 10)
    report.advance(65_536, None)
    report.advance(65_536, 0.5)  # within 15 s of the last line: quiet
    assert len(said) == 1
    assert re.fullmatch(
        r"reading the reference: 65,536 rows, 1\ds", said[0]
    )  # 10s, or more when slow
