"""The gate: the steps in order, each returning a result, then one GateReport.

Read it top to bottom: validate, then regress. Each step command runs a subset of the same
functions, so `mlci validate` and `mlci gate` can never disagree about a check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.config_load import LoadedConfig
from mlci.provenance import provenance
from mlci.results import GateReport, ModelRef, Provenance, StepResult

if TYPE_CHECKING:
    from mlci.ports import ModelRegistry

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
    registry: ModelRegistry | None = None  # None: the config's (mlci.wiring.registry_for)
    say: Progress | None = None  # lines worth a CI log too (a long read's line every 15 s)


def validate_step(run: Run) -> StepOutput:
    from mlci.data.step import run_validate

    # its progress is a long read's line every 15 s: worth a CI log, so it goes where DONE goes
    out = run_validate(
        loaded=run.loaded, report_dir=run.report_dir, progress=run.say or run.progress
    )
    return StepOutput(step=out.step, data=out.data_digests)


def regress_step(run: Run) -> StepOutput:
    from mlci.model.regress import run_regress
    from mlci.registry_guard import check_before_connecting, check_has_versions
    from mlci.wiring import registry_for

    check_before_connecting(run.loaded)
    registry = run.registry if run.registry is not None else registry_for(run.loaded)
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
    registry: ModelRegistry | None = None,
) -> GateReport:
    """PROGRESS: what is running now; DONE (default: PROGRESS): each step's outcome.
    REGISTRY: the one the steps use (default: the config's, built when a step needs it)."""
    from mlci.inputs import fetch_inputs

    # a fresh checkout has the .dvc pointers only; said in CI logs too, as each step's outcome is
    fetch_inputs(loaded=loaded, say=done or progress)
    outputs = []
    for name in names:
        progress(f"{name}: running")
        output = STEPS[name](Run(loaded, report_dir, progress, registry, say=done))
        (done or progress)(
            f"{name}: {output.step.status.value} ({len(output.step.checks)} checks, {output.step.seconds:.1f}s)"
        )
        outputs.append(output)
    return GateReport(steps=tuple(o.step for o in outputs), provenance=_provenance(loaded, outputs))


def _provenance(loaded: LoadedConfig, outputs: list[StepOutput]) -> Provenance:
    data: dict[str, str] = {}
    for output in outputs:
        data.update(output.data)
    return provenance(
        loaded,
        candidate=next((o.candidate for o in outputs if o.candidate), None),
        champion=next((o.champion for o in outputs if o.champion), None),
        data=data,
    )
