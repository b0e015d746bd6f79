"""`::error` / `::warning` workflow commands for the worst checks, escaped as @actions/core does."""

from __future__ import annotations

from mlci.report.annotations import workflow_annotations, workflow_command
from tests.report.samples import full_report

RANGE_WARNING = (
    "::warning title=mlci validate%3A range (mean_radius)::mean_radius: 3 values above max "
    "```%0A<script>alert(1)</script>`"
)
CATEGORY_ERROR = (
    "::error title=mlci validate%3A categories (clinic)::clinic: unexpected values "
    "@org/everyone, </details>"
)


def test_annotations_worst_first_limited_and_escaped() -> None:
    lines = workflow_annotations(full_report(), limit=3)
    assert lines == [
        CATEGORY_ERROR,
        "::error title=mlci validate%3A Distribution drift (worst_radius)::"
        "worst_radius drifted: psi 0.31 > 0.2",
        "::error title=mlci regress%3A roc_auc::roc_auc: 0.9000",
    ]
    warning = workflow_annotations(full_report(), limit=10)[-1]
    assert warning == RANGE_WARNING


def test_a_passing_report_annotates_only_its_warning() -> None:
    assert workflow_annotations(full_report(failing=False)) == [RANGE_WARNING]


def test_workflow_commands_escape_data_and_properties() -> None:
    assert workflow_command("warning", "a: b, c", "50%\nnext") == (
        "::warning title=a%3A b%2C c::50%25%0Anext"
    )


def test_a_carriage_return_cannot_start_another_command() -> None:
    assert workflow_command("error", "t", "a\r\n::error::b") == "::error title=t::a%0D%0A::error::b"


def test_a_limit_of_zero_annotates_nothing() -> None:
    assert workflow_annotations(full_report(), limit=0) == []
