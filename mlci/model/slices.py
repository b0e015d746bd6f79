"""Slices: every metric per value of a slice column, under the same rules, worst first.

Each slice value with at least `min_size` rows gets its own paired comparison (its own bootstrap
stream, keyed by `column=value`, so adding a slice moves no other); smaller ones are named in a
note, not judged. A candidate better overall but worse on one slice fails on that slice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlci.config import MetricRule, ModelConfig
from mlci.model.bootstrap import compare
from mlci.model.kernels import Outputs, Target
from mlci.model.metrics import Metric
from mlci.model.rules import Scored, judge, scored
from mlci.results import CheckResult

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

WORST_SLICES = 3


def slice_checks(
    cfg: ModelConfig,
    rules: Sequence[tuple[Metric, MetricRule]],
    columns: Mapping[str, npt.NDArray[Any]],
    target: Target,
    outputs: Sequence[Outputs],
) -> tuple[CheckResult, ...]:
    """The metric_slice checks of every configured slice, failures and the worst deltas first."""
    found: list[Scored] = []
    for s in cfg.slices:
        for value, rows in slice_rows(columns[s.column], s.min_size):
            paired = compare(
                [m for m, _ in rules],
                target.take(rows),
                outputs[0].take(rows),
                None if len(outputs) < 2 else outputs[1].take(rows),
                cfg=cfg.bootstrap,
                key=f"{s.column}={value}",
            )
            found.extend(
                scored(rules, paired, cfg.bootstrap.confidence, s.column, value, strict=False)
            )
    checks = [(judge(s), s) for s in found]
    checks.sort(key=lambda cs: (-cs[0].status.severity, -_badness(cs[1])))
    return tuple(c for c, _ in checks)


def slice_rows(
    values: npt.NDArray[Any], min_size: int
) -> list[tuple[object, npt.NDArray[np.intp]]]:
    """(value, sorted row indexes) of each value with at least `min_size` rows; NaN is "null"."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    counts = np.bincount(codes, minlength=len(uniques))
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(counts)]
    out = []
    for i, value in enumerate(uniques):
        if counts[i] >= min_size:
            plain = value.item() if hasattr(value, "item") else value
            out.append(
                ("null" if pd.isna(plain) else plain, np.sort(order[bounds[i] : bounds[i + 1]]))
            )
    return out


def _badness(s: Scored) -> float:
    """How much worse than the champion, in units of the margin where there is one."""
    if s.delta is None:
        return 0.0
    worse = s.worse(s.delta)
    margin = s.margin
    return worse / margin if margin else worse


def slice_notes(
    cfg: ModelConfig, columns: Mapping[str, npt.NDArray[Any]], checks: Sequence[CheckResult]
) -> list[str]:
    """The slice values too small to judge, and the worst judged slices."""
    import pandas as pd

    notes = []
    for s in cfg.slices:
        counts = pd.Series(columns[s.column]).value_counts(dropna=False)
        small = counts[counts < s.min_size]
        if len(small):
            shown = ", ".join(str(v) for v in small.index[:5]) + (", …" if len(small) > 5 else "")
            notes.append(
                f"slices of {s.column} under min_size {s.min_size} rows not judged: {shown}"
            )
    worst = [c for c in checks if c.id == "metric_slice" and c.details.get("delta") is not None][
        :WORST_SLICES
    ]
    if worst:
        shown = "; ".join(
            f"{c.details['slice']} {c.title} Δ {c.details['delta']:+.4f} ({c.status.value})"
            for c in worst
        )
        notes.append(f"worst slices: {shown}")
    return notes
