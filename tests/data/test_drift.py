"""Drift against a reference profile: shifted columns fail, same-distribution data does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlci.config import DriftColumn, DriftConfig
from mlci.data.drift import check_drift, chi2_quantile, fmt_number
from mlci.data.profile import Profile, profile_file
from mlci.results import CheckResult, Status
from tests.data.conftest import make_frame, write


def profiles(ref: pd.DataFrame, new: pd.DataFrame, tmp_path: Path) -> tuple[Profile, Profile]:
    reference = profile_file(write(ref, tmp_path / "ref.csv"))
    return profile_file(write(new, tmp_path / "new.csv"), edges=reference.edges()), reference


def by_column(checks: tuple[CheckResult, ...]) -> dict[str | None, CheckResult]:
    return {c.column: c for c in checks}


def test_same_distribution_demo_data_does_not_alarm(trained: Path) -> None:
    """The demo's data/new.csv (86 rows) against data/train.csv (284 rows): one distribution."""
    reference = profile_file(trained / "data" / "train.csv")
    current = profile_file(trained / "data" / "new.csv", edges=reference.edges())
    checks = check_drift(current, reference, DriftConfig())
    assert [(c.column, c.status) for c in checks if c.status is not Status.PASS] == []
    assert len(checks) == 33  # 32 columns and the share rule
    assert checks[-1].message == "0 of 32 columns drifted (0%)"


def test_a_shifted_column_in_the_demo_data_fails_with_what_moved(
    trained: Path, tmp_path: Path
) -> None:
    train = pd.read_csv(trained / "data" / "train.csv")
    new = pd.read_csv(trained / "data" / "new.csv")
    new["mean_radius"] = new["mean_radius"] + 2 * train["mean_radius"].std()
    current, reference = profiles(train, new, tmp_path)
    checks = by_column(check_drift(current, reference, DriftConfig()))
    shifted = checks["mean_radius"]
    assert shifted.status is Status.FAIL
    assert shifted.message.startswith("mean_radius: PSI ")
    assert shifted.message.endswith(
        "> 0.59 (fail) (noise floors 0.41/0.59 for 86 vs 284 rows); mean 14.03 → 21"
    )
    assert shifted.observed["value"] > 1.0
    assert [c for c, r in checks.items() if r.status is not Status.PASS] == ["mean_radius"]
    assert checks[None].message == "1 of 32 columns drifted (3%): mean_radius"


def test_large_samples_use_the_configured_levels(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"income": rng.normal(52_100, 9_000, 20_000)})
    new = pd.DataFrame({"income": rng.normal(58_000, 9_000, 20_000)})
    current, reference = profiles(ref, new, tmp_path)
    check = by_column(check_drift(current, reference, DriftConfig()))["income"]
    assert check.status is Status.FAIL
    psi = check.observed["value"]
    assert check.message == f"income: PSI {psi:.2f} > 0.25 (fail); mean 52.1k → 58.1k"
    assert check.expected == {"warn": 0.1, "fail": 0.25}


def test_a_category_share_change_is_js_distance(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    regions = ["north", "south", "east", "west"]
    ref = pd.DataFrame({"region": rng.choice(regions, 5_000)})
    new = pd.DataFrame({"region": rng.choice(regions, 5_000, p=[0.61, 0.13, 0.13, 0.13])})
    current, reference = profiles(ref, new, tmp_path)
    check = by_column(check_drift(current, reference, DriftConfig()))["region"]
    assert check.status is Status.FAIL
    assert check.observed["method"] == "jsd"
    assert check.message.endswith("(fail); 'north' 24% → 61%")


def test_per_column_overrides_method_levels_and_skip(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"a": rng.normal(0, 1, 5_000), "b": rng.normal(0, 1, 5_000)})
    new = pd.DataFrame({"a": rng.normal(0.3, 1, 5_000), "b": rng.normal(0.3, 1, 5_000)})
    current, reference = profiles(ref, new, tmp_path)
    config = DriftConfig(
        columns={
            "a": DriftColumn(method="wasserstein", warn=0.2, fail=0.5),
            "b": DriftColumn(skip=True),
        }
    )
    checks = check_drift(current, reference, config)
    assert [c.column for c in checks] == ["a", None]
    a = checks[0]
    assert (a.status, a.observed["method"], a.expected) == (
        Status.WARN,
        "wasserstein",
        {"warn": 0.2, "fail": 0.5},
    )
    assert 0.25 < a.observed["value"] < 0.35  # a shift of 0.3 standard deviations


def test_share_of_drifted_columns_fails_past_half(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    ref = pd.DataFrame({f"c{i}": rng.normal(0, 1, 3_000) for i in range(4)})
    new = pd.DataFrame({f"c{i}": rng.normal(1.0 if i < 3 else 0, 1, 3_000) for i in range(4)})
    current, reference = profiles(ref, new, tmp_path)
    share = check_drift(current, reference, DriftConfig())[-1]
    assert (share.column, share.status) == (None, Status.FAIL)
    assert share.message == "3 of 4 columns drifted (75%): c0, c1, c2"


def test_disabled_drift_checks_nothing(tmp_path: Path) -> None:
    current, reference = profiles(make_frame(seed=1), make_frame(), tmp_path)
    assert check_drift(current, reference, DriftConfig(enabled=False)) == ()


@pytest.mark.parametrize(
    ("p", "dof", "exact"), [(0.95, 9, 16.919), (0.999, 9, 27.877), (0.99, 3, 11.345)]
)
def test_chi2_quantile_matches_the_tables(p: float, dof: int, exact: float) -> None:
    assert chi2_quantile(p, dof) == pytest.approx(exact, rel=0.01)


def test_numbers_in_messages_are_compact() -> None:
    assert [fmt_number(x) for x in (52_100.0, 71_830.0, 0.0123456, 3_400_000.0)] == [
        "52.1k",
        "71.8k",
        "0.01235",
        "3.4M",
    ]


def test_the_noise_floor_fails_rarely_on_many_same_distribution_splits() -> None:
    """40 random splits of the demo's data (as `mlci demo` makes them): no drift check may fail.

    (Warnings may: at alpha 0.05 about one run in twenty warns somewhere, by design.)
    """
    import pyarrow as pa
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    from mlci.data.profile import profile_table

    frame = load_breast_cancer(as_frame=True).frame
    failed = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        data = frame.assign(clinic=rng.choice(["north", "south", "east", "west"], len(frame)))
        train, rest = train_test_split(
            data, test_size=0.5, random_state=seed, stratify=data["target"]
        )
        _, new = train_test_split(rest, test_size=0.3, random_state=seed, stratify=rest["target"])
        reference = profile_table(pa.Table.from_pandas(train, preserve_index=False))
        current = profile_table(
            pa.Table.from_pandas(new, preserve_index=False), edges=reference.edges()
        )
        checks = check_drift(current, reference, DriftConfig())
        failed += [(seed, c.column) for c in checks if c.status is Status.FAIL]
    assert failed == []


def test_only_columns_judged_by_js_distance_need_their_values_counted(tmp_path: Path) -> None:
    from mlci.data.drift import needs_values

    ref = pd.DataFrame(
        {"x": np.linspace(0, 1, 200), "level": [1, 2, 3, 4] * 50, "city": ["a", "b"] * 100}
    )
    cols = profile_file(write(ref, tmp_path / "ref.csv")).columns
    default = DriftConfig()
    # a float column is binned (PSI); few integral values and text are categories (JS distance)
    assert [needs_values(cols[n], default) for n in ("x", "level", "city")] == [False, True, True]
    forced = DriftConfig(
        columns={"x": DriftColumn(method="jsd"), "level": DriftColumn(method="psi")}
    )
    assert [needs_values(cols[n], forced) for n in ("x", "level", "city")] == [True, False, True]
