"""The champion's baseline: what production is compared with, stored with the version it describes.

`mlci promote` attaches it to the version it moves @champion to (and to a champion that lacks
one, when the same promote runs again): the reference profile, the profile of the evaluation
features, the distribution of the model's predictions on the evaluation rows, and the figures of
the gate report (metrics, latency, classes). The evaluation rows are read once, when it is
stored (`mlci/baseline_store.py`), and only after their digest matched the one the gate recorded,
so the baseline describes exactly the rows the gate judged. `mlci monitor` and
`data.reference: champion` read it back here; nothing downstream reads raw reference or
evaluation data again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.adapters.mlflow_registry import VersionInfo, scratch_dir
from mlci.config_load import LoadedConfig
from mlci.data.profile import Profile
from mlci.data.profile_json import from_json
from mlci.errors import InputError

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry, RunFiles, TrackingStore

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


def find_champion(registry: ModelRegistry, name: str, alias: str) -> VersionInfo | None:
    """The version holding ALIAS, read from a local sqlite registry's file when it can be (no
    MLflow import: seconds, more than a monitor's whole read of a day of logs), else asked of
    the registry."""
    from mlci.adapters.registry_peek import version_by_alias

    peeked = version_by_alias(registry.tracking_uri, name, alias)
    return peeked.version if peeked is not None else registry.by_alias(name, alias)


def load_baseline(
    registry: ModelRegistry, version: VersionInfo, tracking: RunFiles | None = None
) -> Baseline:
    """The stored baseline of VERSION; a clear input error (how to attach one) when it has none.
    Its files are read in place from a local sqlite store's artifacts, else downloaded."""
    run_id = version.tags.get(BASELINE_TAG)
    if not run_id:
        raise InputError(
            f"{version.uri}: no stored baseline (promoted before mlci stored one); attach it by "
            "running `mlci gate` then `mlci promote` for this version again"
        )
    if tracking is None:
        from mlci.wiring import run_files_for

        tracking = run_files_for(registry.tracking_uri)
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
    champion = find_champion(registry, model.name, alias)
    if champion is None:
        raise InputError(f"data.reference: champion: no version of {model.name} holds @{alias}")
    baseline = load_baseline(registry, champion)
    if baseline.reference is None:
        raise InputError(
            f"data.reference: champion: {champion.uri} was promoted without data.reference set, "
            "so its baseline holds no reference profile"
        )
    return baseline.reference, champion.uri


def tracking_of(registry: ModelRegistry) -> TrackingStore:
    """The tracking store beside REGISTRY, where baselines are logged."""
    from mlci.wiring import tracking_for

    return tracking_for(registry.tracking_uri)


def _load(path: Path, version: VersionInfo) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{version.uri}: stored baseline unreadable ({path.name}): {exc}"
        ) from None
