"""Delivery figures (DORA's four keys) read from a model's promotion trail (mlci/trail.py).

Pure functions over the events that happened; the only outside fact is each promoted commit's
time, which the caller reads from git and passes in (unknown when the SHA is not in the
repository). Definitions, as docs/promotion.md states them:

- deployment frequency: promote events in the window, and per week;
- lead time: the promoted report's commit time → the promote event (median);
- change failure rate: promotions whose version was moved off @champion by a rollback (by hand
  or by the monitor) within the failure window, over the promotions in the window;
- time to restore: a rollback's time minus the time the version it replaced went live (median):
  the bad promotion, or the monitor's breach, is restored when the rollback lands.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from mlci.config_load import LoadedConfig
from mlci.errors import InputError
from mlci.trail import Action, Event

MONITOR_CAUSE = "mlci monitor"  # the prefix mlci/monitor/rollback.py puts on its events' cause
_UNITS = {"h": 3_600, "d": 86_400, "w": 604_800}


@dataclass(frozen=True)
class Stats:
    model: str
    since: str  # ISO start of the window
    until: str
    window_days: float
    failure_window_days: float
    promotions: int
    per_week: float
    lead_time_hours: float | None  # median over the promotions whose commit time is known
    lead_time_known: int
    lead_time_unknown: int
    failed: int  # promotions rolled back within the failure window
    change_failure_rate: float | None  # None with no promotions
    rollbacks: int
    rollbacks_by_monitor: int
    restore_hours: float | None  # median over the rollbacks in the window
    canaries: int  # candidates put on the challenger alias in the window
    graduated: int  # of those, the ones a later promote made champion
    graduation_rate: float | None  # None with no canaries
    aborted: int = 0  # canaries `mlci canary` aborted in the window (failed canaries)

    def as_json(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def parse_duration(option: str, text: str) -> timedelta:
    """`90d`, `36h`, `2w` → a timedelta; anything else names the option."""
    value = text.strip().lower()
    unit = _UNITS.get(value[-1:])
    try:
        amount = float(value[:-1]) if unit else float("nan")
    except ValueError:
        amount = float("nan")
    if unit is None or not amount > 0:
        raise InputError(f"{option}: expected a duration such as 36h, 90d or 2w, got {text[:40]!r}")
    return timedelta(seconds=amount * unit)


def parse_at(text: str) -> datetime:
    """An event's or a commit's ISO time, as an aware datetime (naive ones are UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def delivery_stats(
    *,
    model: str,
    events: tuple[Event, ...],
    now: datetime,
    since: timedelta,
    failure_window: timedelta,
    commit_time: Callable[[str], datetime | None],
) -> Stats:
    """The figures for the events whose time falls in [now - since, now]."""
    start = now - since
    inside = [e for e in events if start <= parse_at(e.at) <= now]
    promotions = [e for e in inside if e.action is Action.PROMOTE]
    leads = _lead_hours(promotions, commit_time)
    failed = [p for p in promotions if _rolled_back_within(p, events, failure_window)]
    rollbacks = [e for e in inside if e.action is Action.ROLLBACK]
    restores = [h for h in (_restore_hours(r, events) for r in rollbacks) if h is not None]
    canaries = [e for e in inside if e.action is Action.CANARY]
    graduated = [c for c in canaries if _graduated(c, events)]
    return Stats(
        model=model,
        since=start.isoformat(timespec="seconds"),
        until=now.isoformat(timespec="seconds"),
        window_days=_days(since),
        failure_window_days=_days(failure_window),
        promotions=len(promotions),
        per_week=round(len(promotions) / (since / timedelta(weeks=1)), 2),
        lead_time_hours=_median(leads),
        lead_time_known=len(leads),
        lead_time_unknown=len(promotions) - len(leads),
        failed=len(failed),
        change_failure_rate=round(len(failed) / len(promotions), 4) if promotions else None,
        rollbacks=len(rollbacks),
        rollbacks_by_monitor=sum(1 for r in rollbacks if _by_monitor(r)),
        restore_hours=_median(restores),
        canaries=len(canaries),
        graduated=len(graduated),
        graduation_rate=round(len(graduated) / len(canaries), 4) if canaries else None,
        aborted=sum(1 for e in inside if e.action is Action.CANARY_ABORT),
    )


def _lead_hours(
    promotions: list[Event], commit_time: Callable[[str], datetime | None]
) -> list[float]:
    out = []
    for event in promotions:
        committed = commit_time(event.git_sha) if event.git_sha else None
        if committed is not None:
            out.append(_hours(parse_at(event.at) - committed))
    return out


def _rolled_back_within(promotion: Event, events: tuple[Event, ...], window: timedelta) -> bool:
    """The move that took this promotion's version off @champion was a rollback, soon enough."""
    later = (e for e in events if e.seq > promotion.seq and e.moves_champion)
    off = next((e for e in later if e.replaced_version == promotion.version), None)
    return (
        off is not None
        and off.action is Action.ROLLBACK
        and parse_at(off.at) - parse_at(promotion.at) <= window
    )


def _restore_hours(rollback: Event, events: tuple[Event, ...]) -> float | None:
    """From the event that put the rolled-back version on @champion to this rollback."""
    earlier = [
        e
        for e in events
        if e.seq < rollback.seq and e.moves_champion and e.version == rollback.replaced_version
    ]
    if not earlier:
        return None
    return _hours(parse_at(rollback.at) - parse_at(earlier[-1].at))


def _graduated(canary: Event, events: tuple[Event, ...]) -> bool:
    """Its version promoted before the canary ended otherwise: aborted, or replaced on the alias
    by a later canary (a re-canary of the same version counts once, as the later event)."""
    for e in sorted((e for e in events if e.seq > canary.seq), key=lambda e: e.seq):
        if e.action is Action.PROMOTE and e.version == canary.version:
            return True
        if e.action is Action.CANARY or (
            e.action is Action.CANARY_ABORT and e.version == canary.version
        ):
            return False
    return False


def _by_monitor(event: Event) -> bool:
    return event.cause is not None and event.cause.startswith(MONITOR_CAUSE)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _hours(delta: timedelta) -> float:
    return delta / timedelta(hours=1)


def _days(delta: timedelta) -> float:
    return round(delta / timedelta(days=1), 4)


def render(stats: Stats) -> list[str]:
    """The terminal table: one figure per line."""
    lead = (
        f"{_h(stats.lead_time_hours)} median over {stats.lead_time_known} "
        f"({stats.lead_time_unknown} with no known commit time)"
    )
    rate = "n/a (no promotions)" if stats.change_failure_rate is None else (
        f"{stats.change_failure_rate:.0%} ({stats.failed} of {stats.promotions} rolled back "
        f"within {stats.failure_window_days:g}d)"
    )  # fmt: skip
    restore = f"{_h(stats.restore_hours)} median over {stats.rollbacks} rollbacks "
    restore += f"({stats.rollbacks_by_monitor} by the monitor)"
    canary = "n/a (no canaries)" if stats.graduation_rate is None else (
        f"{stats.graduation_rate:.0%} ({stats.graduated} of {stats.canaries} became champion, "
        f"{stats.aborted} aborted)"
    )  # fmt: skip
    return [
        f"{stats.model}: delivery from {stats.since} to {stats.until} ({stats.window_days:g}d)",
        f"  deployment frequency  {stats.promotions} promotions ({stats.per_week:g} per week)",
        f"  lead time             {lead}",
        f"  change failure rate   {rate}",
        f"  time to restore       {restore}",
        f"  canary graduation     {canary}",
    ]


def _h(hours: float | None) -> str:
    return "unknown" if hours is None else f"{hours:g}h"


def stats_as_configured(
    loaded: LoadedConfig, *, name: str, since: str, failure_window: str
) -> Stats:
    """delivery_stats() over the registry mlci.yaml names, commit times from its git repository."""
    from mlci.adapters.git import commit_time
    from mlci.trail import history
    from mlci.wiring import registry_for

    window, failure = (
        parse_duration("--since", since),
        parse_duration("--failure-window", failure_window),
    )
    events = history(registry_for(loaded), name, loaded.config.registry.champion_alias)
    return delivery_stats(
        model=name,
        events=events,
        now=datetime.now(timezone.utc),
        since=window,
        failure_window=failure,
        commit_time=lambda sha: commit_time(loaded.root, sha),
    )
