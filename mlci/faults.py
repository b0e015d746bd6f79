"""Failpoints: kill this process at a named point, so tests can prove crash safety.

`MLCI_FAILPOINT=after_event_pending mlci promote` dies with SIGKILL right after the pending
history event is written. Inert unless the variable names the point; costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "after_lock",
    "after_event_pending",
    "after_previous_alias",
    "after_champion_alias",
    "after_event_done",
    "before_unlock",
)


def failpoint(name: str) -> None:
    if os.environ.get("MLCI_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
