"""`mlci history --stats`: delivery figures checked against a trail with known answers.

The trail is written through the real promote and rollback functions against the project's sqlite
registry (real gate reports, real scikit-learn models); only the events' times are chosen, through
the `at` those functions take, and the commits' times through GIT_COMMITTER_DATE.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mlci.adapters.git import commit_time
from mlci.config_load import load_config
from mlci.delivery import Stats, delivery_stats
from mlci.promotion import PromoteRequest, promote, rollback
from mlci.report.io import load_report
from mlci.trail import Event, history
from mlci.wiring import registry_for
from tests.conftest import Project

MODEL = "breast-cancer-classifier"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# A commit no clone of this repository holds: a report made elsewhere, its lead time unknown.
FOREIGN_SHA = "0" * 40


def commit(root: Path, when: datetime) -> str:
    env = {
        **os.environ,
        "GIT_COMMITTER_DATE": when.isoformat(),
        "GIT_AUTHOR_DATE": when.isoformat(),
    }
    for args in (["add", "-A"], ["commit", "-q", "--allow-empty", "-m", f"at {when}"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def gated_request(project: Project, at: datetime, git_sha: str | None = None) -> PromoteRequest:
    """What `mlci promote` builds from the report `mlci gate` just wrote, at a chosen time."""
    gate = project.mlci("gate")
    assert gate.code == 0, gate.text
    loaded = load_config(project.config_path)
    report, digest = load_report(project.root / "mlci-report.json")
    if git_sha is not None:
        report = replace(report, provenance=replace(report.provenance, git_sha=git_sha))
    model = loaded.require_model()
    return PromoteRequest(report, digest, model.candidate, model.name, loaded.digest, "champion",
                          at.isoformat(timespec="seconds"))  # fmt: skip


def back(project: Project, at: datetime, cause: str | None = None) -> None:
    registry = registry_for(load_config(project.config_path))
    rollback(registry=registry, name=MODEL, alias="champion", to=None, force=False,
             at=at.isoformat(timespec="seconds"), cause=cause)  # fmt: skip


def build_trail(project: Project, t0: datetime) -> tuple[Event, ...]:
    """v1 (lead 2h) → v2 (lead 4h) → rolled back by hand 3h later → v2 again (commit unknown) →
    rolled back by the monitor 10 days later."""
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    registry = registry_for(load_config(project.config_path))
    project.use("baseline")
    commit(project.root, t0 - 2 * HOUR)
    promote(registry=registry, request=gated_request(project, t0))
    project.use("tuned")
    commit(project.root, t0 + DAY - 4 * HOUR)
    second = gated_request(project, t0 + DAY)
    promote(registry=registry, request=second)
    back(project, t0 + DAY + 3 * HOUR)
    # @champion is v1 again, the one this report compared against: the same report promotes v2.
    again = replace(
        second,
        report=replace(
            second.report, provenance=replace(second.report.provenance, git_sha=FOREIGN_SHA)
        ),
        at=(t0 + 10 * DAY).isoformat(timespec="seconds"),
    )
    promote(registry=registry, request=again)
    back(project, t0 + 20 * DAY, cause="mlci monitor: error_rate breached; breach k")
    return history(registry, MODEL)


def figures(
    project: Project, events: tuple[Event, ...], now: datetime, since: int, failure: int
) -> Stats:
    return delivery_stats(
        model=MODEL,
        events=events,
        now=now,
        since=since * DAY,
        failure_window=failure * DAY,
        commit_time=lambda sha: commit_time(project.root, sha),
    )


def test_stats_match_a_trail_with_known_answers(project: Project) -> None:
    t0 = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - 30 * DAY
    events = build_trail(project, t0)
    assert [(e.action.value, e.version, e.replaced_version) for e in events] == [
        ("promote", "1", None),
        ("promote", "2", "1"),
        ("rollback", "1", "2"),
        ("promote", "2", "1"),
        ("rollback", "1", "2"),
    ]
    full = figures(project, events, t0 + 30 * DAY, since=90, failure=7)
    assert full.as_json() == {
        "model": MODEL,
        "since": (t0 - 60 * DAY).isoformat(),
        "until": (t0 + 30 * DAY).isoformat(),
        "window_days": 90.0,
        "failure_window_days": 7.0,
        "promotions": 3,
        "per_week": 0.23,
        "lead_time_hours": 3.0,
        "lead_time_known": 2,
        "lead_time_unknown": 1,
        "failed": 1,
        "change_failure_rate": 0.3333,
        "rollbacks": 2,
        "rollbacks_by_monitor": 1,
        "restore_hours": 121.5,
        "canaries": 0,
        "graduated": 0,
        "graduation_rate": None,
        "aborted": 0,
    }
    # The second rollback came exactly 10 days after its promotion: a failure in a 10-day window.
    wider = figures(project, events, t0 + 30 * DAY, since=90, failure=10)
    assert (wider.failed, wider.change_failure_rate) == (2, 0.6667)
    # Only the monitor's rollback falls in the last 15 days; its restore reaches back to v2's move.
    recent = figures(project, events, t0 + 30 * DAY, since=15, failure=7)
    assert (recent.promotions, recent.change_failure_rate, recent.per_week) == (0, None, 0.0)
    assert (recent.rollbacks, recent.rollbacks_by_monitor, recent.restore_hours) == (1, 1, 240.0)

    shown = project.mlci("history", "--stats", "--json")
    assert shown.code == 0, shown.text
    cli = json.loads(shown.out)
    assert {k: v for k, v in cli.items() if k not in {"since", "until"}} == {
        k: v for k, v in full.as_json().items() if k not in {"since", "until"}
    }
    table = project.mlci("history", "--stats", "--failure-window", "10d")
    assert table.code == 0, table.text
    assert table.out.splitlines()[1:] == [
        "  deployment frequency  3 promotions (0.23 per week)",
        "  lead time             3h median over 2 (1 with no known commit time)",
        "  change failure rate   67% (2 of 3 rolled back within 10d)",
        "  time to restore       121.5h median over 2 rollbacks (1 by the monitor)",
        "  canary graduation     n/a (no canaries)",
    ]


def test_stats_of_a_model_with_no_trail(project: Project) -> None:
    result = project.mlci("history", "--stats", "--since", "2w")
    assert result.code == 0, result.text
    assert result.out.splitlines()[1:] == [
        "  deployment frequency  0 promotions (0 per week)",
        "  lead time             unknown median over 0 (0 with no known commit time)",
        "  change failure rate   n/a (no promotions)",
        "  time to restore       unknown median over 0 rollbacks (0 by the monitor)",
        "  canary graduation     n/a (no canaries)",
    ]
    assert result.out.splitlines()[0].endswith("(14d)")
    drawn = project.mlci("history", "--stats", "--html", "stats.html")
    assert drawn.code == 0, drawn.text
    assert drawn.out.splitlines()[1:] == result.out.splitlines()[1:]  # the terminal's, as before
    page = (project.root / "stats.html").read_text()
    assert page.count("<svg") == 5
    assert "<figcaption>Change failure rate: <span>n/a (no promotions)</span></figcaption>" in page
    alone = project.mlci("history", "--html", "stats.html")
    assert (alone.code, alone.err.strip()) == (
        2,
        "mlci: error: --html: writes the --stats figures; add --stats",
    )


def test_bad_durations_name_the_option(project: Project) -> None:
    since = project.mlci("history", "--stats", "--since", "soon")
    assert (since.code, since.err.strip()) == (
        2,
        "mlci: error: --since: expected a duration such as 36h, 90d or 2w, got 'soon'",
    )
    window = project.mlci("history", "--stats", "--failure-window", "-3d")
    assert (window.code, window.err.strip()) == (
        2,
        "mlci: error: --failure-window: expected a duration such as 36h, 90d or 2w, got '-3d'",
    )


def test_commit_time_is_unknown_outside_the_repository(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    sha = commit(tmp_path, when)
    assert commit_time(tmp_path, sha) == when
    assert commit_time(tmp_path, FOREIGN_SHA) is None
    assert commit_time(tmp_path.parent, sha) is None


def test_a_canary_graduates_only_if_promoted_before_it_was_aborted_or_replaced() -> None:
    from mlci.trail import Action

    now = datetime(2026, 12, 1, tzinfo=timezone.utc)

    def event(seq: int, action: Action, version: str) -> Event:
        at = (now - (10 - seq) * HOUR).isoformat()
        alias = None if action is Action.PROMOTE else "challenger"
        return Event(seq, action, version, None, at, "ci", alias=alias)

    events = (
        event(1, Action.CANARY, "2"),  # aborted: not graduated, though v2 is promoted later
        event(2, Action.CANARY_ABORT, "2"),
        event(3, Action.CANARY, "2"),  # the re-canary that graduates
        event(4, Action.PROMOTE, "2"),
        event(5, Action.CANARY, "3"),  # replaced on the alias by v4 before any promote
        event(6, Action.CANARY, "4"),  # still open
        event(7, Action.PROMOTE, "3"),
    )
    found = delivery_stats(model=MODEL, events=events, now=now, since=DAY, failure_window=DAY,
                           commit_time=lambda sha: None)  # fmt: skip
    assert (found.canaries, found.graduated, found.aborted, found.graduation_rate) == (
        4, 1, 1, 0.25,
    )  # fmt: skip
