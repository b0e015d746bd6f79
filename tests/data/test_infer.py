"""Schema inference: the starting contract `mlci schema infer` and `mlci init` write."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.data.infer import infer_from_profile
from mlci.data.profile import profile_file
from mlci.data.types import ColumnType
from tests.data.conftest import make_frame, write


def test_inferred_contract_has_types_keys_ranges_and_categories(tmp_path: Path) -> None:
    frame = make_frame(500).assign(empty=None)
    contract = infer_from_profile(
        profile_file(write(frame, tmp_path / "d.parquet")), range_margin=0.5
    )
    cols = contract.columns
    assert (cols["id"].type, cols["id"].unique, cols["id"].nullable) == (
        ColumnType.INT,
        True,
        False,
    )
    assert (cols["income"].type, cols["income"].nullable, cols["income"].unique) == (
        ColumnType.FLOAT,
        True,
        False,
    )
    low, high = frame["age"].min(), frame["age"].max()
    pad = (high - low) * 0.5
    assert cols["age"].min == pytest.approx(max(low - pad, 0.0))
    assert cols["age"].max == pytest.approx(high + pad, rel=1e-5)
    assert (cols["region"].type, cols["region"].allowed) == (
        ColumnType.CATEGORY,
        ("east", "north", "south", "west"),
    )
    assert (cols["empty"].type, cols["empty"].nullable, cols["empty"].allowed) == (
        ColumnType.STRING,
        True,
        None,
    )
    assert contract.rows.min == 1
