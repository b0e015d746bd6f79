"""The gate cache: unchanged inputs reuse the last report, with the same verdict and exit code.

The key is what a run's outcome depends on: the mlci version, the steps, the config's digest,
the registry it talks to, the BLAKE3 digest of every data file the steps read, the candidate's
digest and the champion's version and digest. All of it is cheap next to a run: data files are
hashed (about 2 GB/s), the candidate is a small directory, the champion is one registry read;
nothing is loaded or predicted. Anything the key cannot pin (a DVC revision as the reference, a
missing input) leaves the cache out and the gate runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mlci import __version__
from mlci.config import DvcReference, candidate_is_local
from mlci.config_load import LoadedConfig
from mlci.results import GateReport

CACHE_DIR = Path(".mlci") / "cache"
Say = Callable[[str], None]


# "VERSION:DIGEST" of the champion, "none", or None when it cannot be known cheaply
Champion = Callable[[str, str, str], str | None]


@dataclass(frozen=True)
class CacheKey:
    parts: Mapping[str, str]

    @property
    def digest(self) -> str:
        text = json.dumps(dict(self.parts), sort_keys=True)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Hit:
    report: GateReport
    key: CacheKey


@dataclass(frozen=True)
class GateOutcome:
    report: GateReport
    cached: bool  # reused from the last run with the same key


def run_gate(
    *,
    loaded: LoadedConfig,
    names: tuple[str, ...],
    progress: Say,
    done: Say,
    report_dir: Path | None,
    cache: bool,
) -> GateOutcome:
    """The steps, or the last report of the same inputs when CACHE is on; a run that finishes
    (pass or fail) is stored, a run that raises is not."""
    from mlci.adapters.registry_peek import champion_of
    from mlci.gate import run_steps

    key = None
    if cache:
        progress("cache: digesting the inputs")
        key = gate_key(loaded=loaded, names=names, champion_of=champion_of)
    path = cache_file(loaded, names)
    hit = lookup(path, key) if key is not None else None
    if hit is not None:
        return GateOutcome(report=hit.report, cached=True)
    report = run_steps(
        loaded=loaded, names=names, progress=progress, report_dir=report_dir, done=done
    )
    if key is not None:
        store(path, key, report)
    return GateOutcome(report=report, cached=False)


def gate_key(
    *, loaded: LoadedConfig, names: tuple[str, ...], champion_of: Champion
) -> CacheKey | None:
    """The key of a run of NAMES, or None when an input cannot be pinned (then: no cache)."""
    parts = {"mlci": __version__, "steps": ",".join(names), "config": loaded.digest}
    files: dict[str, Path | DvcReference | None] = {}
    if "validate" in names:
        data = loaded.config.data
        reference = data.reference
        if reference == "champion":
            # the champion's stored profile: pinned by the champion's digest, known only to regress
            if "regress" not in names:
                return None
            reference = None
        if isinstance(data.path, str):
            return None  # a URL: its objects are not pinned by a local digest
        files |= {"data": data.path, "reference": reference, "schema": data.schema_}
    if "regress" in names:
        model = loaded.require_model()
        files["eval_data"] = model.eval_data
        models = _models(loaded, champion_of)
        if models is None:
            return None
        parts |= models
    for name, path in files.items():
        digest = _file(path)
        if digest is None:
            return None
        parts[name] = digest
    return CacheKey(parts)


def _file(path: Path | DvcReference | None) -> str | None:
    from mlci.data.digest import file_digest

    if path is None:
        return "none"
    if isinstance(path, DvcReference) or not path.is_file():
        return None
    return file_digest(path)


def _models(loaded: LoadedConfig, champion_of: Champion) -> dict[str, str] | None:
    from mlci.adapters.mlflow_registry import dir_digest

    model = loaded.require_model()
    if candidate_is_local(model.candidate):
        if not (Path(model.candidate) / "MLmodel").is_file():
            return None
        candidate = dir_digest(Path(model.candidate))
    elif "@" in model.candidate:
        return None  # an alias moves without anything here changing
    else:
        candidate = model.candidate  # models:/NAME/N and runs:/ name fixed artifacts
    champion = champion_of(loaded.tracking_uri, model.name, loaded.config.registry.champion_alias)
    if champion is None:
        return None
    return {"registry": loaded.tracking_uri, "candidate": candidate, "champion": champion}


def cache_file(loaded: LoadedConfig, names: tuple[str, ...]) -> Path:
    return loaded.root / CACHE_DIR / f"{'-'.join(names)}.json"


def lookup(path: Path, key: CacheKey) -> Hit | None:
    """The cached report when its key is KEY; None when missing, stale or unreadable."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("key") != key.digest:
            return None
        return Hit(report=GateReport.from_json(doc["report"]), key=key)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # a cache is never a reason to fail: run the gate


def store(path: Path, key: CacheKey, report: GateReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"key": key.digest, "parts": dict(key.parts), "report": report.to_json()}
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
