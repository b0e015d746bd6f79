"""The champion's baseline: what production is compared with, stored with the version it describes.

`mlci promote` attaches it to the version it moves @champion to (and to a champion that lacks
one, when the same promote runs again): the reference profile, the profile of the evaluation
features, the distribution of the model's predictions on the evaluation rows, and the figures of
the gate report (metrics, latency, classes). The evaluation rows are read once, here, and only
after their digest matched the one the gate recorded, so the baseline describes exactly the rows
the gate judged. `mlci monitor` and `data.reference: champion` read it back; nothing downstream
reads raw reference or evaluation data again.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.adapters.mlflow_registry import VersionInfo, load_pyfunc, scratch_dir
from mlci.config import LoadedConfig, ModelConfig
from mlci.data.profile import Profile, from_json, profile_file, profile_table, to_json
from mlci.errors import InputError, RefusedError
from mlci.results import GateReport

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry, TrackingStore

BASELINE_TAG = "mlci.baseline_run"
PREDICTION = "prediction"
_FILES = ("features.json", "predictions.json", "figures.json")
BASELINE_EXPERIMENT = "mlci"  # beside the registration and evaluation runs
BASELINE_PATH = "mlci-baseline"  # the run's folder holding _FILES


@dataclass(frozen=True)
class Baseline:
    version: str
    features: Profile
    predictions: Profile  # one column, PREDICTION
    reference: Profile | None
    figures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> Mapping[str, float]:
        found: Mapping[str, float] = self.figures.get("metrics", {})
        return found

    @property
    def classes(self) -> tuple[Any, ...]:
        return tuple(self.figures.get("classes", ()))


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
    tracking = _tracking(registry) if tracking is None else tracking
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


def load_baseline(
    registry: ModelRegistry, version: VersionInfo, tracking: TrackingStore | None = None
) -> Baseline:
    """The stored baseline of VERSION; a clear input error (how to attach one) when it has none."""
    run_id = version.tags.get(BASELINE_TAG)
    if not run_id:
        raise InputError(
            f"{version.uri}: no stored baseline (promoted before mlci stored one); attach it by "
            "running `mlci gate` then `mlci promote` for this version again"
        )
    tracking = _tracking(registry) if tracking is None else tracking
    with scratch_dir() as tmp:
        folder = tracking.download(run_id, BASELINE_PATH, Path(tmp), what="baseline run")
        docs = {name: _load(folder / name, version) for name in _FILES}
        ref_path = folder / "reference.json"
        reference = from_json(_load(ref_path, version)) if ref_path.is_file() else None
    return Baseline(
        version=version.version,
        features=from_json(docs["features.json"], origin=f"{version.uri} baseline"),
        predictions=from_json(docs["predictions.json"], origin=f"{version.uri} baseline"),
        reference=reference,
        figures=docs["figures.json"],
    )


def champion_reference(loaded: LoadedConfig) -> tuple[Profile, str]:
    """`data.reference: champion`: the reference profile stored with the champion, and its name."""
    from mlci.wiring import registry_for

    model = loaded.require_model()
    registry = registry_for(loaded)
    alias = loaded.config.registry.champion_alias
    champion = registry.by_alias(model.name, alias)
    if champion is None:
        raise InputError(f"data.reference: champion: no version of {model.name} holds @{alias}")
    baseline = load_baseline(registry, champion)
    if baseline.reference is None:
        raise InputError(
            f"data.reference: champion: {champion.uri} was promoted without data.reference set, "
            "so its baseline holds no reference profile"
        )
    return baseline.reference, champion.uri


def _tracking(registry: ModelRegistry) -> TrackingStore:
    from mlci.wiring import tracking_for

    return tracking_for(registry.tracking_uri)


def _check_eval_digest(report: GateReport, model: ModelConfig) -> None:
    from mlci.data.reader import file_digest

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


def _load(path: Path, version: VersionInfo) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{version.uri}: stored baseline unreadable ({path.name}): {exc}"
        ) from None
