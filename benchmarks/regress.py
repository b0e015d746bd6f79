"""How much the regress step costs over the two models' own predict calls, on 1M evaluation rows.

    MLFLOW_DISABLE_TELEMETRY=true python benchmarks/regress.py [--rows 1000000] [--out DIR]
        [--pairs light|heavy|both] [--details FILE] [--blas-threads N]

For each pair of scikit-learn models (a light pair and a heavy pair) it measures:

- floor: `predict` of the candidate plus `predict` of the champion on the whole evaluation frame,
  already in memory (MLflow pyfunc, as mlci loads them): what any comparison must pay;
- read floor: the same after reading the Parquet file whole into pandas (`pd.read_parquet`), the
  strictest floor that, like the regress step, starts from the file;
- gate: `run_regress` end to end as `mlci regress` runs it: digest and read the Parquet file,
  both models batch by batch with latency timing, all metrics, the paired bootstrap (1,000
  resamples) for accuracy, f1, roc_auc and log_loss, McNemar, and the MLflow run with its
  artifacts, against a real sqlite registry whose @champion is the second model.

Prints a Markdown table, wall and CPU time (user + sys of this process, all threads:
`time.process_time`); on a loaded machine compare CPU time, wall time counts the waiting too.
One run; timings on a shared machine vary by a few tenths of a second. `--details FILE` writes
every check's status, message and details (latency's timings left out: they vary) and the notes
as JSON, so two versions of the code can be shown to give identical verdicts, estimates and
intervals on the same data and seed. `--blas-threads N` sets `model.blas_threads` (BLAS threads
while the step predicts and scores; the floors keep the libraries' default).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

FEATURES = 30


def make_data(root: Path, rows: int) -> Path:
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=rows + 50_000, n_features=FEATURES, n_informative=12, flip_y=0.05, random_state=0
    )
    frame = pd.DataFrame(X.astype(np.float64), columns=[f"f{i}" for i in range(FEATURES)])
    frame["target"] = y
    frame.iloc[:50_000].to_parquet(root / "train.parquet")
    frame.iloc[50_000:].reset_index(drop=True).to_parquet(root / "eval.parquet")
    return root / "eval.parquet"


def models(kind: str) -> tuple[Any, Any]:
    """(candidate, champion), unfitted."""
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    if kind == "light":
        return (
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
            DecisionTreeClassifier(max_depth=8, random_state=0),
        )
    return (
        HistGradientBoostingClassifier(max_iter=100, random_state=0),
        RandomForestClassifier(n_estimators=50, max_depth=12, n_jobs=1, random_state=0),
    )


def save(model: Any, path: Path) -> Path:
    import mlflow.sklearn
    import pandas as pd
    import sklearn

    mlflow.sklearn.save_model(
        model,
        str(path),
        serialization_format="cloudpickle",
        pip_requirements=[f"scikit-learn=={sklearn.__version__}", f"pandas=={pd.__version__}"],
    )
    return path


def register_champion(root: Path, model_dir: Path, name: str) -> None:
    """Register a version and point @champion at it, as `mlci promote` leaves a registry."""
    from mlci.adapters.mlflow_registry import DIGEST_TAG, LocalModel, Registry, dir_digest

    registry = Registry(f"sqlite:///{root / 'mlflow.db'}", artifact_root=root / "mlartifacts")
    local = LocalModel(uri=str(model_dir), path=model_dir, digest=dir_digest(model_dir))
    version = registry.register(local, name)
    registry.client.set_registered_model_alias(name, "champion", version.version)
    assert version.tags.get(DIGEST_TAG) == local.digest


def write_config(root: Path, name: str, eval_data: Path, blas_threads: int | None = None) -> Path:
    import yaml

    metrics = {
        "accuracy": {"max_drop": 0.01},
        "f1": {"max_drop": 0.01},
        "roc_auc": {"max_drop": 0.01},
        "log_loss": {"max_drop_relative": 0.05},
    }
    config = {
        "data": {"label": "target"},
        "model": {
            "name": name,
            "task": "binary",
            "candidate": "candidate",
            "eval_data": str(eval_data),
            "metrics": metrics,
        }
        | ({"blas_threads": blas_threads} if blas_threads else {}),
        "registry": {"tracking_uri": "sqlite:///mlflow.db"},
    }
    (root / "mlci.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root / "mlci.yaml"


def floor(candidate: Path, champion: Path, eval_data: Path, *, read: bool) -> tuple[float, float]:
    """Wall and CPU seconds of both models' predict on the whole frame (READ: and of reading it)."""
    import mlflow.pyfunc
    import pandas as pd

    frame = pd.read_parquet(eval_data).drop(columns=["target"])
    loaded = [mlflow.pyfunc.load_model(str(p)) for p in (candidate, champion)]
    for m in loaded:
        m.predict(frame.iloc[:100])  # warm-up, as the gate does
    if read:
        del frame
    started, cpu = time.perf_counter(), time.process_time()
    if read:
        frame = pd.read_parquet(eval_data).drop(columns=["target"])
    for m in loaded:
        m.predict(frame)
    return time.perf_counter() - started, time.process_time() - cpu


def gate(config: Path) -> tuple[float, float, Any]:
    from mlci.config_load import load_config
    from mlci.model.regress import run_regress
    from mlci.wiring import registry_for

    loaded = load_config(config)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = run_regress(loaded=loaded, registry=registry_for(loaded))
    return time.perf_counter() - started, time.process_time() - cpu, outcome


def bench(kind: str, eval_data: Path, out: Path, blas_threads: int | None) -> dict[str, Any]:
    import pandas as pd

    root = out / kind
    root.mkdir(parents=True)
    train = pd.read_parquet(eval_data.parent / "train.parquet")
    X, y = train.drop(columns=["target"]), train["target"]
    cand_model, champ_model = (m.fit(X, y) for m in models(kind))
    candidate = save(cand_model, root / "candidate")
    champion = save(champ_model, root / "champion-model")
    register_champion(root, champion, f"bench-{kind}")
    config = write_config(root, f"bench-{kind}", eval_data, blas_threads)
    floor_s, floor_cpu = floor(candidate, champion, eval_data, read=False)
    _, read_cpu = floor(candidate, champion, eval_data, read=True)
    gate_s, gate_cpu, outcome = gate(config)
    statuses = {c.title: c.status.value for c in outcome.step.checks if c.id == "metric"}
    return {
        "kind": kind,
        "floor": floor_s,
        "gate": gate_s,
        "floor_cpu": floor_cpu,
        "read_floor_cpu": read_cpu,
        "gate_cpu": gate_cpu,
        "statuses": statuses,
        "laps": outcome.timings,
        "laps_cpu": getattr(outcome, "cpu_timings", {}),  # absent before CPU laps
        "details": verdicts(outcome),
    }


def verdicts(outcome: Any) -> dict[str, Any]:
    """What must not change with the code's speed: every check but latency's timings, the notes
    but the MLflow run id."""
    checks = [
        {"id": c.id, "title": c.title, "status": c.status.value}
        | ({"message": c.message, "details": c.details} if c.id != "latency" else {})
        for c in outcome.step.checks
    ]
    notes = [n for n in outcome.step.notes if not n.startswith("evaluation logged as")]
    return {"checks": checks, "notes": notes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--pairs", choices=("light", "heavy", "both"), default="both")
    parser.add_argument("--details", type=Path, default=None, help="write the verdicts as JSON")
    parser.add_argument("--blas-threads", type=int, default=None, help="model.blas_threads")
    args = parser.parse_args()
    kinds = ("light", "heavy") if args.pairs == "both" else (args.pairs,)
    out = args.out or Path(tempfile.mkdtemp(prefix="mlci-bench-regress-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        eval_data = make_data(out, args.rows)
        results = [bench(kind, eval_data, out, args.blas_threads) for kind in kinds]
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    print(
        f"rows: {args.rows:,}, bootstrap: 1,000 resamples, metrics: accuracy, f1, roc_auc, log_loss"
    )
    phases = ("open", "models", "predict", "score", "log")
    print(
        "| models (candidate vs champion) | floor: 2 x predict | regress step | ratio | "
        + " | ".join(phases)
        + " | CPU: floor | CPU: regress | CPU ratio |"
    )
    print("| --- " + "| ---: " * (6 + len(phases)) + "|")
    names = {
        "light": "scaled logistic regression vs decision tree (depth 8)",
        "heavy": "hist gradient boosting (100) vs random forest (50 trees)",
    }
    for r in results:
        ratio = r["gate"] / r["floor"]
        laps = " | ".join(f"{r['laps'].get(p, 0.0):.2f} s" for p in phases)
        head = f"| {names[r['kind']]} | {r['floor']:.2f} s | {r['gate']:.2f} s | {ratio:.2f}x"
        cpu = f"{r['floor_cpu']:.2f} s | {r['gate_cpu']:.2f} s | {r['gate_cpu'] / r['floor_cpu']:.2f}x"
        print(f"{head} | {laps} | {cpu} |")
    print("metric statuses:", {r["kind"]: r["statuses"] for r in results})
    print(
        "| pair | CPU: floor | CPU: read floor | CPU: regress | ratio | ratio to read floor | "
        + " | ".join(phases)
        + " |"
    )
    print("| --- " + "| ---: " * (5 + len(phases)) + "|")
    for r in results:
        cpu_laps = " | ".join(f"{r['laps_cpu'].get(p, 0.0):.2f} s" for p in phases)
        print(
            f"| {r['kind']} | {r['floor_cpu']:.2f} s | {r['read_floor_cpu']:.2f} s | "
            f"{r['gate_cpu']:.2f} s | {r['gate_cpu'] / r['floor_cpu']:.2f}x | "
            f"{r['gate_cpu'] / r['read_floor_cpu']:.2f}x | {cpu_laps} |"
        )
    if args.details is not None:
        details = {r["kind"]: r["details"] for r in results}
        args.details.write_text(json.dumps(details, indent=1, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
