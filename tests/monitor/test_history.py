"""The history of every monitored figure travels in the monitor report and is drawn as inline SVG
by `mlci report --format html`, with no registry at report time, checked in headless Chromium."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import jsonschema

from mlci.adapters.mlflow_tracking import RecordedRun
from mlci.monitor.step import series
from mlci.report.charts import svg_series
from tests.conftest import REPO, Project
from tests.monitor.conftest import Logs
from tests.report.test_html import browse

SCHEMA = json.loads((REPO / "mlci" / "schemas" / "gate-report.schema.json").read_text())


def test_series_orders_recorded_runs_then_this_one_per_figure() -> None:
    recorded = [
        RecordedRun("a", 1_700_000_000_000, {"rows": 400.0, "error_rate": 0.0}),
        RecordedRun("b", 1_700_003_600_000, {"rows": 380.0}),
    ]
    now = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    assert series(recorded, {"rows": 300.0, "error_rate": 0.2}, now) == {
        "error_rate": (("2023-11-14T22:13:20+00:00", 0.0), ("2026-12-01T12:00:00+00:00", 0.2)),
        "rows": (
            ("2023-11-14T22:13:20+00:00", 400.0),
            ("2023-11-14T23:13:20+00:00", 380.0),
            ("2026-12-01T12:00:00+00:00", 300.0),
        ),
    }


def test_svg_series_escapes_the_name_and_draws_one_dot_per_run() -> None:
    svg = svg_series("drift/<b>", [("2026-12-01T10:00:00+00:00", 1.0), ("2026-12-01T11:00", 2.0)])
    assert svg.count("<circle") == 2
    assert "drift/&lt;b&gt;" in svg and "<b>" not in svg
    assert 'aria-label="drift/&lt;b&gt; over 2 monitor run(s)"' in svg
    assert svg_series("rows", []) == ""


def test_monitor_report_carries_the_history_and_html_draws_it(
    promoted: Project, logs: Logs, tmp_path: Path
) -> None:
    logs.write(rows=400)
    assert promoted.mlci("monitor").code == 0
    logs.write(rows=300, error_rate=0.2, seed=5)
    second = promoted.mlci("monitor")
    assert second.code == 1, second.text
    doc = json.loads((promoted.root / "mlci-monitor.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    history = doc["steps"][0]["series"]
    assert [v for _, v in history["rows"]] == [400.0, 300.0]
    [burst] = [c["observed"] for c in doc["steps"][0]["checks"] if c["id"] == "error_rate"]
    assert burst > 0.02  # the random burst of seed 5 (about 0.2), as the check saw it
    assert [v for _, v in history["error_rate"]] == [0.0, burst]
    assert history["rows"][0][0] <= history["rows"][1][0]  # ISO, to the second

    # The report alone is enough: the registry is gone when the HTML is rendered.
    (promoted.root / "mlflow.db").unlink()
    page = tmp_path / "mlci-monitor.html"
    done = promoted.mlci("report", "--report", "mlci-monitor.json", "--format", "html", "-o", page)
    assert done.code == 0, done.text
    html = page.read_text()
    assert 'aria-label="rows over 2 monitor run(s)"' in html
    assert 'aria-label="error_rate over 2 monitor run(s)"' in html
    console, _ = browse(page, tmp_path, f"--screenshot={tmp_path / 'shot.png'}")
    assert console == []
    _, dom = browse(page, tmp_path, "--dump-dom")
    assert dom.count("<svg") == len(history)
    assert f"History: {len(history)} monitored figures over the recorded runs" in dom
