"""Reading a window of inference logs: the window's length, which files, and one CSV cut to the
window and the champion's rows, with its figures exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mlci.config import MonitorConfig
from mlci.errors import InputError
from mlci.monitor.logs import Wanted, log_files, parse_window, read_file

LOGS = """\
ts,version,x,prediction,label,latency_ms,error
2026-12-01T10:00:00Z,2,1.5,1,1,10,
2026-12-01T11:00:00Z,2,2.5,0,,20,timeout
2026-11-20T11:00:00Z,2,3.5,1,0,30,
2026-12-01T11:30:00Z,1,4.5,1,0,40,
"""
CFG = MonitorConfig.model_validate(
    {"data": "logs", "timestamp": "ts", "model_version": "version", "label": "label",
     "latency": {"column": "latency_ms"}, "errors": {"column": "error"}}
)  # fmt: skip
SINCE = datetime(2026, 11, 30, tzinfo=UTC)


def wanted(config: MonitorConfig = CFG) -> Wanted:
    return Wanted(features=("x",), config=config, since=SINCE, version="2",
                  feature_edges={}, prediction_edges={})  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", timedelta(seconds=90)), ("30m", timedelta(minutes=30)), ("24h", timedelta(days=1)),
     ("7d", timedelta(days=7)), ("2w", timedelta(days=14))],
)  # fmt: skip
def test_the_window_length(text: str, expected: timedelta) -> None:
    assert parse_window(text) == expected


def test_log_files_from_a_directory_a_glob_or_a_file(tmp_path: Path) -> None:
    for rel in ("logs/a.csv", "logs/day/b.parquet", "logs/notes.txt", "one.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    logs = tmp_path / "logs"
    assert log_files("logs", tmp_path) == (logs / "a.csv", logs / "day" / "b.parquet")
    assert log_files("logs/**/*.parquet", tmp_path) == (logs / "day" / "b.parquet",)
    assert log_files(str(tmp_path / "one.csv"), Path("/elsewhere")) == (tmp_path / "one.csv",)
    with pytest.raises(InputError) as caught:
        log_files("absent/*.csv", tmp_path)
    assert str(caught.value) == "monitor.data: 'absent/*.csv': no Parquet or CSV log files found"


def test_a_file_is_cut_to_the_window_and_the_champions_rows(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    path.write_text(LOGS)
    got = read_file(path, wanted())
    # row 3 is older than the window, row 4 answered by v1: two rows kept, one of them labelled
    assert (got.rows, got.errors, got.latencies_ms.tolist()) == (2, 1, [10.0, 20.0])
    assert (got.labels.tolist(), got.labelled_predictions.tolist()) == ([1.0], [1])
    assert (got.first, got.last) == ("2026-12-01T10:00:00+00:00", "2026-12-01T11:00:00+00:00")
    assert got.features is not None and (got.features.rows, list(got.features.columns)) == (
        2,
        ["x"],
    )
    assert got.files == (str(path),)


def test_a_missing_configured_column_names_its_key(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    path.write_text(LOGS)
    config = CFG.model_copy(update={"score": "proba", "prediction": "pred"})
    with pytest.raises(InputError) as caught:
        read_file(path, wanted(config))
    assert str(caught.value) == (
        f"{path}: the logs lack the configured column(s) 'pred' (monitor.prediction), "
        "'proba' (monitor.score)"
    )
