"""The HTML report in a real headless Chromium: it renders, logs no console error, and a
screenshot is taken. Without chromium the test skips, except under CI (then it fails)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

from mlci.report.render import render_html
from tests.conftest import tool_missing
from tests.report.samples import HOSTILE_CATEGORY, full_report

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\] (.*)")


def chromium() -> str:
    names = ("chromium", "chromium-browser", "google-chrome")
    found = next((path for path in map(shutil.which, names) if path), None)
    if found is None:
        tool_missing(
            "chromium is required in CI (.ci/install-system installs Debian's chromium)",
            "chromium not installed (apt-get install chromium): "
            "the HTML report is not browser-checked",
        )
    return found


def browse(page: Path, tmp_path: Path, *extra: str) -> tuple[list[str], str]:
    """Console messages and stdout of one headless run over `page`."""
    done = subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [m.group(1) for m in CONSOLE.finditer(done.stderr)], done.stdout


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_html_report_renders_in_chromium_without_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "mlci-report.html"
    page.write_text(render_html(full_report()), encoding="utf-8")
    shot = tmp_path / "report.png"
    console, _ = browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1100,1900")
    assert console == []
    assert png_size(shot) == (1100, 1900)
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
    _, dom = browse(page, tmp_path, "--dump-dom")
    assert '<h1 id="verdict">mlci: FAIL · breast-cancer-classifier</h1>' in dom
    assert dom.count("<svg") == 2
    assert "<script" not in dom  # the hostile category value stayed text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_the_console_check_can_fail(tmp_path: Path) -> None:
    """The same harness on a page with a script error and a blocked fetch reports both."""
    page = tmp_path / "broken.html"
    csp = "default-src 'none'; script-src 'unsafe-inline'"
    page.write_text(
        f'<!doctype html><meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<img src="https://cdn.example.invalid/x.png"><script>throw new Error("boom")</script>'
    )
    console, _ = browse(page, tmp_path, "--dump-dom")  # dump-dom: exit once loaded
    assert any("Uncaught Error: boom" in m for m in console)
    assert any("Content Security Policy" in m for m in console)


def test_html_is_self_contained_and_escaped() -> None:
    html = render_html(full_report())
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    assert "&lt;/details&gt;" in html
    assert HOSTILE_CATEGORY in html  # @mentions are harmless in an HTML file
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"" in html
