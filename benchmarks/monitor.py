"""Benchmark: `mlci monitor` on a day of inference logs against the raw read floor.

    python benchmarks/monitor.py --rows 1000000 [--rows 10000000] [--files 8] [--repeat 3]
        [--workdir DIR] [--no-validate]

The example project (examples/demo-project) trains its `tuned` model, gates and promotes it
into a local sqlite registry (so `@champion` has its stored baseline), then a day of logs is
written as Parquet in --files files: the model's 31 features (30 float, 1 categorical text),
its prediction and positive-class score, the label, latency_ms, an error flag, the model version
and a timestamp spread over the last 24 hours (rows drawn from the evaluation rows the model
answered, so nothing drifts and the verdict is healthy). The logs are kept for 30 minutes, then
written again: the monitor's 24-hour window cuts up to 2% of their rows off, at random places
(the timestamps are not in order), as it would at a window's edge.

Measured as benchmarks/validate.py measures (its helpers, imported): each run in its own child
process, the fastest of --repeat; the floor is validate's strictest one (pyarrow streaming every
record batch, pre_buffer off, the faster of 65,536 and 196,608-row batches), summed over the
files. Unless --no-validate, `mlci validate` is measured at the same size in the same run
(validate.py's table and project), so the two ratios are taken under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import validate as bench  # benchmarks/validate.py: run as a script, its folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "demo-project"
MONITOR = """monitor:
  data: logs
  timestamp: ts
  window: 24h
  prediction: prediction
  score: score
  label: label
  model_version: model_version
  latency: {column: latency_ms, max_p95_ms: 500}
  errors: {column: error, max_rate: 0.05}
  log_runs: false
"""


def task_read_files(logs: str, batch_rows: str) -> None:
    for path in sorted(Path(logs).glob("*.parquet")):
        bench.task_read(str(path), batch_rows)


def task_monitor(project: str) -> None:
    from mlci.cli import main

    try:
        main(["monitor", "--config", f"{project}/mlci.yaml", "--report-json", f"{project}/m.json"])
    except SystemExit as done:
        if done.code != 0:
            raise RuntimeError(f"mlci monitor exited {done.code}") from None


def task_write_logs(project: str, rows: str, files: str) -> None:
    write_logs(Path(project), int(rows), int(files))


TASKS: dict[str, Callable[..., None]] = {
    "read_files": task_read_files,
    "monitor": task_monitor,
    "write_logs": task_write_logs,
}


def measure(name: str, *args: str) -> dict[str, Any]:
    """One child run: its wall time and peak (as validate.py's child reports them) and its CPU
    time (user + sys of the child and every thread, from the parent's view of its reaped
    child): steadier than wall time when the machine is shared."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, *args],
        capture_output=True,
        text=True,
        check=False,
        env=bench.child_env(),
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        return {"seconds": None, "peak_mib": None, "note": done.stderr.strip()[-300:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**result, "cpu": cpu}


def best(repeat: int, name: str, *args: str) -> dict[str, Any]:
    runs = [measure(name, *args) for _ in range(repeat)]
    done = [r for r in runs if r["seconds"] is not None]
    if not done:
        return runs[0]
    fastest: dict[str, Any] = min(done, key=bench._seconds)
    cpu = min(r["cpu"] for r in done)
    return {**fastest, "peak_mib": max(r["peak_mib"] for r in done), "cpu": cpu}


def row(rows: int, what: str, r: dict[str, Any], floor: dict[str, Any]) -> None:
    if r["seconds"] is None:
        print(f"| {rows:,} | {what} | {r['note']} | | | | | |", flush=True)
        return
    print(
        f"| {rows:,} | {what} | {r['seconds']:.2f} | {r['peak_mib']:.0f} | "
        f"{r['seconds'] / floor['seconds']:.1f}x | {r['cpu']:.2f} | {r['cpu'] / floor['cpu']:.1f}x |",
        flush=True,
    )


def champion(workdir: Path) -> Path:
    """The example project with `tuned` gated and promoted (built once per workdir)."""
    project = workdir / "monitor-project"
    if (project / "promoted").exists():
        return project
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(EXAMPLE, project)
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"}
    train = [sys.executable, "train.py"]
    subprocess.run([*train, "data"], cwd=project, check=True, env=env)
    subprocess.run([*train, "model", "--kind", "tuned"], cwd=project, check=True, env=env)
    mlci = [sys.executable, "-m", "mlci"]
    subprocess.run(
        [*mlci, "schema", "infer", "data/train.csv", "--range-margin", "1.0"],
        cwd=project,
        check=True,
        env=env,
    )
    for step in ("gate", "promote"):
        subprocess.run([*mlci, step], cwd=project, check=True, env=env, capture_output=True)
    (project / "promoted").write_text("")
    return project


def write_logs(project: Path, rows: int, files: int) -> Path:
    """A day of logs: eval rows with the champion's answers, resampled to ROWS."""
    import mlflow.sklearn
    import numpy as np
    import pandas as pd

    logs = project / "logs"
    stamp = logs / f".rows-{rows}-{files}"
    # the window is the last 24 hours: logs written longer ago lose more rows to it every
    # minute (4% an hour), so they are written again after 30 minutes (at most 2% cut)
    if stamp.exists() and time.time() - stamp.stat().st_mtime < 30 * 60:
        return logs
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    pool = pd.read_csv(project / "data" / "eval.csv")
    labels = pool.pop("target").to_numpy()
    model = mlflow.sklearn.load_model(str(project / "models" / "candidate"))
    predicted, scores = model.predict(pool), model.predict_proba(pool)[:, 1]
    rng = np.random.default_rng(0)
    now = pd.Timestamp.now(tz="UTC")
    for i, n in enumerate(np.diff(np.linspace(0, rows, files + 1).astype(int))):
        pick = rng.integers(0, len(pool), n)
        frame = pool.iloc[pick].reset_index(drop=True)
        frame["prediction"], frame["score"], frame["label"] = (
            predicted[pick],
            scores[pick],
            labels[pick],
        )
        frame["latency_ms"] = rng.gamma(4.0, 5.0, n)
        frame["error"] = rng.random(n) < 0.001
        frame["model_version"] = "1"
        frame["ts"] = now - pd.to_timedelta(rng.uniform(60, 86_000, n), unit="s")
        frame.to_parquet(logs / f"part-{i:03d}.parquet", index=False)
    stamp.write_text("")
    return logs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, action="append", help="log rows (default: 1M)")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mlci-bench"))
    parser.add_argument("--no-validate", action="store_true")
    args = parser.parse_args()
    if args.child:
        bench.TASKS.update(TASKS)
        bench.child(args.child[0], args.child[1:])
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    project = champion(args.workdir)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)", flush=True)
    print("| rows | what | wall s | peak MiB | vs read | CPU s | CPU vs read |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for rows in args.rows or [1_000_000]:
        # in a child process: a child's peak includes its parent's from before the exec
        # (Linux), and writing the logs takes this one to a gigabyte
        writer = [sys.executable, __file__, "--child", "write_logs", str(project)]
        subprocess.run([*writer, str(rows), str(args.files)], check=True, capture_output=True)
        logs = project / "logs"  # write_logs' folder
        (project / "mlci.yaml").write_text(
            (EXAMPLE / "mlci.yaml").read_text() + MONITOR.replace("data: logs", f"data: {logs}")
        )
        n = args.repeat
        reads = [best(n, "read_files", str(logs), str(size)) for size in (65_536, 196_608)]
        floor = min(reads, key=bench._seconds)
        runs = [(f"read floor (pyarrow, streamed, {args.files} files)", floor)]
        runs.append(
            ("**mlci monitor** (CLI, every check, no MLflow run)", best(n, "monitor", str(project)))
        )
        for what, r in runs:
            row(rows, what, r, floor)
        if not args.no_validate:
            data, vproject = bench.prepare(args.workdir, rows)
            vfloor = min(
                (best(n, "read", str(data), str(s)) for s in (65_536, 196_608)), key=bench._seconds
            )
            row(rows, "validate's read floor (its 20-column table)", vfloor, vfloor)
            row(rows, "mlci validate", best(n, "mlci", str(vproject)), vfloor)
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
