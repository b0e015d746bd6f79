"""The canary's labelled comparison: each configured metric on the challenger's labelled rows
minus the same metric on the champion's, with an interval, judged by regress's rules
(mlci.model.rules.judge: floors on the challenger, `max_drop`/`max_drop_relative` on the
difference, `decision` ci/strict/point as configured).

The interval is an unpaired bootstrap. The arms answered different requests, so no row was
scored by both models and regress's paired bootstrap (mlci.model.bootstrap.compare, both models
on one resample of shared rows) does not apply. Each arm is resampled on its own (a seeded
multinomial draw of its row counts, as regress draws them) and the percentile interval is taken of
challenger-resample minus champion-resample. It is wider than a paired interval on the same number
of rows: the two arms' sampling noise adds instead of cancelling on the rows they agree on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mlci.baseline import Baseline
from mlci.config import BootstrapConfig, MetricRule, ModelConfig, MonitorConfig
from mlci.model.bootstrap import Interval, multinomial_counts, seed_for
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import Metric
from mlci.model.scorer import Scorer
from mlci.monitor.logs import Window
from mlci.results import CheckResult, Status

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_CHUNK_CELLS = 4_000_000  # weights held at once per arm, as in mlci.model.bootstrap
CHECK_ID = "canary_metric"


def compare_labels(
    champ: Window,
    chall: Window,
    *,
    baseline: Baseline,
    model: ModelConfig,
    cfg: MonitorConfig,
) -> list[CheckResult]:
    """One check per configured metric the logs can score (labels, not probabilities)."""
    if cfg.label is None:
        return []
    few = [f"{arm} {w.labelled_rows:,}" for arm, w in (("champion", champ), ("challenger", chall))
           if w.labelled_rows < cfg.min_labels]  # fmt: skip
    if few:
        return [_skip(f"too few labelled rows for min_labels {cfg.min_labels}: {', '.join(few)}")]
    from mlci.model.rules import Scored, judge

    rules = _rules(model)
    if not rules:
        return []
    metrics = [m for m, _ in rules]
    arms = _encoded(champ, chall, baseline, model)
    points = [Scorer(metrics, target, outputs)() for target, outputs in arms]
    intervals = unpaired_intervals(metrics, arms, model.bootstrap)
    out = []
    for metric, rule in rules:
        scored = Scored(
            metric, rule, float(points[1][metric.name][0]), float(points[0][metric.name][0]),
            intervals[metric.name], len(chall.labels), model.bootstrap.confidence,
        )  # fmt: skip
        check = judge(scored)
        out.append(
            replace(
                check,
                id=CHECK_ID,
                title=f"{metric.name}, challenger vs champion",
                message=f"challenger arm vs champion arm (unpaired bootstrap; champion "
                f"{champ.labelled_rows:,} labelled rows): {check.message}",
            )
        )
    return out


def _skip(why: str) -> CheckResult:
    return CheckResult(id=CHECK_ID, title="Labelled metrics, challenger vs champion",
                       status=Status.SKIP, message=why)  # fmt: skip


def _rules(model: ModelConfig) -> list[tuple[Metric, MetricRule]]:
    from mlci.model.catalogue import DEFAULT_METRICS
    from mlci.model.metrics import metric_for

    rules = dict(model.metrics) or {n: MetricRule() for n in DEFAULT_METRICS[model.task]}
    found = [(metric_for(model.task, n), r) for n, r in rules.items()]
    # Logs hold predicted labels or values, not probabilities: ranking metrics cannot be scored.
    return [(m, r) for m, r in found if m is not None and not m.needs_proba]


def _encoded(
    champ: Window, chall: Window, baseline: Baseline, model: ModelConfig
) -> list[tuple[Target, Outputs]]:
    """Both arms against one label space, so a class seen in one arm only codes the same."""
    import numpy as np

    from mlci.config import Task

    windows = (champ, chall)
    if model.task is Task.REGRESSION:
        return [
            (Target(task=model.task, y=np.asarray(w.labels, dtype=np.float64)),
             Outputs(pred=np.asarray(w.labelled_predictions, dtype=np.float64)))
            for w in windows
        ]  # fmt: skip
    seen: set[Any] = set(baseline.classes)
    for w in windows:
        seen |= set(w.labels.tolist()) | set(w.labelled_predictions.tolist())
    classes = sorted(seen)
    codes = {v: i for i, v in enumerate(classes)}

    def encode(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return np.asarray([codes[v] for v in values.tolist()])

    return [
        (Target(task=model.task, y=encode(w.labels), classes=tuple(classes)),
         Outputs(pred=encode(w.labelled_predictions)))
        for w in windows
    ]  # fmt: skip


def unpaired_intervals(
    metrics: Sequence[Metric],
    arms: Sequence[tuple[Target, Outputs]],
    cfg: BootstrapConfig,
) -> dict[str, Interval | None]:
    """Percentile interval of challenger - champion, each arm resampled independently."""
    import numpy as np

    names = [m.name for m in metrics]
    if cfg.resamples == 0 or any(len(t.y) < 2 for t, _ in arms):
        return dict.fromkeys(names)
    rng = np.random.default_rng(seed_for(cfg.seed, "canary"))
    champ, chall = (_resampled(Scorer(metrics, t, o), cfg.resamples, rng) for t, o in arms)
    alpha = (1 - cfg.confidence) / 2
    return {name: _percentile(chall[name] - champ[name], alpha) for name in names}


def _resampled(
    scorer: Scorer, resamples: int, rng: np.random.Generator
) -> dict[str, npt.NDArray[np.float64]]:
    import numpy as np

    per_chunk = max(1, min(resamples, _CHUNK_CELLS // scorer.n))
    parts: dict[str, list[npt.NDArray[np.float64]]] = {}
    done = 0
    while done < resamples:
        b = min(per_chunk, resamples - done)
        for name, values in scorer(multinomial_counts(rng, b, scorer.n)).items():
            parts.setdefault(name, []).append(values)
        done += b
    return {name: np.concatenate(p) for name, p in parts.items()}


def _percentile(diffs: npt.NDArray[np.float64], alpha: float) -> Interval | None:
    import numpy as np

    finite = diffs[np.isfinite(diffs)]
    # As regress: a metric undefined in many resamples has no trustworthy interval.
    if len(finite) == 0 or len(finite) < 0.95 * len(diffs):
        return None
    low, high = np.quantile(finite, [alpha, 1 - alpha])
    return Interval(low=float(low), high=float(high))
