"""`mlci profile` through the CLI (the profile itself: tests/data/test_profile.py)."""

from __future__ import annotations

import json

from tests.conftest import Project


def test_profile_writes_the_json_and_says_its_size(project: Project) -> None:
    result = project.mlci("profile", "data/train.csv", "--output", "p.json")
    assert result.code == 0, result.text
    assert result.out.splitlines()[-1] == "wrote p.json (284 rows, 32 columns)"
    assert json.loads((project.root / "p.json").read_text())["rows"] == 284


def test_profile_of_a_missing_file_is_exit_2(project: Project) -> None:
    result = project.mlci("profile", "absent.csv")
    assert (result.code, result.err) == (2, "mlci: error: absent.csv: data file not found\n")
    assert not (project.root / "profile.json").exists()
    small = project.mlci("profile", "data/train.csv", "--batch-rows", "10")
    assert small.code == 2
    assert small.err.startswith(
        "mlci: error: Invalid value for '--batch-rows': 10 is not in the range x>=1024"
    )
