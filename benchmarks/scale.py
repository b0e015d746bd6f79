"""Benchmark: `mlci validate` on the local and dask engines as rows grow, next to the read floor.

    python benchmarks/scale.py [--rows 10000000 --rows 50000000] [--flat 1000000 ...]
        [--workers 1 --workers 2] [--local-cpus 1] [--repeat N] [--workdir DIR]

The table is validate.py's (20 columns: 10 float with nulls, 4 int, 5 text, 1 bool), written as
one Parquet file per size in row groups of 500,000 rows (a dask partition each), with the stored
1M-row reference profile, the inferred contract, and drift on. Each measurement is a child
process; its peak is the largest ru_maxrss of the process and of its reaped children (a dask
worker process is one: so the peak shown for dask is the largest of the client and one worker,
not their sum); its CPU time is user + sys of the process and its reaped children (every
thread, the dask workers included), steadier than wall time on a shared machine. Rows:

- read floor: pyarrow streams every record batch (the faster of 65,536 and 196,608 rows);
- local: `mlci validate` with `validate.engine: local` (the default);
- local, pinned to N CPUs (--local-cpus N): the same, the child pinned to N of the machine's CPUs
  with sched_setaffinity (as `taskset -c` does); mlci sizes its column threads to them;
- dask N: `mlci validate` with `validate.engine: dask` and a LocalCluster of N worker processes
  (one thread each) started for the run, its start-up included, with its partitions' count;
- local peak at the --flat sizes: that memory does not grow with the rows.

The verdict column is the report's: the local engine's status and its checks' count, and for
dask whether every check's status is the local engine's ("same") or which differ. The load
average is printed before and after (the machine may be shared: compare CPU time then).

Not a test: run by hand; it prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate as base  # benchmarks/validate.py: the same table and reference


def task_read(data: str, batch_rows: str) -> None:
    base.task_read(data, batch_rows)


def task_mlci(project: str) -> None:
    base.task_mlci(project)


def task_prepare(workdir: str, rows: str, engine: str, workers: str) -> None:
    project(Path(workdir), int(rows), engine, int(workers))


def prepared(workdir: Path, rows: int, engine: str, workers: int = 1) -> tuple[Path, Path]:
    """project(), made in a child: Linux keeps a process's peak RSS across exec, so a parent
    that profiled the reference itself would pass its peak on to every measurement."""
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "prepare",
            str(workdir),
            str(rows),
            engine,
            str(workers),
        ],
        check=True,
        capture_output=True,
    )
    return project_paths(workdir, rows, engine, workers)


def project_paths(workdir: Path, rows: int, engine: str, workers: int) -> tuple[Path, Path]:
    name = f"project-{rows}-{engine}{workers if engine == 'dask' else ''}"
    return workdir / f"data-{rows}.parquet", workdir / name


def child(name: str, args: list[str]) -> None:
    started = time.perf_counter()
    tasks: dict[str, Callable[..., None]] = {
        "read": task_read,
        "mlci": task_mlci,
        "prepare": task_prepare,
    }
    tasks[name](*args)
    seconds = time.perf_counter() - started
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak / 1024}))


def measure(name: str, *args: str, repeat: int = 1, cpus: int | None = None) -> dict[str, Any]:
    """The fastest of REPEAT child runs, with the highest peak seen. CPUS: the child is pinned
    to that many of this machine's CPUs (as `taskset` does; mlci sizes its threads to it)."""
    runs = []
    pin = sorted(os.sched_getaffinity(0))[:cpus] if cpus else None
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--child", name, *args],
            capture_output=True,
            text=True,
            check=False,
            env=base.child_env(),
            preexec_fn=(lambda: os.sched_setaffinity(0, pin)) if pin else None,
        )
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
            return {"seconds": None, "peak_mib": None, "note": tail}
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_mib": max(r["peak_mib"] for r in runs)}


def project(workdir: Path, rows: int, engine: str, workers: int = 1) -> tuple[Path, Path]:
    """validate.py's project for ROWS, with the engine set."""
    data, proj = base.prepare(workdir, rows)
    _, target = project_paths(workdir, rows, engine, workers)
    target.mkdir(exist_ok=True)
    (target / "mlci.schema.yaml").write_text((proj / "mlci.schema.yaml").read_text())
    config = (proj / "mlci.yaml").read_text()
    if engine == "dask":
        config += f"validate:\n  engine: dask\n  dask: {{workers: {workers}}}\n"
    (target / "mlci.yaml").write_text(config)
    return data, target


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, action="append", help="default: 10M and 50M")
    parser.add_argument("--flat", type=int, action="append", help="default: 1M, 10M, 50M")
    parser.add_argument("--workers", type=int, action="append", help="default: 1 and 2")
    parser.add_argument(
        "--local-cpus",
        type=int,
        action="append",
        default=[],
        help="also run the local engine pinned to this many CPUs (default: none)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mlci-bench"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    print(f"{_now()}, load average {_load()}")
    print("| rows | what | wall s | rows/s | peak MiB | vs read | CPU s | CPU vs read | verdict |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for rows in args.rows or [10_000_000, 50_000_000]:
        data, local = prepared(args.workdir, rows, "local")
        reads = [measure("read", str(data), str(n), repeat=args.repeat) for n in (65_536, 196_608)]
        floor = min(reads, key=lambda r: r["seconds"] or float("inf"))
        _row(rows, "read floor (pyarrow, streamed)", floor, floor, "")
        r = measure("mlci", str(local), repeat=args.repeat)
        expected = _verdict(local)
        _row(rows, "mlci validate, local", r, floor, f"{expected[0]}, {len(expected[1])} checks")
        for cpus in args.local_cpus:
            r = measure("mlci", str(local), repeat=args.repeat, cpus=cpus)
            _row(rows, f"mlci validate, local, pinned to {cpus} CPU(s)", r, floor, "")
        for n in args.workers or [1, 2]:
            _, proj = prepared(args.workdir, rows, "dask", n)
            what = f"mlci validate, dask {n} worker(s), {_partitions(data, n)} partition(s)"
            r = measure("mlci", str(proj), repeat=args.repeat)
            _row(rows, what, r, floor, _same(expected, _verdict(proj)))
    for rows in args.flat or [1_000_000, 10_000_000, 50_000_000]:
        _, local = prepared(args.workdir, rows, "local")
        _row(rows, "local engine peak (flat in rows)", measure("mlci", str(local)), None, "")
    print(f"{_now()}, load average {_load()}")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _partitions(data: Path, workers: int) -> int:
    """As the dask engine cuts DATA for WORKERS workers (validate.dask's default size)."""
    from mlci.config import DaskConfig
    from mlci.data.engine import open_dataset
    from mlci.data.engine_dask import part_rows

    dataset = open_dataset(str(data))
    return len(dataset.partitions(part_rows(dataset.rows, workers, DaskConfig().partition_rows)))


def _verdict(project: Path) -> tuple[str, list[tuple[str, Any, str]]]:
    """The report's status and every check's (id, column, status); none when it has no report."""
    try:
        step = json.loads((project / "report.json").read_text())["steps"][0]
    except (OSError, ValueError, KeyError, IndexError):
        return "no report", []
    return step["status"], [(c["id"], c.get("column"), c["status"]) for c in step["checks"]]


def _same(expected: tuple[str, list[Any]], got: tuple[str, list[Any]]) -> str:
    if got == expected:
        return "same"
    differ = [f"{c[0]} {c[1] or ''} {c[2]}" for c in got[1] if c not in expected[1]]
    return f"DIFFERS: {got[0]} vs {expected[0]}, {len(got[1])} checks; " + ", ".join(differ[:3])


def _row(
    rows: int, what: str, r: dict[str, Any], floor: dict[str, Any] | None, verdict: str
) -> None:
    """Wall time and CPU time (user + sys of the process and its reaped children, every thread:
    on a shared machine the steadier of the two)."""
    if r["seconds"] is None:
        print(f"| {rows:,} | {what} | {r['note']} | | | | | | |", flush=True)
        return
    ratio = f"{r['seconds'] / floor['seconds']:.1f}x" if floor else ""
    cpu_ratio = f"{r['cpu'] / floor['cpu']:.1f}x" if floor else ""
    print(
        f"| {rows:,} | {what} | {r['seconds']:.2f} | {rows / r['seconds']:,.0f} "
        f"| {r['peak_mib']:.0f} | {ratio} | {r['cpu']:.2f} | {cpu_ratio} | {verdict} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
