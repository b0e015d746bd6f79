"""The canary's alias moves on a real sqlite registry: graduate, abort, and the refusal when
@challenger moved since the analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.adapters.mlflow_registry import Registry
from mlci.canary_moves import GRADUATED_TAG, Arms, abort, graduate, unfinished_graduation
from mlci.errors import RefusedError
from mlci.trail import Action, State, history

AT = "2026-12-01T12:00:00+00:00"
ARMS = Arms(name="m", champion_alias="champion", challenger_alias="challenger", version="2", at=AT)


@pytest.fixture
def arms(registry: Registry, trained: Path, tmp_path: Path) -> Registry:
    """v1 @champion, v2 @challenger."""
    for version, model in (("1", "baseline"), ("2", "tuned")):
        local = registry.fetch(str(trained / "models" / model), tmp_path / model)
        registry.register(local, "m")
        registry.set_alias("m", ARMS.champion_alias if version == "1" else "challenger", version)
    return registry


def test_graduate_moves_the_champion_like_promote_and_removes_the_challenger(
    arms: Registry,
) -> None:
    said = graduate(arms, ARMS, cause="canary")
    assert said == "graduate: m v2 is now @champion (was v1); @challenger removed"
    champion = arms.by_alias("m", "champion")
    assert champion is not None and champion.version == "2"
    assert champion.tags[GRADUATED_TAG] == AT
    assert arms.by_alias("m", "challenger") is None
    last = history(arms, "m", "champion")[-1]
    assert (last.action, last.version, last.state, last.cause) == (
        Action.PROMOTE, "2", State.DONE, "canary"
    )  # fmt: skip
    assert unfinished_graduation(arms, "m", ("champion", "challenger"), cause="canary") is None


def test_abort_removes_the_challenger_and_leaves_the_champion(arms: Registry) -> None:
    said = abort(arms, ARMS, cause="canary")
    assert said == "abort: @challenger removed from m v2; @champion unchanged"
    champion = arms.by_alias("m", "champion")
    assert champion is not None and champion.version == "1"
    assert arms.by_alias("m", "challenger") is None
    assert arms.version("m", "2").tags["mlci.canary_aborted_at"] == AT


def test_a_challenger_replaced_since_the_analysis_is_refused_unmoved(arms: Registry) -> None:
    arms.set_alias("m", "challenger", "1")
    with pytest.raises(RefusedError) as caught:
        graduate(arms, ARMS, cause="canary")
    assert str(caught.value) == (
        "refusing to act on the canary: @challenger of m moved since the analysis "
        "(judged v2, now v1); run `mlci canary` again"
    )
    champion = arms.by_alias("m", "champion")
    assert champion is not None and champion.version == "1"
