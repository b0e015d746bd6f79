"""Joint drift: the numpy forest on the profiles' row samples, and its AUROC."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa

from mlci.config import JointDriftConfig
from mlci.data.infer import roles_of
from mlci.data.joint import _auroc, _separability, check_joint_drift
from mlci.data.profile import Profile, profile_table
from mlci.results import CheckResult, Status


def table(rows: int, seed: int, sign: float = 1.0, first_id: int = 0) -> Profile:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(0, 1, rows)
    frame = pd.DataFrame(
        {
            "id": np.arange(first_id, first_id + rows),
            "x1": x1,
            "x2": sign * 0.8 * x1 + 0.6 * rng.normal(0, 1, rows),
            "shop": rng.choice(["a", "b", "c"], rows),
        }
    )
    return profile_table(pa.Table.from_pandas(frame, preserve_index=False))


def joint(current: Profile, reference: Profile) -> CheckResult:
    roles = roles_of(current, contract=None, reference=reference, label=None)
    (check,) = check_joint_drift(current, reference, roles, JointDriftConfig(), alpha=0.05)
    return check


def test_a_flipped_correlation_fails_and_names_the_two_columns() -> None:
    check = joint(table(3_000, 1, sign=-1.0), table(3_000, 0))
    assert check.status is Status.FAIL
    assert check.column in {"x1", "x2"}
    top = sorted(check.details["importance"], key=lambda n: -check.details["importance"][n])
    assert set(top[:2]) == {"x1", "x2"}
    assert check.message.startswith("a classifier tells current rows from reference rows: AUROC")


def test_the_same_process_with_new_keys_passes() -> None:
    check = joint(table(3_000, 1, first_id=10**6), table(3_000, 0))
    assert check.status is Status.PASS, check.message
    assert "id" not in check.details["importance"]  # keys always differ: left out
    assert check.message.endswith("(2,048 vs 2,048 sampled rows, 3 columns)")


def test_tables_too_small_to_judge_are_skipped_and_say_so() -> None:
    check = joint(table(150, 1), table(3_000, 0))
    assert (check.status, check.message) == (
        Status.SKIP,
        "not tested (too small to judge: 150 vs 3,000 rows, validate.joint_drift.min_rows is 200)",
    )


def test_a_reference_profile_without_a_row_sample_is_skipped() -> None:
    reference = replace(table(3_000, 0), row_sample=None)
    check = joint(table(3_000, 1), reference)
    assert check.status is Status.SKIP
    assert "no row sample" in check.message


def test_the_auroc_counts_ties_as_half_like_the_pairwise_definition() -> None:
    scores = np.array([0.1, 0.4, 0.4, 0.8, 0.4, 0.9, 0.2])
    y = np.array([0, 0, 1, 1, 0, 1, 1])
    pairs = [(p > n) + 0.5 * (p == n) for p in scores[y == 1] for n in scores[y == 0]]
    assert _auroc(scores, y) == sum(pairs) / len(pairs) == 9 / 12


def test_the_forest_is_seeded_and_leans_on_the_shifted_column() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (1_000, 6))
    x[500:, 4] += 1.0  # current rows: column 4 moved by one standard deviation
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values are routed, not dropped
    y = np.repeat(np.array([0, 1]), 500)
    first, again = _separability(x, y), _separability(x, y)
    assert first[0] == again[0] and first[1].tolist() == again[1].tolist()
    assert 0.65 < first[0] < 0.80  # the best possible AUROC for this shift is 0.76
    assert int(first[1].argmax()) == 4
    assert abs(float(first[1].sum()) - 1.0) < 1e-9
