"""load_config: the one place mlci.yaml is read and validated, and the LoadedConfig it returns.

Errors name the file and the dotted key; unknown keys warn, because a typo must not be ignored
silently. Relative paths resolve against the folder of the config file, not the working directory.
The models themselves are in mlci/config.py.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from mlci.config import Config, ModelConfig, candidate_is_local
from mlci.errors import ConfigError, quoted
from mlci.model.catalogue import CATALOGUE, unknown_metric_message
from mlci.results import digest_text


class ConfigWarning(UserWarning):
    """An unknown key in mlci.yaml."""


class LoadedConfig(BaseModel):
    """A validated config with its paths made absolute, and where it came from."""

    model_config = ConfigDict(frozen=True)

    path: Path
    digest: str
    config: Config

    @property
    def root(self) -> Path:
        return self.path.parent

    def require_model(self) -> ModelConfig:
        if self.config.model is None:
            raise ConfigError(
                f"{self.path.name}: model: missing section (name, task, candidate, eval_data)"
            )
        return self.config.model

    def require_data(self, key: str) -> Path:
        value = getattr(self.config.data, "schema_" if key == "schema" else key)
        if value is None:
            raise ConfigError(f"{self.path.name}: data.{key}: required by this command but not set")
        return Path(value)

    @property
    def tracking_uri(self) -> str:
        """MLFLOW_TRACKING_URI wins over the file, as MLflow users expect."""
        uri = os.environ.get("MLFLOW_TRACKING_URI") or self.config.registry.tracking_uri
        return resolve_sqlite_uri(uri, self.root)


def resolve_sqlite_uri(uri: str, root: Path) -> str:
    """Make a relative sqlite path absolute against root (SQLAlchemy would use the cwd)."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        return prefix + str((root / uri[len(prefix) :]).resolve())
    return uri


def load_config(path: Path) -> LoadedConfig:
    """Read, validate and resolve mlci.yaml; raise ConfigError naming the file and key."""
    raw_text = _read(path)
    try:
        raw = yaml.load(raw_text, Loader=_StrictLoader)  # a SafeLoader subclass: safe
    except _Refused as exc:
        raise ConfigError(f"{path}: line {exc.line}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}:{where}: cannot parse YAML: {problem}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc, raw)) from None
    for key, hint in _unknown_keys(config):
        warnings.warn(
            f"{path.name}: {key}: unknown key, ignored{hint}", ConfigWarning, stacklevel=2
        )
    _check_metric_names(config, path)
    resolved = _resolve_paths(config, path.parent.resolve())
    digest = digest_text(raw_text)
    return LoadedConfig(path=path.resolve(), digest=digest, config=resolved)


class _Refused(yaml.YAMLError):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class _StrictLoader(yaml.SafeLoader):
    """safe_load without what makes a config ambiguous or explosive: a duplicate key (YAML keeps
    the last silently) and anchors/aliases (a few lines of aliases expand to gigabytes)."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            key = f"{index.value}: " if isinstance(index, yaml.ScalarNode) else ""
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise _Refused(
                event.start_mark.line + 1,
                f"{key}YAML anchors and aliases are not allowed in mlci.yaml "
                f"({sign}{quoted(anchor)[1:-1]}); write the value out",
            )
        node: yaml.Node | None = super().compose_node(parent, index)  # type: ignore[arg-type]  # stubs say int; mappings pass the key node
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in seen:
                raise _Refused(
                    key_node.start_mark.line + 1,
                    f"{quoted(key)[1:-1]}: duplicate key (first on line {seen[key]}); "
                    "YAML would keep the last one silently",
                )
            if key is not None:
                seen[key] = key_node.start_mark.line + 1
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _check_metric_names(config: Config, path: Path) -> None:
    """A metric mlci does not know is a config error before any work starts."""
    if config.model is None:
        return
    for name in config.model.metrics:
        if name not in CATALOGUE[config.model.task]:
            raise ConfigError(unknown_metric_message(path.name, config.model.task, name))


# A config is a few KB. PyYAML's pure-Python loader (needed for the alias and duplicate-key
# refusals) takes about half a second per MB, so a wrong or generated file is refused unread.
MAX_CONFIG_BYTES = 1 << 20


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{path}: {size:,} bytes; a config file over 1 MiB is refused (is this the right file?)"
            )
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (create one, or pass --config)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None


def _describe(path: Path, exc: ValidationError, raw: Mapping[str, Any]) -> str:
    """The first error, as 'file: dotted.key: what was wrong'."""
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "missing" and (typo := _typo_of(raw, err["loc"])):
        return f"{path.name}: {key}: required key is missing; `{typo}`: did you mean `{err['loc'][-1]}`?"
    value = err.get("input")
    got = (
        f", got {quoted(value)}" if err["type"] != "missing" and not isinstance(value, dict) else ""
    )
    message = _MESSAGES.get(err["type"], err["msg"])
    if err["type"] == "greater_than_equal" and "ge" in err.get("ctx", {}):
        bound = err["ctx"]["ge"]
        message = "must be zero or more" if bound == 0 else f"must be at least {bound}"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{path.name}: {key}: {message}{got}{more}"


_MESSAGES = {
    "missing": "required key is missing",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "string_type": "expected a string",
    "enum": "expected one of binary, multiclass, regression",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "path_type": "expected a file path",
    "greater_than_equal": "must be zero or more",
}


def _typo_of(raw: Mapping[str, Any], loc: tuple[int | str, ...]) -> str | None:
    """The key beside a missing one that looks like it was meant to be it (`candiate`)."""
    section: Any = raw
    for part in loc[:-1]:
        section = section.get(part) if isinstance(section, Mapping) else None
    if not isinstance(section, Mapping):
        return None
    import difflib  # here: its import is 20-40 ms of every run's start-up, for a rare message

    found = difflib.get_close_matches(str(loc[-1]), [str(k) for k in section], n=1, cutoff=0.75)
    return found[0] if found else None


def _hint(key: str, model: BaseModel) -> str:
    import difflib

    known = [info.alias or name for name, info in type(model).model_fields.items()]
    found = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return f" (did you mean `{found[0]}`?)" if found else ""


# Keys a user reaches for that mlci reads from elsewhere: the warning says where.
_ELSEWHERE = {
    "monitor.dask": " (the monitor runs on the cluster `validate.dask` names: set it there)",
}


def _unknown_keys(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, str]]:
    for key in model.model_extra or {}:
        yield f"{prefix}{key}", _ELSEWHERE.get(f"{prefix}{key}") or _hint(key, model)
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        alias = info.alias or name
        if isinstance(value, BaseModel):
            yield from _unknown_keys(value, f"{prefix}{alias}.")
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, BaseModel):
                    yield from _unknown_keys(v, f"{prefix}{alias}.{k}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _unknown_keys(item, f"{prefix}{alias}[{i}].")


def _resolve_paths(config: Config, root: Path) -> Config:
    def absolute(p: Path | None) -> Path | None:
        return None if p is None else _resolved(root / p)

    data = config.data.model_copy(
        update={
            "path": url if isinstance(url := config.data.path, str) else absolute(url),
            # a DVC reference's path stays relative: DVC reads it inside the repository
            "reference": absolute(ref) if isinstance(ref := config.data.reference, Path) else ref,
            "schema_": absolute(config.data.schema_),
        }
    )
    model = config.model
    if model is not None:
        update: dict[str, Any] = {"eval_data": absolute(model.eval_data)}
        if candidate_is_local(model.candidate):
            update["candidate"] = str(_resolved(root / model.candidate))
        model = model.model_copy(update=update)
    version = config.version.model_copy(update={"paths": [root / p for p in config.version.paths]})
    return config.model_copy(update={"data": data, "model": model, "version": version})


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except RuntimeError:  # Python < 3.13 raises it for a symlink loop (3.13: OSError, ELOOP)
        raise ConfigError(f"{path}: a symlink loop") from None
