"""The audit trail on its own: the champion stack, which events happened, the JSON of an event.

Its repair after a killed move runs against a real registry in tests/test_promotion_safety.py.
"""

from __future__ import annotations

import json
from dataclasses import replace

from mlci.trail import Action, Event, State, champion_stack, effective


def ev(seq: int, action: Action, version: str) -> Event:
    return Event(seq, action, version, None, "t", "me")


def test_champion_stack_replay() -> None:
    events = (
        ev(1, Action.PROMOTE, "1"),
        ev(2, Action.PROMOTE, "2"),
        ev(3, Action.PROMOTE, "3"),
        ev(4, Action.ROLLBACK, "2"),
        ev(5, Action.ROLLBACK, "5"),  # rollback --to a version that was never below: pushed
    )
    assert champion_stack(events[:3]) == ("1", "2", "3")
    assert champion_stack(events[:4]) == ("1", "2")
    assert champion_stack(events) == ("1", "2", "5")


def test_a_last_pending_event_happened_only_when_its_version_holds_the_alias() -> None:
    done = ev(1, Action.PROMOTE, "1")
    pending = replace(ev(2, Action.PROMOTE, "2"), state=State.PENDING)
    assert effective((done, pending), champion="2") == (done, replace(pending, state=State.DONE))
    assert effective((done, pending), champion="1") == (done,)


def test_a_pending_canary_event_never_counts_for_the_champion() -> None:
    canary = replace(ev(2, Action.CANARY, "2"), state=State.PENDING, alias="challenger")
    assert effective((ev(1, Action.PROMOTE, "1"), canary), champion="2") == (
        ev(1, Action.PROMOTE, "1"),
    )


def test_an_event_without_cause_or_alias_reads_as_before_and_round_trips() -> None:
    event = ev(3, Action.ROLLBACK, "1")
    doc = json.loads(event.to_json())
    assert "cause" not in doc and "alias" not in doc
    assert (doc["action"], doc["state"]) == ("rollback", "done")
    assert Event.from_json(event.to_json()) == event
    with_cause = replace(event, cause="monitor: error_rate")
    assert Event.from_json(with_cause.to_json()) == with_cause
