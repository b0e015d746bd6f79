"""`mlci demo` through the CLI: its argument (the demo itself: tests/test_demo.py)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_mlci


def test_demo_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file\n")
    result = run_mlci("demo", "taken", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "mlci: error: Invalid value for '[DIRECTORY]': Directory 'taken' is a file "
        "(see `mlci demo --help`)\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
