"""The dask engine against a real `distributed.LocalCluster` (2 worker processes, 1 thread each):
the same profile and verdict as the local engine, a worker killed mid-run, an unreachable
scheduler, and a LocalCluster started (and closed) for the run."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import socket
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import distributed
import pytest

from mlci.config import DaskConfig
from mlci.data.engine import LocalEngine, open_dataset
from mlci.data.engine_dask import DaskEngine, _client
from mlci.data.profile import profile_file
from tests.conftest import run_mlci
from tests.data.conftest import DataProject, make_frame
from tests.data.test_engine import assert_same_profile, write_dataset

pytestmark = pytest.mark.slow
Client: Any = distributed.Client  # distributed is only partly typed


def start_cluster() -> Any:
    return distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with start_cluster() as running:
        yield running


class KillOnce(distributed.WorkerPlugin):
    """SIGKILL the worker process that starts the first partition task, once across workers
    (the marker file is created exclusively); `every_time` kills at every partition."""

    name = "kill-once"

    def __init__(self, marker: str, every_time: bool = False) -> None:
        self.marker = marker
        self.every_time = every_time

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).startswith("mlci-profile-part"):
            return
        if not self.every_time:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return
        os.kill(os.getpid(), signal.SIGKILL)


def dask_project(tmp_path: Path, scheduler: str | None, **dask: Any) -> DataProject:
    """A Parquet project whose data is a dataset of 4 files of 3 row groups of 1,000 rows, with
    one unknown category (by default 4 partitions: one file each, on 2 workers)."""
    proj = DataProject(tmp_path / "p", ".parquet")
    frame = make_frame(12_000, seed=5)
    frame.loc[7, "region"] = "atlantis"
    proj.new(frame)
    write_dataset(frame, proj.root / "data" / "new-ds", files=4, row_group_rows=1_000)
    proj.config["data"]["path"] = "data/new-ds"
    settings: dict[str, Any] = {"split_every": 3, **dask}
    if scheduler is not None:
        settings["scheduler"] = scheduler
    proj.config["validate"] = {"engine": "dask", "dask": settings}
    proj.save_config()
    return proj


def verdict(proj: DataProject, engine: str, name: str) -> tuple[int, list[Any], str]:
    proj.config["validate"]["engine"] = engine
    proj.save_config()
    done = run_mlci("validate", "--report-json", name, cwd=proj.root)
    report = json.loads((proj.root / name).read_text()) if (proj.root / name).exists() else {}
    checks = [(c["id"], c.get("column"), c["status"]) for c in report["steps"][0]["checks"]]
    return done.code, checks, done.text


def test_dask_and_local_give_the_same_profile(tmp_path: Path, cluster: Any) -> None:
    proj = dask_project(tmp_path, cluster.scheduler_address)
    dataset = open_dataset(str(proj.root / "data" / "new-ds"))
    edges = profile_file(proj.reference).edges()
    local = LocalEngine().profile(dataset, edges=edges, batch_rows=None, advance=None)
    # the partitions' rows, as the progress sees them: one per row group, then runs of 2 and 1
    for partition_rows, parts in ((1_000, [1_000] * 12), (2_000, [1_000] * 4 + [2_000] * 4)):
        settings = DaskConfig(
            scheduler=cluster.scheduler_address, split_every=3, partition_rows=partition_rows
        )
        seen: list[tuple[int, float | None]] = []
        merged = DaskEngine(settings).profile(
            dataset, edges=edges, batch_rows=None, advance=partial(_append, seen)
        )
        assert_same_profile(merged, local)
        assert sorted(rows for rows, _ in seen) == parts
        assert seen[-1][1] == 1.0
    for name in ("age", "income"):
        ours, theirs = merged.columns[name].quantiles(), local.columns[name].quantiles()
        moments = local.columns[name].moments
        assert moments is not None and moments.std is not None
        assert ours == pytest.approx(theirs, abs=0.1 * moments.std), name


def _append(seen: list[tuple[int, float | None]], rows: int, done: float | None) -> None:
    seen.append((rows, done))


def test_dask_and_local_give_the_same_verdict(tmp_path: Path, cluster: Any) -> None:
    proj = dask_project(tmp_path, cluster.scheduler_address)
    local = verdict(proj, "local", "local.json")
    dask = verdict(proj, "dask", "dask.json")
    assert (local[0], dask[0]) == (1, 1), dask[2]
    assert dask[1] == local[1]
    assert ("categories", "region", "fail") in dask[1]
    notes = json.loads((proj.root / "dask.json").read_text())["steps"][0]["notes"]
    assert notes[-1] == (
        f"engine dask ({cluster.scheduler_address}): 4 Parquet file(s), 12,000 rows"
    )


def test_a_worker_killed_mid_run_gives_the_same_verdict_after_the_retry(
    tmp_path: Path, cluster: Any
) -> None:
    proj = dask_project(tmp_path, cluster.scheduler_address)
    expected = verdict(proj, "local", "local.json")
    marker = tmp_path / "killed"
    with Client(cluster) as client:
        pids = set(client.run(os.getpid).values())
        client.register_plugin(KillOnce(str(marker)))
        try:
            got = verdict(proj, "dask", "dask.json")
        finally:
            client.unregister_worker_plugin(KillOnce.name)
        client.wait_for_workers(2, timeout=60)
        assert marker.exists()  # a worker did die, and was replaced
        # on_error="ignore": under load the scheduler may still list the dead worker for a
        # moment, and a broadcast to it fails (CommClosedError) although the run is sound
        alive = set(client.run(os.getpid, on_error="ignore").values())
        assert alive and alive != pids
    assert got[:2] == expected[:2], got[2]


def test_workers_dying_past_the_allowed_failures_exit_3_with_nothing_reported(
    tmp_path: Path,
) -> None:
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), start_cluster() as c:
        proj = dask_project(tmp_path, c.scheduler_address)
        with Client(c) as client:
            client.register_plugin(KillOnce(str(tmp_path / "m"), every_time=True))
            done = run_mlci("validate", "--report-json", "r.json", cwd=proj.root)
    assert done.code == 3, done.text
    last = done.err.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"mlci: error: dask \({c.scheduler_address}\): the workers running "
        rf"{proj.root}/data/new-ds/part-00\d\.parquet \(row groups 0-2\) died and the scheduler "
        r"gave up on it; nothing was reported \(run again\)",
        last,
    ), last
    assert "Traceback" not in done.err
    assert not (proj.root / "r.json").exists()


def test_an_unreachable_scheduler_exits_3_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proj = dask_project(tmp_path, f"tcp://127.0.0.1:{port}", connect_timeout=1)
    done = run_mlci("validate", cwd=proj.root)
    assert done.code == 3
    lines = [line for line in done.err.strip().splitlines() if "error" in line]
    assert len(lines) == 1
    assert lines[0].startswith(
        f"mlci: error: validate.dask.scheduler: cannot reach the Dask scheduler at "
        f"tcp://127.0.0.1:{port}: "
    )


def test_without_a_scheduler_a_local_cluster_runs_and_is_closed(tmp_path: Path) -> None:
    proj = dask_project(tmp_path, None, workers=1)
    before = {p.pid for p in multiprocessing.active_children()}
    code, checks, text = verdict(proj, "dask", "dask.json")
    assert code == 1, text
    assert ("categories", "region", "fail") in checks
    assert {p.pid for p in multiprocessing.active_children()} <= before
    notes = json.loads((proj.root / "dask.json").read_text())["steps"][0]["notes"]
    assert notes[-1] == "engine dask (a LocalCluster): 4 Parquet file(s), 12,000 rows"


def test_a_local_cluster_keeps_the_worker_environment_but_the_malloc_trim_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dask's MALLOC_TRIM_THRESHOLD_ turns glibc's adaptive mmap threshold off (about twice the
    CPU of a profile, measured): the workers started for a run go without it. A Nanny also
    writes its workers' variables into this process's environment; the run puts it back, so
    the processes mlci starts afterwards do not inherit OMP_NUM_THREADS=1. (The module's own
    cluster, started without `_client`, has written them: they are taken out first, and
    monkeypatch restores them.)"""
    watched = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "PYTHONHASHSEED")
    for name in watched:
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    with _client(DaskConfig(workers=1)) as client:
        env = client.run(lambda: {k: os.environ.get(k) for k in watched[:2]})
        assert os.environ.get("OMP_NUM_THREADS") == "1"  # the Nanny's write, during the run
    assert list(env.values()) == [{"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}]
    assert dict(os.environ) == before
