"""mlci.yaml's schema: the pydantic models, which `mlci config schema` publishes.

Reading the file (YAML, dotted-key errors, unknown-key warnings, LoadedConfig) is
mlci/config_load.py; `from mlci.config import X` stays the way to reach a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

# re-exported: a field type of the models, which their readers use with them
from mlci.model.catalogue import Task as Task  # noqa: PLC0414

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
DEFAULT_CONFIG = "mlci.yaml"
# How long a promote, rollback or canary move waits for another one's lock by default
# (`registry.lock_wait_seconds`); mlci/locking.py and the moves use it as their default too.
LOCK_WAIT_SECONDS = 120.0


class _Section(BaseModel):
    # extra="allow" keeps unknown keys so they can be reported by their dotted path.
    model_config = ConfigDict(extra="allow", frozen=True, strict=False)


Decision = Literal["point", "ci", "strict"]


class MetricRule(_Section):
    """Floors apply to the candidate; change rules (max_drop*) to candidate - champion."""

    min: float | None = None
    max: float | None = None
    max_drop: float | None = Field(default=None, ge=0)
    max_drop_relative: float | None = Field(default=None, ge=0)
    # point: the estimate alone; ci: fail only when worse with confidence, warn when inconclusive;
    # strict: pass only when the whole interval is inside the margin.
    decision: Decision = "ci"


class BootstrapConfig(_Section):
    resamples: int = Field(default=1000, ge=0)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    seed: int = 0
    # Above this many rows, an m-out-of-n bootstrap (m = max_rows) rescaled by sqrt(m/n).
    max_rows: int = Field(default=10_000, ge=100)


class SliceConfig(_Section):
    column: str = Field(min_length=1)
    min_size: int = Field(default=30, ge=1)


class LatencyConfig(_Section):
    max_increase_relative: float | None = Field(default=None, ge=0)
    max_p95_ms: float | None = Field(default=None, gt=0)
    min_samples: int = Field(default=20, ge=1)


class SizeConfig(_Section):
    max_mb: float | None = Field(default=None, gt=0)


class DvcReference(_Section):
    """`data.reference: {dvc_rev: main}`: the same data path (or `path`) at a git revision, read
    through DVC without checking it out."""

    dvc_rev: str = Field(min_length=1)
    path: Path | None = None


class DataConfig(_Section):
    # a file, folder or glob on disk, or an fsspec URL (s3://bucket/logs/), kept as text
    path: Path | str | None = None
    # a data file (.csv/.parquet), a profile JSON (`mlci profile`), {dvc_rev: REV}, or
    # `champion`: the reference profile stored with the champion by `mlci promote`
    reference: Literal["champion"] | Path | DvcReference | None = Field(
        default=None, union_mode="left_to_right"
    )
    schema_: Path | None = Field(default=None, alias="schema")
    label: str | None = None

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, value: Any) -> Any:
        # a URL stays text (Path would fold s3://bucket into s3:/bucket); anything else is a Path
        if isinstance(value, str) and "://" not in value:
            return Path(value)
        if value is None or isinstance(value, (str, Path)):
            return value
        raise PydanticCustomError("path_type", "expected a file path or a URL")

    @field_validator("reference", mode="before")
    @classmethod
    def _reference(cls, value: Any) -> Any:
        # One clear message instead of pydantic's per-member union errors.
        if isinstance(value, Mapping):
            try:
                return DvcReference.model_validate(value)
            except ValidationError as exc:
                err = exc.errors()[0]
                key = ".".join(str(p) for p in err["loc"])
                raise ValueError(
                    f"{key}: {err['msg']} (expected {{dvc_rev: REV, path: optional}})"
                ) from None
        if value is not None and not isinstance(value, (str, Path)):
            raise ValueError("expected a data file, a profile JSON, champion, or {dvc_rev: REV}")
        return value


class Levels(_Section):
    """A warn level and a fail level of one statistic; above warn warns, above fail fails."""

    warn: float = Field(ge=0)
    fail: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Levels:
        if self.warn > self.fail:
            raise ValueError(f"warn ({self.warn:g}) must not be above fail ({self.fail:g})")
        return self


DriftMethod = Literal["psi", "jsd", "wasserstein"]


class DriftColumn(_Section):
    """Per-column override under validate.drift.columns."""

    method: DriftMethod | None = None
    warn: float | None = Field(default=None, ge=0)
    fail: float | None = Field(default=None, ge=0)
    skip: bool = False


class DriftConfig(_Section):
    enabled: bool = True
    numeric: DriftMethod = "psi"
    categorical: DriftMethod = "jsd"
    psi: Levels = Field(default_factory=lambda: Levels(warn=0.1, fail=0.25))
    jsd: Levels = Field(default_factory=lambda: Levels(warn=0.1, fail=0.2))
    wasserstein: Levels = Field(default_factory=lambda: Levels(warn=0.1, fail=0.2))
    # Family-wise chance that same-distribution data warns anywhere: the noise floor.
    alpha: float = Field(default=0.05, gt=0, lt=1)
    share: Levels = Field(default_factory=lambda: Levels(warn=0.3, fail=0.5))
    columns: dict[str, DriftColumn] = Field(default_factory=dict)


DeepchecksSuite = Literal["data_integrity", "train_test_validation"]


class DeepchecksConfig(_Section):
    suites: list[DeepchecksSuite] = Field(min_length=1)
    # checks to leave out, by id without the prefix (e.g. date_train_test_leakage_overlap):
    # a check that cannot run on this data is an error otherwise, never a silent pass
    exclude: list[str] = Field(default_factory=list)
    timeout: float = Field(default=1800, gt=0)


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}


class FreshnessConfig(_Section):
    """validate.freshness: how old the newest timestamp may be."""

    # seconds; written as a number of seconds or "90m", "36h", "30d", "2w"
    max_age: float | None = Field(default=None, gt=0)

    @field_validator("max_age", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        unit = _DURATION_UNITS.get(text[-1:]) if text else None
        try:
            return float(text[:-1]) * unit if unit else float(text)
        except ValueError:
            raise ValueError(
                f"expected a duration such as 36h or 30d, got {value[:40]!r}"
            ) from None


class JointDriftConfig(_Section):
    """validate.joint_drift: a classifier told to separate reference rows from current rows."""

    enabled: bool = True
    auroc: Levels = Field(default_factory=lambda: Levels(warn=0.6, fail=0.7))
    # Fewer rows than this on either side: too small to judge, the check is skipped.
    min_rows: int = Field(default=200, ge=20)


class DaskConfig(_Section):
    """validate.dask: where the dask engine runs (mlci/data/engine_dask.py)."""

    # a scheduler address (tcp://host:8786); None: a LocalCluster started for the run
    scheduler: str | None = Field(default=None, min_length=1)
    workers: int | None = Field(default=None, ge=1)  # LocalCluster processes; None: one per core
    split_every: int = Field(default=8, ge=2)  # partial profiles per merge in the merge tree
    # rows of a partition at most (runs of whole row groups: mlci/data/engine_dask.py)
    partition_rows: int = Field(default=4_000_000, ge=1)
    connect_timeout: float = Field(default=10.0, gt=0)  # seconds to reach the scheduler


class ValidateConfig(_Section):
    # None: about 32 MiB of values per batch (mlci/data/reader.py)
    batch_rows: int | None = Field(default=None, ge=1_024)
    engine: Literal["local", "dask"] = "local"
    dask: DaskConfig = Field(default_factory=DaskConfig)
    duplicates: Levels = Field(default_factory=lambda: Levels(warn=0.0, fail=0.05))
    drift: DriftConfig = Field(default_factory=DriftConfig)
    freshness: FreshnessConfig = Field(default_factory=FreshnessConfig)
    joint_drift: JointDriftConfig = Field(default_factory=JointDriftConfig)
    deepchecks: DeepchecksConfig | None = None


class ModelConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[^\s/:@]+$")
    task: Task
    candidate: str = Field(min_length=1)
    eval_data: Path
    metrics: dict[str, MetricRule] = Field(default_factory=dict)
    bootstrap: BootstrapConfig = Field(default_factory=BootstrapConfig)
    slices: list[SliceConfig] = Field(default_factory=list)
    latency: LatencyConfig = Field(default_factory=LatencyConfig)
    size: SizeConfig = Field(default_factory=SizeConfig)
    batch_size: int = Field(default=50_000, ge=1)
    allow_new_classes: bool = False
    log_evaluation: bool = True
    # BLAS threads while the models predict and mlci scores (docs/regression.md); None: the
    # libraries' own default (one per core).
    blas_threads: int | None = Field(default=None, ge=1)

    @field_validator("metrics", mode="before")
    @classmethod
    def _empty_rules(cls, value: Any) -> Any:
        # `accuracy:` with nothing after it means "report it, no rule".
        if isinstance(value, Mapping):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value


class RegistryConfig(_Section):
    tracking_uri: str = DEFAULT_TRACKING_URI
    champion_alias: str = Field(default="champion", pattern=r"^[A-Za-z0-9_-]+$")
    # How long promote/rollback wait for another promotion of the same model to finish.
    lock_wait_seconds: float = Field(default=LOCK_WAIT_SECONDS, ge=0)
    # A regress step that finds no version of the model (or a new local sqlite file) is a first
    # model. Unset: refused in CI (an unset MLFLOW_TRACKING_URI secret looks exactly like this),
    # allowed locally; refuse: refused everywhere; allow: expected (the team's first model).
    first_model: Literal["allow", "refuse"] | None = None
    # `mlci promote --canary` moves this alias; serving splits traffic between it and @champion.
    challenger_alias: str = Field(default="challenger", pattern=r"^[A-Za-z0-9_-]+$")


class VersionConfig(_Section):
    """`mlci version`: which DVC remote, and artifacts to track beyond those mlci.yaml names."""

    remote: str | None = None
    paths: list[Path] = Field(default_factory=list)


class MonitorLatency(_Section):
    column: str | None = None  # milliseconds per request
    max_p50_ms: float | None = Field(default=None, gt=0)
    max_p95_ms: float | None = Field(default=None, gt=0)
    # p95 against the median p95 of the recorded monitor runs (no history yet: not judged)
    max_increase_relative: float | None = Field(default=1.0, ge=0)


class MonitorErrors(_Section):
    column: str | None = None  # a flag (true/1) or an error message (non-empty = error)
    max_rate: float = Field(default=0.01, ge=0, le=1)


class MonitorVolume(_Section):
    """Rows in the window against the median of the recorded monitor runs."""

    min_ratio: float = Field(default=0.5, ge=0)
    max_ratio: float = Field(default=3.0, gt=0)
    history: int = Field(default=14, ge=1)


MonitorCheck = Literal[
    "feature_drift",
    "prediction_drift",
    "latency_p50",
    "latency_p95",
    "error_rate",
    "volume",
    "performance",
]

ROLLBACK_WORTHY: tuple[MonitorCheck, ...] = (
    "prediction_drift",
    "error_rate",
    "latency_p95",
    "performance",
)


class MonitorConfig(_Section):
    """`mlci monitor`: production inference logs against the champion's stored baseline."""

    data: str = Field(min_length=1)  # a file, a directory or a glob of Parquet/CSV
    timestamp: str | None = None
    window: str | None = Field(default=None, pattern=r"^\d+[smhdw]$")
    features: list[str] | None = None  # default: the baseline's evaluation features
    prediction: str = "prediction"
    label: str | None = None
    # the probability the model gave the positive class (binary): scores roc_auc, log_loss, brier
    score: str | None = None
    model_version: str | None = None  # keep only rows the current champion answered
    min_labels: int = Field(default=30, ge=1)
    # rows kept for the latency percentiles and the metrics: above it, a uniform random sample
    # (seeded; counts, drift and error rates still read every row). 200,000: a proportion's
    # standard error is then at most 0.0011 and p95's rank error 0.05 points, below any sane
    # max_drop and the champion's own evaluation noise; keeping 1M cost a sixth of a 10M run.
    sample_rows: int = Field(default=200_000, ge=1_000)
    drift: DriftConfig = Field(default_factory=DriftConfig)
    latency: MonitorLatency = Field(default_factory=MonitorLatency)
    errors: MonitorErrors = Field(default_factory=MonitorErrors)
    volume: MonitorVolume = Field(default_factory=MonitorVolume)
    on_breach: Literal["alert", "rollback"] = "alert"
    rollback_on: list[MonitorCheck] = Field(default_factory=lambda: list(ROLLBACK_WORTHY))
    log_runs: bool = True
    # where the log files are read: one task per file on the cluster `validate.dask` names
    engine: Literal["local", "dask"] = "local"


class CanaryConfig(_Section):
    """`mlci canary`: when the challenger's arm of the logs is enough, healthy, or failed."""

    min_rows: int = Field(default=100, ge=1)  # per arm, before a run counts either way
    consecutive: int = Field(default=3, ge=1)  # healthy runs in a row that graduate it
    failure_limit: int = Field(default=1, ge=1)  # failed runs that abort it
    max_error_rate_increase: float = Field(default=0.01, ge=0)  # challenger - champion, absolute
    max_latency_increase: float = Field(default=0.2, ge=0)  # p95, relative to the champion's


class Config(_Section):
    data: DataConfig = Field(default_factory=DataConfig)
    validate_: ValidateConfig = Field(default_factory=ValidateConfig, alias="validate")
    model: ModelConfig | None = None
    registry: RegistryConfig = Field(default_factory=RegistryConfig)
    version: VersionConfig = Field(default_factory=VersionConfig)
    monitor: MonitorConfig | None = None
    canary: CanaryConfig = Field(default_factory=CanaryConfig)


def candidate_is_local(uri: str) -> bool:
    """A path on disk, as opposed to a runs:/, models:/ or other scheme URI."""
    return "://" not in uri and not uri.startswith(("models:/", "runs:/"))
