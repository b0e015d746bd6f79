"""Failpoints: misbehave at a named point, so tests can prove crash safety and error handling.

`MLCI_FAILPOINT=after_event_pending mlci promote` dies with SIGKILL right after the pending
history event is written; `raise:POINT` raises an internal error there (exit 70, a crash file);
`pause:POINT` says so on stderr and sleeps, so a test can interrupt a run at a known moment;
`reached:POINT` only says so, so a test can order two runs (hold a lock until both are past it).
Inert unless the variable names the point; costs one dict lookup.
"""

from __future__ import annotations

import os
import signal
import sys
import time

# The points of a promotion, in order (tests kill promote at each). `command_start` (mlci.cli,
# before the command runs) is a point too, for the error handler's tests.
POINTS = (
    "after_lock",
    "after_event_pending",
    "after_previous_alias",
    "after_champion_alias",
    "after_event_done",
    "before_unlock",
)
PAUSE_SECONDS = 120


class InjectedFault(RuntimeError):
    """Raised by `raise:POINT`: stands for any bug mlci did not foresee."""


def failpoint(name: str) -> None:
    wanted = os.environ.get("MLCI_FAILPOINT")
    if wanted is None:
        return
    if wanted == name:
        os.kill(os.getpid(), signal.SIGKILL)
    elif wanted == f"raise:{name}":
        raise InjectedFault(f"failpoint {name}")
    elif wanted == f"pause:{name}":
        print(f"mlci: failpoint {name}: paused", file=sys.stderr, flush=True)
        time.sleep(PAUSE_SECONDS)
    elif wanted == f"reached:{name}":
        print(f"mlci: failpoint {name}: reached", file=sys.stderr, flush=True)
