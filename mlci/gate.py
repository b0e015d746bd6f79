"""The gate: the steps in order, each returning a result, then one GateReport.

Read it top to bottom: validate, then regress. Each step command runs a subset of the same
functions, so `mlci validate` and `mlci gate` can never disagree about a check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mlci import __version__
from mlci.adapters.git import head_sha
from mlci.adapters.mlflow_registry import Registry
from mlci.config_load import LoadedConfig
from mlci.results import GateReport, ModelRef, Provenance, StepResult

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StepOutput:
    step: StepResult
    data: Mapping[str, str] = field(default_factory=dict)
    candidate: ModelRef | None = None
    champion: ModelRef | None = None


@dataclass(frozen=True)
class Run:
    """What every step is given: the config, and the folder the report (and its side files) go to."""

    loaded: LoadedConfig
    report_dir: Path | None = None
    progress: Progress | None = None  # long work inside a step (loading models, predicting)


def validate_step(run: Run) -> StepOutput:
    from mlci.data.step import run_validate

    out = run_validate(loaded=run.loaded, report_dir=run.report_dir, progress=run.progress)
    return StepOutput(step=out.step, data=out.data_digests)


def regress_step(run: Run) -> StepOutput:
    from mlci.model.regress import run_regress
    from mlci.registry_guard import check_before_connecting, check_has_versions

    check_before_connecting(run.loaded)
    registry = registry_for(run.loaded)
    check_has_versions(run.loaded, registry)
    out = run_regress(loaded=run.loaded, registry=registry, progress=run.progress)
    return StepOutput(
        step=out.step,
        data={"eval_data": out.eval_digest},
        candidate=out.candidate,
        champion=out.champion,
    )


Step = Callable[[Run], StepOutput]
STEPS: Mapping[str, Step] = {"validate": validate_step, "regress": regress_step}
GATE: tuple[str, ...] = ("validate", "regress")


def run_steps(
    *,
    loaded: LoadedConfig,
    names: tuple[str, ...],
    progress: Progress,
    report_dir: Path | None = None,
    done: Progress | None = None,
) -> GateReport:
    """PROGRESS: what is running now; DONE (default: PROGRESS): each step's outcome."""
    from mlci.inputs import fetch_inputs

    # a fresh checkout has the .dvc pointers only; said in CI logs too, as each step's outcome is
    fetch_inputs(loaded=loaded, say=done or progress)
    outputs = []
    for name in names:
        progress(f"{name}: running")
        output = STEPS[name](Run(loaded, report_dir, progress))
        (done or progress)(
            f"{name}: {output.step.status.value} ({len(output.step.checks)} checks, {output.step.seconds:.1f}s)"
        )
        outputs.append(output)
    return GateReport(steps=tuple(o.step for o in outputs), provenance=_provenance(loaded, outputs))


def report_of(
    loaded: LoadedConfig, step: StepResult, candidate: ModelRef | None = None
) -> GateReport:
    """A report holding one step run outside the gate (mlci version)."""
    return GateReport(
        steps=(step,), provenance=_provenance(loaded, [StepOutput(step=step, candidate=candidate)])
    )


def _provenance(loaded: LoadedConfig, outputs: list[StepOutput]) -> Provenance:
    data: dict[str, str] = {}
    for output in outputs:
        data.update(output.data)
    return Provenance(
        git_sha=head_sha(loaded.root),
        config_digest=loaded.digest,
        mlci_version=__version__,
        created_at=now_iso(),
        candidate=next((o.candidate for o in outputs if o.candidate), None),
        champion=next((o.champion for o in outputs if o.champion), None),
        data=data,
    )


def registry_for(loaded: LoadedConfig) -> Registry:
    """The registry named by the config; a local sqlite registry keeps its artifacts beside it."""
    uri = loaded.tracking_uri
    root = (
        Path(uri[len("sqlite:///") :]).parent / "mlartifacts"
        if uri.startswith("sqlite:///")
        else None
    )
    return Registry(uri, artifact_root=root)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
