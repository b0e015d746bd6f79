"""Slices end to end (each value judged under the same rules, worst first) and slice_rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlci.model.slices import slice_rows
from tests.conftest import Project
from tests.model.conftest import Put, checks, promote, report, rules, save_wrapped, tuned


def test_slice_catches_a_candidate_better_overall_but_worse_on_one_slice(
    project: Project, put: Put, tmp_path: Path
) -> None:
    evaluation = pd.read_csv(project.root / "data" / "eval.csv")
    evaluation.insert(1, "site", ["a"] * 20 + ["b"] * (len(evaluation) - 20))
    evaluation.to_csv(project.root / "data" / "eval.csv", index=False)
    rules(
        project,
        {"accuracy": {"max_drop": 0.02}},
        slices=[{"column": "site", "min_size": 15}, {"column": "clinic"}],
    )
    promote(project, "broken")  # a weak champion: the candidate below beats it overall
    put(save_wrapped(tuned(project), tmp_path / "bad-on-a", "wrong_on_site_a"))
    result = project.mlci("regress")
    assert result.code == 1
    assert checks(project)["accuracy"]["status"] == "pass"  # better overall
    sliced = checks(project, "metric_slice")
    assert sliced["site=a accuracy"]["status"] == "fail"
    assert sliced["site=a accuracy"]["column"] == "site"
    assert sliced["site=a accuracy"]["details"]["rows"] == 20
    assert sliced["site=a accuracy"]["message"].startswith("accuracy on site=a: 0.0000 vs champion")
    assert sliced["site=b accuracy"]["status"] == "pass"
    assert {k.split()[0] for k in sliced} == {
        "site=a",
        "site=b",
        "clinic=north",
        "clinic=south",
        "clinic=east",
        "clinic=west",
    }
    step = report(project)["steps"][0]
    first_slice = next(c for c in step["checks"] if c["id"] == "metric_slice")
    assert first_slice["details"]["slice"] == "site=a"  # worst first
    assert any(n.startswith("worst slices: site=a accuracy Δ -") for n in step["notes"])


def test_slices_under_min_size_are_named_not_judged(champion: Project) -> None:
    rules(champion, {"accuracy": {}}, slices=[{"column": "clinic", "min_size": 1000}])
    assert champion.mlci("regress").code == 0
    assert checks(champion, "metric_slice") == {}
    notes = report(champion)["steps"][0]["notes"]
    assert any(
        n.startswith("slices of clinic under min_size 1000 rows not judged: ") for n in notes
    )


def test_slice_rows_groups_rows_by_value_and_names_missing_values_null() -> None:
    import numpy as np

    values = np.array(["b", None, "a", "b", None, "b", "a"], dtype=object)
    found = [(v, rows.tolist()) for v, rows in slice_rows(values, min_size=2)]
    assert found == [("b", [0, 3, 5]), ("null", [1, 4]), ("a", [2, 6])]
    assert [v for v, _ in slice_rows(values, min_size=3)] == ["b"]
