"""Reading and writing mlci-report.json: atomic writes, and every bad file an input error."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.errors import InputError
from mlci.report.io import load_report, write_report
from mlci.results import digest_text
from tests.report.samples import full_report


def test_write_is_atomic_and_the_digest_is_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "out" / "mlci-report.json"
    report = full_report()
    write_report(report, path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["mlci-report.json"]
    loaded, digest = load_report(path)
    assert loaded == report
    assert digest == digest_text(path.read_text(encoding="utf-8"))


def test_a_missing_report_says_to_run_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "mlci-report.json"
    with pytest.raises(InputError) as err:
        load_report(path)
    assert str(err.value) == f"{path}: report not found (run `mlci gate` first)"


def test_a_report_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mlci-report.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(InputError) as err:
        load_report(path)
    assert str(err.value).startswith(f"{path}: cannot read report: 'utf-8' codec can't decode")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON: Expecting property name enclosed in double quotes at line 1"),
        ('{"schema_version": "0.9"}', "not an mlci report of schema 1.0 (schema_version: '0.9')"),
        ("[1, 2]", "not an mlci report of schema 1.0 (schema_version: None)"),
        ('{"schema_version": "1.0", "steps": []}', "malformed mlci report: KeyError 'provenance'"),
    ],
)
def test_bad_report_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mlci-report.json"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_report(path)
    assert str(err.value) == f"{path}: {message}"
