"""Checks by role: freshness, prior shift, missing rate; roles from the contract or inferred."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from mlci.config import FreshnessConfig
from mlci.config_load import load_config
from mlci.data.contract import ColumnContract, Contract
from mlci.data.infer import roles_of
from mlci.data.profile import Profile, merge, profile_table
from mlci.data.shift import check_roles
from mlci.data.types import ColumnType, Role
from mlci.data.validate import check_contract
from mlci.errors import ConfigError
from mlci.results import CheckResult, Status

NOW = datetime(2026, 1, 10, tzinfo=timezone.utc)


def profile(frame: pd.DataFrame) -> Profile:
    return profile_table(pa.Table.from_pandas(frame, preserve_index=False))


def events(start: str, days: int, rows: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    offsets = pd.to_timedelta(rng.integers(0, days, rows), unit="D")  # whole days: exact messages
    return pd.DataFrame(
        {
            "seen": pd.Timestamp(start) + offsets,
            "fraud": (rng.random(rows) < 0.03).astype(int),
            "income": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(5e4, 1e4, rows)),
        }
    )


def run(
    current: Profile, reference: Profile | None, max_age: float | None = None
) -> dict[tuple[str, str | None], CheckResult]:
    roles = roles_of(current, contract=None, reference=reference, label="fraud")
    checks = check_roles(
        current,
        reference,
        roles,
        freshness=FreshnessConfig(max_age=max_age),
        alpha=0.05,
        now=NOW,
    )
    return {(c.id, c.column): c for c in checks}


def test_timestamps_are_profiled_with_their_range_and_merge() -> None:
    a, b = profile(events("2025-01-01", 10)), profile(events("2025-03-01", 10, seed=1))
    first, second = a.columns["seen"].time_range, b.columns["seen"].time_range
    assert first is not None and second is not None
    assert merge(a, b).columns["seen"].time_range == (first[0], second[1])
    assert a.columns["seen"].time_unit in ("s", "ms", "us", "ns")
    assert a.columns["income"].time_range is None


def test_a_fresh_batch_passes_and_says_how_old_it_is() -> None:
    reference = profile(events("2025-01-01", 365))
    checks = run(profile(events("2025-01-01", 365, seed=2)), reference, max_age=30 * 86_400)
    fresh = checks[("freshness", "seen")]
    assert fresh.status is Status.PASS
    assert fresh.message.startswith("seen: newest 2025-12-31")
    assert fresh.message.endswith("(10 days old); reference 2025-01-01 .. 2025-12-30")


def test_a_stale_batch_fails_against_the_reference_window_and_max_age() -> None:
    reference = profile(events("2025-01-01", 365))
    stale = profile(events("2023-11-28", 365, seed=2))  # 400 days older
    check = run(stale, reference, max_age=30 * 86_400)[("freshness", "seen")]
    assert check.status is Status.FAIL
    assert check.message == (
        "seen: newest value 2024-11-26 is 410 days old, validate.freshness.max_age allows "
        "30 days; newest value 2024-11-26 is 399 days older than the reference's newest "
        "(2025-12-30), before the middle of its window; reference 2025-01-01 .. 2025-12-30"
    )


def test_without_a_reference_only_max_age_judges_freshness() -> None:
    current = profile(events("2025-01-01", 365))
    assert run(current, None)[("freshness", "seen")].status is Status.PASS
    assert run(current, None, max_age=3_600)[("freshness", "seen")].status is Status.FAIL


def test_label_prior_shift_fails_on_a_rare_class_tripled() -> None:
    reference = profile(events("2025-01-01", 365, rows=20_000))
    shifted = events("2025-01-01", 365, rows=20_000, seed=3)
    shifted["fraud"] = (np.random.default_rng(4).random(20_000) < 0.09).astype(int)
    check = run(profile(shifted), reference)[("prior_shift", "fraud")]
    assert check.status is Status.FAIL
    assert check.message.startswith("fraud: class '1' 2.9% → 9.0% (chi-square 658.0, noise floors")
    same = run(profile(events("2025-01-01", 365, rows=20_000, seed=5)), reference)
    assert same[("prior_shift", "fraud")].status is Status.PASS


def test_missing_rate_jump_fails_and_noise_passes() -> None:
    reference = profile(events("2025-01-01", 365, rows=5_000))
    jumped = events("2025-01-01", 365, rows=5_000, seed=6)
    jumped.loc[jumped.index[::2], "income"] = np.nan
    check = run(profile(jumped), reference)[("missing_rate", "income")]
    assert check.status is Status.FAIL
    assert check.message.startswith("income: missing 10.")
    same = run(profile(events("2025-01-01", 365, rows=5_000, seed=7)), reference)
    assert same[("missing_rate", "income")].status is Status.PASS


def test_contract_roles_win_and_ignore_means_no_checks() -> None:
    current = profile(events("2025-01-01", 30))
    contract = Contract(
        columns={
            "seen": ColumnContract(type=ColumnType.DATETIME, role=Role.IGNORE),
            "income": ColumnContract(type=ColumnType.INT, role=Role.IGNORE),
        }
    )
    roles = roles_of(current, contract=contract, reference=None, label="fraud")
    assert roles == {"seen": Role.IGNORE, "fraud": Role.LABEL, "income": Role.IGNORE}
    # the int contract on a float column would fail, but the column is ignored
    assert [c.id for c in check_contract(current, contract)] == ["row_count"]


def test_a_text_key_of_another_length_fails_format() -> None:
    current = profile(pd.DataFrame({"ref": [f"R{i:09d}" for i in range(50)] + ["R12"]}))
    contract = Contract(
        columns={
            "ref": ColumnContract.model_validate(
                {"type": "string", "role": "id", "length": {"min": 10, "max": 10}}
            )
        }
    )
    found = {c.id: c for c in check_contract(current, contract)}
    assert found["format"].status is Status.FAIL
    assert found["format"].message == "ref: lengths 3 to 10, contract requires 10 to 10"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("36h", 129_600.0), ("30d", 2_592_000.0), (90, 90.0), ("2w", 1_209_600.0)],
)
def test_max_age_reads_durations(value: object, seconds: float) -> None:
    assert FreshnessConfig.model_validate({"max_age": value}).max_age == seconds


def test_a_bad_max_age_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "mlci.yaml").write_text("validate:\n  freshness:\n    max_age: soon\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "mlci.yaml")
    assert "validate.freshness.max_age" in str(err.value)
    assert "expected a duration such as 36h or 30d, got 'soon'" in str(err.value)
