"""`mlci rollback` through the CLI: nothing to roll back (the moves: tests/test_promotion.py)."""

from __future__ import annotations

from tests.conftest import Project


def test_rollback_without_a_champion_is_exit_2_and_moves_nothing(project: Project) -> None:
    result = project.mlci("rollback")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "mlci: error: breast-cancer-classifier: no version holds @champion: nothing to roll back\n",
    )
    assert project.aliases() == {}
