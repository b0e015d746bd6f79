"""mlci/data/suites.py: deepchecks' results as mlci checks."""

from __future__ import annotations

from mlci.config import DeepchecksConfig
from mlci.data.suites import suite_checks
from mlci.results import Status


def test_results_map_to_checks_and_nothing_that_did_not_run_passes() -> None:
    found = {
        "suites": [
            {
                "suite": "data_integrity",
                "html": "/r/deepchecks-data_integrity.html",
                "checks": [
                    {
                        "check": "data_duplicates",
                        "header": "Data Duplicates",
                        "status": "fail",
                        "message": "x" * 400,
                    },
                    {
                        "check": "mixed_nulls",
                        "header": "Mixed Nulls",
                        "status": "pass",
                        "message": "ok",
                    },
                    {
                        "check": "outlier_sample_detection",
                        "header": "Outliers",
                        "status": "error",
                        "message": "did not run: few",
                    },
                    {"check": "weird", "header": "Weird", "status": "banana", "message": "?"},
                ],
            },
            {"suite": "train_test_validation", "error": "needs reference rows", "checks": []},
        ]
    }
    out = suite_checks(found, DeepchecksConfig(suites=["data_integrity", "train_test_validation"]))
    assert [(c.id, c.status) for c in out.checks] == [
        ("deepchecks.data_duplicates", Status.FAIL),
        ("deepchecks.mixed_nulls", Status.PASS),
        ("deepchecks.outlier_sample_detection", Status.ERROR),
        ("deepchecks.weird", Status.ERROR),
        ("deepchecks.train_test_validation", Status.ERROR),
    ]
    assert len(out.checks[0].message) == len("Data Duplicates: ") + 300
    assert out.checks[0].details == {"deepchecks": "x" * 400}
    assert (
        out.checks[-1].message
        == "deepchecks suite train_test_validation did not run: needs reference rows"
    )
    assert out.notes == (
        "deepchecks data_integrity: HTML report /r/deepchecks-data_integrity.html",
    )
