"""What every engine shares: the dataset, its files and row groups, and the one-way imports."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from mlci.data.engine_base import Dataset, ParquetInfo
from mlci.data.reader import Part

DATASET = Dataset(
    "data/",
    (ParquetInfo("data/a.parquet", (100, 50)), ParquetInfo("data/b.parquet", (7,))),
)


def test_a_dataset_counts_the_rows_of_its_row_groups() -> None:
    assert DATASET.files[0].rows == 150
    assert DATASET.rows == 157
    assert Dataset("one.csv", ()).rows == 0


def test_whole_files_and_one_part_per_row_group() -> None:
    assert DATASET.whole_files() == (
        Part("data/a.parquet", None, 150),
        Part("data/b.parquet", None, 7),
    )
    assert DATASET.partitions() == (
        Part("data/a.parquet", (0,), 100),
        Part("data/a.parquet", (1,), 50),
        Part("data/b.parquet", (0,), 7),
    )


def _mlci_imports(module: str) -> set[str]:
    """The mlci modules MODULE's source imports, at any level (lazy and TYPE_CHECKING ones too)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    found |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return {m for m in found if m.startswith("mlci.")}


def test_the_engines_depend_one_way_on_a_shared_leaf() -> None:
    engine = _mlci_imports("mlci.data.engine")
    assert {"mlci.data.engine_base", "mlci.data.engine_dask"} <= engine
    assert "mlci.data.engine" not in _mlci_imports("mlci.data.engine_dask")
    assert not {"mlci.data.engine", "mlci.data.engine_dask"} & _mlci_imports(
        "mlci.data.engine_base"
    )
