"""Joint drift: the numpy forest on the profiles' row samples, and its AUROC."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa

from mlci.config import JointDriftConfig
from mlci.data.infer import roles_of
from mlci.data.joint import _auroc, _encode, _separability, check_joint_drift
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


def test_the_forest_gives_the_same_numbers_as_before_its_passes_were_reshaped() -> None:
    # Pinned from the forest as it was before its per-level passes were rewritten over 1-D
    # arrays (same draws, same sums in the same order): a rewrite must not move a verdict.
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (1_000, 6))
    x[500:, 4] += 1.0
    x[rng.random(x.shape) < 0.05] = np.nan
    auroc, importance = _separability(x, np.repeat(np.array([0, 1]), 500))
    assert auroc == 0.732148
    assert importance.tolist() == [
        0.07695007101649103,
        0.09299164276481786,
        0.0973003708925338,
        0.08011302639119275,
        0.5754899310314923,
        0.07715495790347238,
    ]


def test_numbers_stay_numbers_text_becomes_ranks_and_missing_is_nan() -> None:
    reference = [(1.0, None, 3), ("b", "a", None), (True, False, 2.5), (1, "1", None)]
    current = [(4, 5.5), (None, "b"), (1, 0), (2, 3)]
    out = _encode(reference, current)
    assert out.shape == (5, 4)
    np.testing.assert_array_equal(out[:, 0], [1.0, np.nan, 3.0, 4.0, 5.5])
    np.testing.assert_array_equal(out[:, 1], [1.0, 0.0, np.nan, np.nan, 1.0])  # a=0, b=1
    np.testing.assert_array_equal(out[:, 2], [1.0, 0.0, 2.5, 1.0, 0.0])
    # one text value makes the whole column text: ranks of "1", "2", "3" as strings
    np.testing.assert_array_equal(out[:, 3], [0.0, 0.0, np.nan, 1.0, 2.0])
