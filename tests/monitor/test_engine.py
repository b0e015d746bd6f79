"""`monitor.engine: dask` on a real LocalCluster (2 worker processes): the verdict and figures of local."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.conftest import Project
from tests.monitor.conftest import Logs


def _same(dask: Any, local: Any, where: str) -> None:
    """Counts and texts exactly; floats (drift statistics, percentiles) to float tolerance."""
    if isinstance(local, float) or isinstance(dask, float):
        assert math.isclose(dask, local, rel_tol=1e-9, abs_tol=1e-12), where
    elif isinstance(local, dict):
        assert dask.keys() == local.keys(), where
        for key in local:
            _same(dask[key], local[key], f"{where}.{key}")
    elif isinstance(local, list):
        assert len(dask) == len(local), where
        for i, (d, x) in enumerate(zip(dask, local, strict=True)):
            _same(d, x, f"{where}[{i}]")
    else:
        assert dask == local, where


def _run(project: Project, engine: str) -> tuple[int, dict[str, Any], str]:
    config = project.config()
    config["monitor"]["engine"] = engine
    config.setdefault("validate", {})["dask"] = {"workers": 2}
    project.write_config(config)
    path = f"monitor-{engine}.json"
    result = project.mlci("monitor", "--dry-run", "--report-json", path)
    report = json.loads((project.root / path).read_text()) if result.code in (0, 1) else {}
    return result.code, report, result.text


@pytest.mark.slow
def test_the_dask_engine_gives_the_local_verdict_and_figures(promoted: Project, logs: Logs) -> None:
    logs.write("a.parquet", rows=300, seed=0)
    logs.write("b.parquet", rows=300, seed=1, error_rate=0.1)
    logs.write(
        "c.parquet",
        rows=300,
        seed=2,
        change=lambda f: f.assign(mean_smoothness=f["mean_smoothness"] * 1.6),
    )
    local_code, local, text = _run(promoted, "local")
    assert local_code == 1, text
    dask_code, dask, text = _run(promoted, "dask")
    assert dask_code == 1, text
    checks = [
        {k: v for k, v in c.items() if k not in ("message",)} for c in local["steps"][0]["checks"]
    ]
    found = [
        {k: v for k, v in c.items() if k not in ("message",)} for c in dask["steps"][0]["checks"]
    ]
    _same(found, checks, "checks")
    failed = {c["id"] for c in checks if c["status"] == "fail"}
    assert failed == {"feature_drift", "error_rate"}
    rows = next(c for c in found if c["id"] == "volume")["observed"]
    assert rows == 900
    notes = dask["steps"][0]["notes"]
    assert "logs read on the dask engine (validate.dask), one task per file" in notes
    assert "900 rows in the last 24h by 'ts' answered by v2 ('model_version'), 3 file(s)" in notes

    # A file lacking a configured column: the worker's error, naming the file, exit 2.
    bad = logs.write("d.parquet", rows=50, seed=3)
    import pandas as pd

    pd.read_parquet(bad).drop(columns=["latency_ms"]).to_parquet(bad, index=False)
    code, _, text = _run(promoted, "dask")
    assert (code, text.strip()) == (
        2,
        f"mlci: error: {bad}: the logs lack the configured column(s) 'latency_ms' "
        "(monitor.latency.column)",
    )
