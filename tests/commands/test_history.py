"""`mlci history` through the CLI: an empty trail, --model, a bad --since (the trail itself:
tests/test_promotion.py, tests/test_delivery.py)."""

from __future__ import annotations

from tests.conftest import Project


def test_history_of_a_model_without_promotions(project: Project) -> None:
    assert (
        project.mlci("history").out == "breast-cancer-classifier: no promotions recorded by mlci\n"
    )
    other = project.mlci("history", "--model", "other", "--json")
    assert (other.code, other.out) == (0, "other: no promotions recorded by mlci\n")


def test_history_stats_with_a_bad_window_is_exit_2(project: Project) -> None:
    result = project.mlci("history", "--stats", "--since", "soon")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "mlci: error: --since: expected a duration such as 36h, 90d or 2w, got 'soon'\n",
    )
