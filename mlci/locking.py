"""The promotion lock: one promote or rollback per registered model at a time.

The registry offers one compare-and-set: creating a registered model whose name exists fails
atomically (RESOURCE_ALREADY_EXISTS), in the sqlite store and over HTTP alike. The lock is the
registered model `<name>.mlci-lock`, tagged with its owner; it exists only while a promotion
runs. A lock whose owner died (same host, process gone) or whose lease expired is broken.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlci.config import LOCK_WAIT_SECONDS
from mlci.errors import InputError, ServiceError
from mlci.faults import failpoint

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

LOCK_SUFFIX = ".mlci-lock"
# Generous for the few registry calls made under the lock (artifacts upload before it).
LEASE_SECONDS = 120.0


@dataclass(frozen=True)
class Holder:
    token: str
    host: str
    pid: int
    expires_at: float

    def tags(self) -> dict[str, str]:
        return {
            "token": self.token,
            "host": self.host,
            "pid": str(self.pid),
            "expires_at": f"{self.expires_at:.3f}",
        }

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> Holder | None:
        try:
            return cls(tags["token"], tags["host"], int(tags["pid"]), float(tags["expires_at"]))
        except (KeyError, ValueError):
            return None

    def stale(self, now: float) -> bool:
        """Expired, or held by a process of this host that no longer exists."""
        return now > self.expires_at or (self.host == socket.gethostname() and not _alive(self.pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def promotion_lock(
    registry: ModelRegistry,
    name: str,
    *,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    poll: float = 0.25,
) -> Iterator[Holder]:
    lock = name + LOCK_SUFFIX
    me = Holder(uuid.uuid4().hex, socket.gethostname(), os.getpid(), time.time() + LEASE_SECONDS)
    deadline = time.monotonic() + wait_seconds
    while not registry.create_model_if_absent(lock, me.tags()):
        _break_if_stale(registry, lock)
        if time.monotonic() > deadline:
            raise ServiceError(
                f"registered model {name}: another promotion holds {lock}; gave up after {wait_seconds:.0f}s"
            )
        time.sleep(poll)
    failpoint("after_lock")
    try:
        yield me
    except BaseException:
        failpoint("before_unlock")
        # The failure inside the lock is the one to report. A registry that failed the move
        # usually fails the release too; the lease expiry (or the owner's death) frees it then.
        with contextlib.suppress(ServiceError):
            _release(registry, lock, me)
        raise
    failpoint("before_unlock")
    _release(registry, lock, me)


def _read_holder(registry: ModelRegistry, lock: str) -> Holder | None:
    try:
        return Holder.from_tags(registry.model_tags(lock))
    except InputError:  # released between our create and this read
        return None


def _break_if_stale(registry: ModelRegistry, lock: str) -> None:
    holder = _read_holder(registry, lock)
    if holder is None or not holder.stale(time.time()):
        return
    # Re-read right before deleting, so we never remove a lock someone just re-took.
    again = _read_holder(registry, lock)
    if again is not None and again.token == holder.token:
        with contextlib.suppress(InputError):  # another process broke it first
            registry.delete_model(lock)


def _release(registry: ModelRegistry, lock: str, me: Holder) -> None:
    holder = _read_holder(registry, lock)
    if holder is not None and holder.token == me.token:
        with contextlib.suppress(InputError):  # already gone: nothing to release
            registry.delete_model(lock)
