"""Storing the champion's baseline: read the evaluation rows once, profile them and the model's
predictions, and log the files as a run tagged on the version (read back by `mlci/baseline.py`).

Apart from the reading side so that `data.reference: champion` (mlci/data/reference.py) can load
a baseline without importing what stores one, which itself loads the configured reference.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.adapters.mlflow_registry import VersionInfo, load_pyfunc, scratch_dir
from mlci.baseline import (
    BASELINE_EXPERIMENT,
    BASELINE_PATH,
    BASELINE_TAG,
    PREDICTION,
    tracking_of,
)
from mlci.config import ModelConfig
from mlci.config_load import LoadedConfig
from mlci.data.profile import Profile, profile_file, profile_table
from mlci.data.profile_json import to_json
from mlci.errors import RefusedError
from mlci.results import GateReport

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry, TrackingStore


def figures_of(report: GateReport) -> dict[str, Any]:
    """Metrics, latency and prediction sanity of the candidate, as the gate report recorded them."""
    step = report.step("regress")
    checks = step.checks if step else ()
    metrics = {c.title: c.observed for c in checks if c.id == "metric"}
    figures: dict[str, Any] = {
        "metrics": {k: float(v) for k, v in metrics.items() if v is not None}
    }
    for check in checks:
        if check.id == "latency" and isinstance(check.details.get("candidate"), dict):
            figures["latency"] = dict(check.details["candidate"])
        elif check.id == "predictions":
            figures["predictions_check"] = check.status.value
    return figures


def store_baseline(
    *,
    loaded: LoadedConfig,
    registry: ModelRegistry,
    version: VersionInfo,
    report: GateReport,
    tracking: TrackingStore | None = None,
) -> str | None:
    """Attach the baseline to VERSION unless it has one; return the run holding it (None: kept)."""
    if BASELINE_TAG in version.tags:
        return None
    tracking = tracking_of(registry) if tracking is None else tracking
    model = loaded.require_model()
    _check_eval_digest(report, model)
    with scratch_dir() as scratch, tempfile.TemporaryDirectory(prefix="mlci-baseline-") as work:
        out = Path(work)
        features, predictions, classes = _evaluated(loaded, registry, version, Path(scratch))
        reference = _reference(loaded, Path(scratch))
        figures = {**figures_of(report), "classes": classes, "task": model.task.value}
        _dump(out / "features.json", to_json(features))
        _dump(out / "predictions.json", to_json(predictions))
        _dump(out / "figures.json", figures)
        if reference is not None:
            _dump(out / "reference.json", to_json(reference))
        run_id = tracking.log_run(
            experiment=BASELINE_EXPERIMENT,
            name=f"mlci-baseline-{version.name}-v{version.version}",
            tags={
                "mlci.kind": "baseline",
                "mlci.model": version.name,
                "mlci.version": version.version,
            },
            folders={BASELINE_PATH: out},
        )
    registry.tag_version(version.name, version.version, {BASELINE_TAG: run_id})
    return run_id


def _check_eval_digest(report: GateReport, model: ModelConfig) -> None:
    from mlci.data.digest import file_digest

    gated = report.provenance.data.get("eval_data")
    now = file_digest(Path(model.eval_data))
    if gated is not None and gated != now:
        raise RefusedError(
            f"refusing to store the baseline: {model.eval_data} changed since the gate ran "
            f"(report {gated}, now {now}); run the gate again"
        )


def _evaluated(
    loaded: LoadedConfig, registry: ModelRegistry, version: VersionInfo, work: Path
) -> tuple[Profile, Profile, list[Any]]:
    """The evaluation features' profile and the model's predictions on the same rows."""
    import numpy as np
    import pyarrow as pa

    from mlci.model.evaldata import EvalFile
    from mlci.model.predict import Predictor

    model = loaded.require_model()
    label = loaded.config.data.label
    source = EvalFile.open(Path(model.eval_data))
    columns = tuple(c for c in source.columns() if c != label)
    local = registry.fetch(version.uri, work / "model")
    predictor = Predictor.load(load_pyfunc(local, "champion"), model.task, version.uri)
    labels: list[Any] = []
    for i, batch in enumerate(source.batches(model.batch_size)):
        features = batch.drop(columns=[label]) if label in batch.columns else batch
        if i == 0:
            predictor.prepare(features, columns, str(source.path))
        predictor.run(features, timed=False)
        if label in batch.columns:
            labels.append(batch[label].to_numpy())
    values = predictor.finish().values
    predictions = profile_table(pa.table({PREDICTION: values}))
    whole = profile_file(Path(model.eval_data))
    features = replace(whole, columns={k: v for k, v in whole.columns.items() if k != label})
    classes: list[Any] = []
    if model.task.value != "regression":
        seen = np.unique(
            np.concatenate([values.astype(object), *[a.astype(object) for a in labels]])
        )
        classes = [v.item() if hasattr(v, "item") else v for v in seen]
    return features, predictions, classes


def _reference(loaded: LoadedConfig, work: Path) -> Profile | None:
    ref = loaded.config.data.reference
    if ref is None or ref == "champion":
        return None
    from mlci.data.reference import load_reference

    found = load_reference(loaded, workdir=work, batch_rows=loaded.config.validate_.batch_rows)
    return found.profile if found else None


def _dump(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
