"""Benchmark: `mlci validate` against the raw read floor, naive pandas checks and deepchecks.

    python benchmarks/validate.py --rows 1000000 --rows 10000000 [--deepchecks] [--repeat N]
        [--workdir DIR]

A synthetic table of 20 columns (10 float with nulls, 4 int, 5 categorical text with nulls, 1
boolean) is written as Parquet at each size, plus a 1M-row reference of the same distribution
(profiled once, stored as JSON, as mlci is meant to be used). Each measurement runs in its own
child process, so its peak memory (ru_maxrss) and CPU time (user + sys of all its threads) are
its own; the read and mlci rows show the fastest of --repeat runs (default 3: timings on a
shared machine vary by 20%) and the least CPU time of them:

- read floor: pyarrow streams every record batch of the file and does nothing else (the faster
  of 65,536- and 196,608-row batches);
- read, text as dictionaries: the same with text columns decoded as dictionaries, as mlci's
  reader does (for reference: cheaper than the floor, since no string is materialised);
- mlci validate: the CLI, reference = the stored profile, contract + integrity + drift; at 1M
  rows also on a 1,000-row table: what every run costs before its rows (Python
  imports, mlci.yaml, reading the reference profile, writing the report);
- pandas naive: read both files whole, then per-column nulls/min/max/distinct, duplicated rows,
  PSI on the reference's deciles and category shares (what one writes by hand);
- deepchecks (with --deepchecks, 1M rows only): train_test_validation on full data, in mlci's
  isolated deepchecks environment.

Not a test: run by hand; it prints a Markdown table.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FLOATS, INTS, TEXTS = 10, 4, 5
CHUNK = 500_000
ROOT = Path(__file__).resolve().parent.parent
PYCACHE = Path("/tmp/mlci-bench-pycache")


def child_env() -> dict[str, str]:
    """The measured children's environment: mlci's bytecode cached, as an installed mlci has
    it (pip compiles it at install). A PYTHONDONTWRITEBYTECODE in the caller's environment (the
    project's CI machine sets it) made every measured run compile mlci's ~60 modules again
    (about 0.18 s of each run); the cache lives outside the tree, compiled once per run."""
    return dict(_child_env())


@functools.cache
def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("PYTHONPYCACHEPREFIX", str(PYCACHE))
    sys.pycache_prefix = env["PYTHONPYCACHEPREFIX"]  # where compileall writes
    compileall.compile_dir(ROOT / "mlci", quiet=1)
    return env


def make_table(path: Path, rows: int, seed: int) -> None:
    """Written chunk by chunk, so that making 10M rows does not need 10M rows of memory, into
    a temporary file renamed when complete: an interrupted run leaves no partial table that
    later runs would take for the real one."""
    import pyarrow.parquet as pq

    if path.exists():
        return
    partial = path.with_name(f".{path.name}.partial")
    writer = None
    try:
        for start in range(0, rows, CHUNK):
            table = _chunk(min(CHUNK, rows - start), seed * 1_000 + start // CHUNK)
            writer = writer or pq.ParquetWriter(partial, table.schema)
            writer.write_table(table)
        assert writer is not None
        writer.close()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _chunk(rows: int, seed: int) -> Any:
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {}
    for i in range(FLOATS):
        values = rng.normal(100 * i, 10 + i, rows)
        cols[f"f{i}"] = pa.array(values, mask=rng.random(rows) < 0.02)
    for i in range(INTS):
        cols[f"i{i}"] = pa.array(rng.integers(0, 10 ** (i + 1), rows))
    for i in range(TEXTS):
        words = np.array([f"cat{i}_{k}" for k in range(5 * (i + 1))])
        cols[f"s{i}"] = pa.array(
            words[rng.integers(0, len(words), rows)], mask=rng.random(rows) < 0.01
        )
    cols["b0"] = pa.array(rng.random(rows) < 0.3)
    return pa.table(cols)


# ------------------------------------------------------------------------------ child tasks


def task_read(data: str, batch_rows: str) -> None:
    import pyarrow.parquet as pq

    # pyarrow's own defaults but pre_buffer (which holds whole column chunks: ~1 GiB at 10M
    # rows); the floor is the faster of two batch sizes (pyarrow's 64Ki and mlci's 192Ki rows).
    reader = pq.ParquetFile(data, pre_buffer=False, buffer_size=1 << 20)
    for _ in reader.iter_batches(batch_size=int(batch_rows)):
        pass


def task_read_dictionary(data: str) -> None:
    """What mlci's reader does: text columns decoded as dictionaries (see mlci/data/reader.py).
    Shown for reference; the floor is the plain read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(data)
    text = [f.name for f in schema if pa.types.is_string(f.type)]
    reader = pq.ParquetFile(data, pre_buffer=False, buffer_size=1 << 20, read_dictionary=text)
    for _ in reader.iter_batches(batch_size=196_608):
        pass


def task_mlci(project: str) -> None:
    from mlci.cli import main

    try:
        main(
            [
                "validate",
                "--config",
                f"{project}/mlci.yaml",
                "--report-json",
                f"{project}/report.json",
            ]
        )
    except SystemExit as done:
        if done.code not in (0, 1):
            raise RuntimeError(f"mlci validate exited {done.code}") from None


def task_pandas(data: str, reference: str) -> None:
    import numpy as np
    import pandas as pd

    cur, ref = pd.read_parquet(data), pd.read_parquet(reference)
    int(cur.duplicated().sum())
    for name in cur.columns:
        col, base = cur[name], ref[name]
        _ = (col.isna().sum(), col.nunique())
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            _ = (col.min(), col.max(), col.mean(), col.std())
            edges = np.unique(np.nanquantile(base, np.linspace(0.1, 0.9, 9)))
            a = np.bincount(np.searchsorted(edges, base.dropna()), minlength=len(edges) + 1) + 0.5
            b = np.bincount(np.searchsorted(edges, col.dropna()), minlength=len(edges) + 1) + 0.5
            a, b = a / a.sum(), b / b.sum()
            float(((b - a) * np.log(b / a)).sum())
        else:
            shares = pd.concat(
                [base.value_counts(normalize=True), col.value_counts(normalize=True)], axis=1
            )
            float(shares.fillna(0).diff(axis=1).abs().sum().sum())


def task_deepchecks(data: str, reference: str, workdir: str) -> None:
    from mlci.adapters.deepchecks import run_suites
    from mlci.config import DeepchecksConfig

    out = run_suites(
        config=DeepchecksConfig(suites=["train_test_validation"], timeout=7_200),
        data=Path(data),
        reference=Path(reference),
        label=None,
        html_dir=Path(workdir),
    )
    print(f"deepchecks: {sum(len(s['checks']) for s in out['suites'])} checks", file=sys.stderr)


TASKS: dict[str, Callable[..., None]] = {
    "read": task_read,
    "read_dictionary": task_read_dictionary,
    "mlci": task_mlci,
    "pandas": task_pandas,
    "deepchecks": task_deepchecks,
}


def child(name: str, args: list[str]) -> None:
    started = time.perf_counter()
    TASKS[name](*args)
    seconds = time.perf_counter() - started
    own, reaped = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    cpu = sum(u.ru_utime + u.ru_stime for u in (own, reaped))  # every thread, from exec
    peak_mib = max(own.ru_maxrss, reaped.ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak_mib}))


def best_of(repeat: int, name: str, *args: str) -> dict[str, Any]:
    """The fastest of REPEAT runs (this machine's timings vary by 20% from run to run), with
    the highest peak memory seen."""
    runs = [measure(name, *args) for _ in range(repeat)]
    done = [r for r in runs if r["seconds"] is not None]
    if not done:
        return runs[0]
    best = min(done, key=lambda r: r["seconds"])
    cpu = min(r["cpu"] for r in done)  # the least CPU of any run, as the least wall time
    return {**best, "cpu": cpu, "peak_mib": max(r["peak_mib"] for r in done)}


def measure(name: str, *args: str, timeout: float = 7_200) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", name, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
            env=child_env(),
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mib": None, "note": f"did not finish in {timeout:.0f} s"}
    except subprocess.CalledProcessError as exc:
        return {"seconds": None, "peak_mib": None, "note": exc.stderr.strip().splitlines()[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -------------------------------------------------------------------------------- the run


def prepare(workdir: Path, rows: int) -> tuple[Path, Path]:
    """The data file and an mlci project whose reference is the stored profile (rows=1,000:
    a table of the same kind, to measure what every run costs whatever its size)."""
    from mlci.data.contract import dump_contract
    from mlci.data.infer import infer_from_profile
    from mlci.data.profile import profile_file
    from mlci.data.profile_json import read_profile, write_profile
    from mlci.errors import InputError

    workdir.mkdir(parents=True, exist_ok=True)
    reference = workdir / "reference-1M.parquet"
    make_table(reference, 1_000_000, seed=1)
    stored = workdir / "reference.profile.json"
    try:
        read_profile(stored)
    except InputError:  # missing, or written by another profile version
        write_profile(profile_file(reference), stored)
    data = workdir / f"data-{rows}.parquet"
    make_table(data, rows, seed=2)
    project = workdir / f"project-{rows}"
    project.mkdir(exist_ok=True)
    contract = infer_from_profile(read_profile(stored))
    (project / "mlci.schema.yaml").write_text(dump_contract(contract))
    (project / "mlci.yaml").write_text(
        f"data:\n  path: {data}\n  reference: {stored}\n  schema: mlci.schema.yaml\n"
    )
    return data, project


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument(
        "--rows", type=int, action="append", help="table sizes (default: 1M and 10M)"
    )
    parser.add_argument(
        "--deepchecks", action="store_true", help="also run deepchecks at 1M rows (slow)"
    )
    parser.add_argument("--pandas-max-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement; the fastest is shown"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mlci-bench"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    print("| rows | what | wall s | peak MiB | vs read | CPU s | CPU vs read |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for rows in args.rows or [1_000_000, 10_000_000]:
        data, project = prepare(args.workdir, rows)
        reference = args.workdir / "reference-1M.parquet"
        n = args.repeat
        reads = [best_of(n, "read", str(data), str(size)) for size in (65_536, 196_608)]
        runs = [("read floor (pyarrow, streamed)", min(reads, key=_seconds))]
        runs.append(
            ("read, text as dictionaries (as mlci reads)", best_of(n, "read_dictionary", str(data)))
        )
        runs.append(
            ("mlci validate (profile + contract + drift)", best_of(n, "mlci", str(project)))
        )
        if rows <= args.pandas_max_rows:
            runs.append(("pandas, naive checks", measure("pandas", str(data), str(reference))))
        if args.deepchecks and rows == 1_000_000:
            runs.append(
                (
                    "deepchecks train_test_validation",
                    measure("deepchecks", str(data), str(reference), str(args.workdir)),
                )
            )
        if rows == 1_000_000:
            _, small = prepare(args.workdir, 1_000)
            runs.append(("mlci validate, 1,000 rows (start-up)", best_of(n, "mlci", str(small))))
        for what, r in runs:
            _row(rows, what, r, runs[0][1])


def _seconds(r: dict[str, Any]) -> float:
    return float("inf") if r["seconds"] is None else float(r["seconds"])


def _row(rows: int, what: str, r: dict[str, Any], floor: dict[str, Any]) -> None:
    if r["seconds"] is None:
        print(f"| {rows:,} | {what} | {r['note']} | | | | |", flush=True)
        return
    ratio, cpu_ratio = r["seconds"] / floor["seconds"], r["cpu"] / floor["cpu"]
    print(
        f"| {rows:,} | {what} | {r['seconds']:.2f} | {r['peak_mib']:.0f} | {ratio:.1f}x "
        f"| {r['cpu']:.2f} | {cpu_ratio:.1f}x |",
        flush=True,
    )


if __name__ == "__main__":
    main()
