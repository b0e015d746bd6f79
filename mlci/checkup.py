"""`mlci config check`: the config and every file it points to, checked without running a step.

Each input is opened the way its step opens it (a table's header and first block, a contract
parsed, an MLflow model's MLmodel file) and nothing is computed, so a check takes a second
where a gate can take minutes. The registry is not contacted: that is a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from mlci.config import DvcReference, MonitorConfig, candidate_is_local
from mlci.config_load import LoadedConfig, load_config
from mlci.errors import MlciError


@dataclass(frozen=True)
class Checked:
    """What was checked ("data: data/new.csv (CSV, 31 columns)") and what is wrong."""

    loaded: LoadedConfig
    ok: tuple[str, ...]
    problems: tuple[str, ...]


def check_config(path: Path) -> Checked:
    """Load PATH (a bad config raises ConfigError, as every command does), then its inputs."""
    loaded = load_config(path)
    ok: list[str] = []
    problems: list[str] = []
    for what, check in _checks(loaded):
        try:
            ok.append(f"{what}: {check()}")
        except MlciError as exc:
            problems.append(str(exc))
    return Checked(loaded=loaded, ok=tuple(ok), problems=tuple(problems))


Check = Callable[[], str]


def _checks(loaded: LoadedConfig) -> Iterator[tuple[str, Check]]:
    data = loaded.config.data
    if isinstance(path := data.path, str):
        yield "data.path", partial(_dataset, path)
    elif path is not None:
        yield "data.path", partial(_table, loaded, path, None)
    ref = data.reference
    if isinstance(ref, DvcReference):
        yield "data.reference", partial(_dvc, ref)
    elif isinstance(ref, Path):
        # `champion` is the stored baseline of the registry's champion: checked when validate runs
        yield "data.reference", partial(_reference, loaded, ref)
    if (schema := data.schema_) is not None:
        yield "data.schema", partial(_contract, schema)
    if (model := loaded.config.model) is not None:
        yield "model.eval_data", partial(_table, loaded, model.eval_data, data.label)
        if candidate_is_local(model.candidate):
            yield "model.candidate", partial(_model_dir, Path(model.candidate))
    if (monitor := loaded.config.monitor) is not None:
        yield "monitor.data", partial(_logs, loaded, monitor)


def shown(loaded: LoadedConfig, path: Path) -> str:
    try:
        return str(path.relative_to(loaded.root))
    except ValueError:
        return str(path)


def _table(loaded: LoadedConfig, path: Path, label: str | None) -> str:
    from mlci.data.reader import read_stream
    from mlci.errors import InputError

    names = read_stream(path, lambda stream: list(stream.schema.names))
    if label is not None and label not in names:
        raise InputError(f"{path}: label column {label!r} (data.label) not found")
    return f"{shown(loaded, path)} ({path.suffix[1:].upper()}, {len(names)} columns)"


def _dataset(location: str) -> str:
    from mlci.data.engine import open_dataset

    dataset = open_dataset(location)
    return f"{location} ({len(dataset.files)} Parquet file(s), {dataset.rows:,} rows)"


def _logs(loaded: LoadedConfig, cfg: MonitorConfig) -> str:
    """Each log file's columns (a Parquet footer, a CSV's first block) hold the configured ones;
    the features the baseline names are checked when the monitor runs."""
    from mlci.data.reader import read_stream
    from mlci.monitor.logs import check_columns, log_files

    files = log_files(cfg.data, loaded.root)
    for path in files:
        names = read_stream(path, lambda stream: list(stream.schema.names))
        check_columns(path, names, tuple(cfg.features or ()), cfg)
    return f"{cfg.data} ({len(files)} log file(s) with the configured columns)"


def _dvc(ref: DvcReference) -> str:
    return f"DVC revision {ref.dvc_rev} (read when validate runs)"


def _reference(loaded: LoadedConfig, path: Path) -> str:
    if path.suffix.lower() == ".json":
        from mlci.data.profile_json import read_profile

        read_profile(path)
        return f"{shown(loaded, path)} (a profile)"
    return _table(loaded, path, None)


def _contract(path: Path) -> str:
    from mlci.data.contract import load_contract

    contract = load_contract(path)
    return f"{path.name} ({len(contract.columns)} columns)"


def _model_dir(path: Path) -> str:
    from mlci.errors import InputError

    if not (path / "MLmodel").is_file():
        raise InputError(f"{path}: not an MLflow model directory (no MLmodel file)")
    return f"{path.name} (an MLflow model directory)"


def config_schema() -> dict[str, object]:
    """The JSON Schema of mlci.yaml, generated from the config models (so it cannot drift);
    shipped as mlci/schemas/config.schema.json for editors."""
    from mlci.config import Config

    schema: dict[str, object] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mlci.dev/schemas/config.schema.json",
        "title": "mlci.yaml",
        **Config.model_json_schema(by_alias=True),
    }
    return schema
