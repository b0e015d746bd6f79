"""Synthetic tables for the data tests: real CSV and Parquet files written by pandas/pyarrow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mlci.data.contract import ColumnContract, ColumnType, Contract, RowCount, dump_contract


def make_frame(rows: int = 400, seed: int = 0) -> Any:
    """id (unique int), age (float), income (float, a few nulls), region (4 categories), flag."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    income = rng.normal(52_000, 9_000, rows)
    income[rng.choice(rows, rows // 20, replace=False)] = np.nan
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "age": rng.uniform(18, 90, rows).round(1),
            "income": income,
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "flag": rng.integers(0, 2, rows),
        }
    )


def write(frame: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


CONTRACT = Contract(
    columns={
        "id": ColumnContract(type=ColumnType.INT, nullable=False, unique=True),
        "age": ColumnContract(type=ColumnType.FLOAT, nullable=False, min=0, max=120),
        "income": ColumnContract(type=ColumnType.FLOAT, nullable=True, min=0, max=200_000),
        "region": ColumnContract(
            type=ColumnType.CATEGORY, allowed=("east", "north", "south", "west")
        ),
        "flag": ColumnContract(type=ColumnType.INT, nullable=False, min=0, max=1),
    },
    rows=RowCount(min=10),
)


class DataProject:
    """A folder with mlci.yaml, mlci.schema.yaml, data/ref.* and data/new.* (set per test)."""

    def __init__(self, root: Path, suffix: str = ".csv") -> None:
        self.root = root
        self.suffix = suffix
        root.mkdir(parents=True, exist_ok=True)
        (root / "mlci.schema.yaml").write_text(dump_contract(CONTRACT))
        self.reference = write(make_frame(seed=1), root / "data" / f"ref{suffix}")
        self.config: dict[str, Any] = {
            "data": {
                "path": f"data/new{suffix}",
                "reference": f"data/ref{suffix}",
                "schema": "mlci.schema.yaml",
            }
        }
        self.save_config()

    def save_config(self) -> None:
        (self.root / "mlci.yaml").write_text(yaml.safe_dump(self.config, sort_keys=False))

    def new(self, frame: Any) -> Path:
        return write(frame, self.root / "data" / f"new{self.suffix}")


@pytest.fixture
def data_project(tmp_path: Path) -> DataProject:
    return DataProject(tmp_path / "proj")
