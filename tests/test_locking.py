"""mlci/locking.py on a real sqlite registry: held, refused, broken after expiry or death, and
never released for someone else."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from mlci.adapters.mlflow_registry import Registry
from mlci.errors import ServiceError
from mlci.locking import LOCK_SUFFIX, Holder, promotion_lock

LOCK = "m" + LOCK_SUFFIX


def holder_tags(*, pid: int, expires_in: float, host: str | None = None) -> dict[str, str]:
    return Holder("theirs", host or socket.gethostname(), pid, time.time() + expires_in).tags()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_lock_is_held_inside_and_gone_after(registry: Registry) -> None:
    with promotion_lock(registry, "m") as me:
        assert registry.model_tags(LOCK) == me.tags()
        assert (me.host, me.pid) == (socket.gethostname(), os.getpid())
        assert registry.create_model_if_absent(LOCK, {}) is False
    assert registry.model_exists(LOCK) is False


def test_the_lock_is_released_when_the_body_fails(registry: Registry) -> None:
    with pytest.raises(RuntimeError, match="boom"), promotion_lock(registry, "m"):
        raise RuntimeError("boom")
    assert registry.model_exists(LOCK) is False


def test_a_live_holder_makes_the_waiter_give_up(registry: Registry) -> None:
    registry.create_model_if_absent(LOCK, holder_tags(pid=os.getpid(), expires_in=600))
    with pytest.raises(ServiceError) as caught, promotion_lock(registry, "m", wait_seconds=0.5):
        pytest.fail("acquired a held lock")
    assert str(caught.value) == (
        f"registered model m: another promotion holds {LOCK}; gave up after 0s"
    )
    assert registry.model_tags(LOCK)["token"] == "theirs"  # not broken


@pytest.mark.parametrize(
    "tags",
    [
        pytest.param(lambda: holder_tags(pid=os.getpid(), expires_in=-1), id="lease-expired"),
        pytest.param(lambda: holder_tags(pid=dead_pid(), expires_in=600), id="owner-died"),
    ],
)
def test_a_stale_lock_is_stolen(registry: Registry, tags: object) -> None:
    assert callable(tags)
    registry.create_model_if_absent(LOCK, tags())
    with promotion_lock(registry, "m", wait_seconds=5) as me:
        assert registry.model_tags(LOCK)["token"] == me.token != "theirs"
    assert registry.model_exists(LOCK) is False


def test_a_dead_pid_on_another_host_is_not_judged(registry: Registry) -> None:
    # Another machine's pid says nothing here: only its lease can free it.
    registry.create_model_if_absent(
        LOCK, holder_tags(pid=dead_pid(), expires_in=600, host="elsewhere.invalid")
    )
    with pytest.raises(ServiceError), promotion_lock(registry, "m", wait_seconds=0.3):
        pytest.fail("stole a live lease")
    assert registry.model_tags(LOCK)["host"] == "elsewhere.invalid"


def test_a_lock_someone_else_retook_is_not_released(registry: Registry) -> None:
    with promotion_lock(registry, "m"):
        registry.client.set_registered_model_tag(LOCK, "token", "theirs")
    assert registry.model_tags(LOCK)["token"] == "theirs"


def test_owner_tags_round_trip_and_garbage_is_no_holder() -> None:
    me = Holder("t", "h", 12, 3.5)
    assert me.tags() == {"token": "t", "host": "h", "pid": "12", "expires_at": "3.500"}
    assert Holder.from_tags(me.tags()) == me
    assert Holder.from_tags({"token": "t"}) is None
    assert Holder.from_tags({**me.tags(), "pid": "twelve"}) is None
    assert me.stale(now=3.6) is True
    assert Holder("t", "h", 12, 10.0).stale(now=3.6) is False
