"""The metrics mlci knows: each catalogue entry (name, direction) paired with its kernels."""

from __future__ import annotations

from dataclasses import dataclass

from mlci.model.catalogue import CATALOGUE, MetricInfo, Task
from mlci.model.kernels import KERNELS, FinishFn, RankedFn, StatsFn


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    needs_proba: bool = False
    stats: StatsFn | None = None
    finish: FinishFn | None = None
    ranked: RankedFn | None = None
    merges_runs: bool = False


def _metric(info: MetricInfo) -> Metric:
    kernel = KERNELS[info.name]
    return Metric(
        name=info.name,
        higher_is_better=info.higher_is_better,
        needs_proba=info.needs_proba,
        stats=kernel.stats,
        finish=kernel.finish,
        ranked=kernel.ranked,
        merges_runs=kernel.merges_runs,
    )


METRICS: dict[Task, dict[str, Metric]] = {
    task: {name: _metric(info) for name, info in infos.items()} for task, infos in CATALOGUE.items()
}


def metric_for(task: Task, name: str) -> Metric | None:
    return METRICS[task].get(name)
