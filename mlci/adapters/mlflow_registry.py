"""The MLflow model registry, behind the narrow surface the core needs.

Aliases, never the deprecated stages. mlflow is imported inside methods so the CLI starts fast.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.config import candidate_is_local
from mlci.errors import InputError, ServiceError, first_line

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.pyfunc import PyFuncModel

DIGEST_TAG = "mlci.artifact_digest"
EXPERIMENT = "mlci"
# Bounded retries: MLflow's defaults keep a dead server waiting for minutes before exit 3.
_HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    # mlci owns stdout: no "View run at" lines in the middle of its output.
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
}
_UNKNOWN_SCHEME = "Could not find a registered artifact repository"
_INPUT_CODES = {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND"}
# what creating a registered model answers when another process holds (or just dropped) the name
_LOST_RACE = {"RESOURCE_ALREADY_EXISTS", "RESOURCE_DOES_NOT_EXIST"}


@dataclass(frozen=True)
class VersionInfo:
    name: str
    version: str
    source: str
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


@dataclass(frozen=True)
class LocalModel:
    """A model's files on this machine, their digest, and the registry version if it has one."""

    uri: str
    path: Path
    digest: str
    version: str | None = None


@contextmanager
def registry_errors(what: str) -> Iterator[None]:
    """Map MLflow's exceptions to mlci's: missing things are input errors, the rest the service's."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        first = str(exc.message).strip().splitlines()[0] if str(exc.message).strip() else repr(exc)
        if exc.error_code in _INPUT_CODES:
            raise InputError(f"{what}: {first}") from exc
        if first.startswith(_UNKNOWN_SCHEME):  # a URI mlci.yaml names, not the registry's fault
            raise InputError(
                f"{what}: no MLflow artifact store handles this URI scheme "
                "(expected a local path, runs:/, models:/, s3://, gs://, ...)"
            ) from exc
        raise ServiceError(f"{what}: MLflow registry failed: {first[:300]}") from exc
    except OSError as exc:
        raise ServiceError(f"{what}: MLflow registry unreachable: {exc}") from exc


def dir_digest(path: Path) -> str:
    """sha256 over every file's relative path and content: the same files, the same digest."""
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return "sha256:" + h.hexdigest()


def mlflow_defaults() -> None:
    """MLflow's environment defaults for mlci (bounded retries, quiet), unless the user set them."""
    for key, value in _HTTP_DEFAULTS.items():
        os.environ.setdefault(key, value)


def mlflow_client(tracking_uri: str) -> MlflowClient:
    # Explicit URIs only: mlflow.set_tracking_uri() also exports MLFLOW_TRACKING_URI, which
    # would then override the next config mlci loads in the same process.
    import mlflow

    return mlflow.MlflowClient(tracking_uri, tracking_uri)


def experiment_id(client: MlflowClient, name: str, artifact_root: Path | None) -> str:
    """The experiment NAME, created on first use (its artifacts under ARTIFACT_ROOT if given)."""
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    location = artifact_root.as_uri() if artifact_root is not None else None
    return str(client.create_experiment(name, artifact_location=location))


class MlflowConnection:
    """A tracking URI, where its artifacts go, and the MLflow client, made on first use."""

    def __init__(self, tracking_uri: str, artifact_root: Path | None = None) -> None:
        mlflow_defaults()
        self.tracking_uri = tracking_uri
        self.artifact_root = artifact_root
        self._client: MlflowClient | None = None

    @property
    def client(self) -> MlflowClient:
        if self._client is None:
            self._client = mlflow_client(self.tracking_uri)
        return self._client


class Registry(MlflowConnection):
    """One tracking server / registry, one set of credentials (MLflow's own env vars)."""

    def _info(self, mv: Any) -> VersionInfo:
        return VersionInfo(
            name=mv.name, version=str(mv.version), source=mv.source, tags=dict(mv.tags or {})
        )

    def model_exists(self, name: str) -> bool:
        from mlflow.exceptions import MlflowException

        try:
            with registry_errors(f"registered model {name}"):
                self.client.get_registered_model(name)
        except InputError as exc:
            if (
                isinstance(exc.__cause__, MlflowException)
                and exc.__cause__.error_code == "RESOURCE_DOES_NOT_EXIST"
            ):
                return False
            raise
        return True

    def by_alias(self, name: str, alias: str) -> VersionInfo | None:
        """The version holding the alias, or None when the model or the alias does not exist."""
        if not self.model_exists(name):
            return None
        with registry_errors(f"registered model {name}"):
            aliases = self.client.get_registered_model(name).aliases or {}
            if alias not in aliases:
                return None
            return self.version(name, str(aliases[alias]))

    def version(self, name: str, version: str) -> VersionInfo:
        with registry_errors(f"models:/{name}/{version}"):
            return self._info(self.client.get_model_version(name, version))

    def versions(self, name: str) -> tuple[VersionInfo, ...]:
        with registry_errors(f"registered model {name}"):
            found = self.client.search_model_versions(f"name = '{name}'")
        return tuple(sorted((self._info(v) for v in found), key=lambda v: int(v.version)))

    def find_by_digest(self, name: str, digest: str) -> VersionInfo | None:
        if not self.model_exists(name):
            return None
        return next((v for v in self.versions(name) if v.tags.get(DIGEST_TAG) == digest), None)

    def fetch(self, uri: str, into: Path) -> LocalModel:
        """Download a runs:/ or models:/ URI (or take a local directory) and digest its files."""
        local = Path(uri)
        if candidate_is_local(uri):
            if not (local / "MLmodel").is_file():
                raise InputError(f"{uri}: not an MLflow model directory (no MLmodel file)")
            return LocalModel(uri=uri, path=local, digest=dir_digest(local))
        version = None
        source = uri
        if uri.startswith("models:/"):
            version = self._resolve_models_uri(uri)
            uri = version.uri
            # The version's own source, downloaded with explicit URIs: MLflow's models:/ resolver
            # falls back to the global registry URI in places (seen with mlflow 3.17 over HTTP).
            with registry_errors(f"model {uri}"):
                source = self.client.get_model_version_download_uri(version.name, version.version)
        import mlflow

        into.mkdir(parents=True, exist_ok=True)
        with registry_errors(f"model {uri}"):
            path = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=source,
                    dst_path=str(into),
                    tracking_uri=self.tracking_uri,
                    registry_uri=self.tracking_uri,
                )
            )
        if not (path / "MLmodel").is_file():
            raise InputError(f"{uri}: does not hold an MLflow model (no MLmodel file)")
        return LocalModel(
            uri=uri,
            path=path,
            digest=dir_digest(path),
            version=version.version if version else None,
        )

    def _resolve_models_uri(self, uri: str) -> VersionInfo:
        rest = uri[len("models:/") :]
        if "@" in rest:
            name, alias = rest.split("@", 1)
            found = self.by_alias(name, alias)
            if found is None:
                raise InputError(f"{uri}: no version of {name} holds alias @{alias}")
            return found
        name, _, version = rest.partition("/")
        if not version.isdigit():
            raise InputError(f"{uri}: expected models:/NAME/VERSION or models:/NAME@ALIAS")
        return self.version(name, version)

    def register(self, model: LocalModel, name: str) -> VersionInfo:
        """Register the model's files as a new version, tagged with their digest."""
        with registry_errors(f"registered model {name}"):
            run = self.client.create_run(
                experiment_id(self.client, EXPERIMENT, self.artifact_root),
                run_name=f"mlci-register-{name}",
                tags={"mlci.kind": "registration"},
            )
            self.client.log_artifacts(run.info.run_id, str(model.path), artifact_path="model")
            self.client.set_terminated(run.info.run_id)
            if not self.model_exists(name):
                self.client.create_registered_model(name)
            mv = self.client.create_model_version(
                name,
                source=f"{run.info.artifact_uri}/model",
                run_id=run.info.run_id,
                tags={DIGEST_TAG: model.digest},
            )
        return self._info(mv)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        with registry_errors(f"registered model {name}"):
            self.client.set_registered_model_alias(name, alias, version)

    def delete_alias(self, name: str, alias: str) -> None:
        with registry_errors(f"registered model {name}"):
            self.client.delete_registered_model_alias(name, alias)

    def tag_version(self, name: str, version: str, tags: Mapping[str, str]) -> None:
        with registry_errors(f"models:/{name}/{version}"):
            for key, value in tags.items():
                self.client.set_model_version_tag(name, version, key, value)

    def model_tags(self, name: str) -> dict[str, str]:
        with registry_errors(f"registered model {name}"):
            return dict(self.client.get_registered_model(name).tags or {})

    def tag_model(self, name: str, key: str, value: str) -> None:
        with registry_errors(f"registered model {name}"):
            self.client.set_registered_model_tag(name, key, value)

    def create_model_if_absent(self, name: str, tags: Mapping[str, str]) -> bool:
        """Create a registered model; False if it exists. Atomic in every MLflow store: the one
        compare-and-set the registry offers, used for mlci's promotion lock.

        RESOURCE_DOES_NOT_EXIST is a lost race too: MLflow's SQL store, its insert refused
        because the name exists, looks that model up to word its error, and when its holder
        deleted it in between, reports it missing (seen as a second racing monitor run's exit 2).
        Either way this call created nothing; the caller tries again."""
        from mlflow.exceptions import MlflowException

        try:
            with registry_errors(f"registered model {name}"):
                self.client.create_registered_model(name, tags=dict(tags))
        except (InputError, ServiceError) as exc:
            cause = exc.__cause__
            if isinstance(cause, MlflowException) and cause.error_code in _LOST_RACE:
                return False
            raise
        return True

    def delete_model(self, name: str) -> None:
        with registry_errors(f"registered model {name}"):
            self.client.delete_registered_model(name)

    def has_alias(self, name: str, alias: str) -> bool:
        with registry_errors(f"registered model {name}"):
            return alias in (self.client.get_registered_model(name).aliases or {})


def load_pyfunc(model: LocalModel, role: str) -> PyFuncModel:
    """Load with mlflow.pyfunc; a model that cannot load is an input error naming it."""
    import mlflow.pyfunc
    from mlflow.exceptions import MlflowException

    try:
        loaded: PyFuncModel = mlflow.pyfunc.load_model(str(model.path))
    except Exception as exc:  # the user's files: a corrupt MLmodel or pickle can raise anything
        kind = "" if isinstance(exc, MlflowException) else f"{type(exc).__name__}: "
        raise InputError(
            f"{role} {model.uri}: cannot load with mlflow.pyfunc: {kind}{first_line(exc)}"
        ) from exc
    return loaded


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="mlci-")
