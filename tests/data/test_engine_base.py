"""What every engine shares: the dataset, its files and row groups, its partitions (runs of row
groups within a target), and the one-way imports."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from mlci.data.engine_base import Dataset, ParquetInfo
from mlci.data.engine_dask import part_rows
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


def test_partitions_group_consecutive_row_groups_of_one_file_up_to_the_target() -> None:
    dataset = Dataset(
        "data/",
        (
            ParquetInfo("a", (40, 40, 40, 40, 40)),
            ParquetInfo("b", (30, 200, 10)),
            ParquetInfo("c", ()),
        ),
    )
    assert dataset.partitions(100) == (
        Part("a", (0, 1), 80),
        Part("a", (2, 3), 80),
        Part("a", (4,), 40),
        Part("b", (0,), 30),
        Part("b", (1,), 200),  # larger than the target: alone, never split
        Part("b", (2,), 10),  # never joined to another file's row groups
    )
    for target in (1, 39, 80, 120, 10**9):
        parts = dataset.partitions(target)
        assert sum(p.rows for p in parts) == dataset.rows, target
        assert all(p.rows <= max(target, 200) for p in parts), target
        groups = [(p.location, g) for p in parts for g in p.row_groups or ()]
        assert groups == [(f.location, i) for f in dataset.files for i in range(len(f.group_rows))]
    assert dataset.partitions(10**9) == (
        Part("a", (0, 1, 2, 3, 4), 200),
        Part("b", (0, 1, 2), 240),
    )


def test_partition_rows_make_whole_rounds_of_the_worker_threads() -> None:
    assert part_rows(10_000_000, 2, 4_000_000) == 2_500_000  # 4 parts: 2 rounds of 2 workers
    assert part_rows(10_000_000, 2, 10_000_000) == 5_000_000  # one part per worker
    assert part_rows(10_000_000, 1, 4_000_000) == 3_333_334  # 3 parts, not 4M, 4M and 2M
    assert part_rows(50_000_000, 2, 4_000_000) == 3_571_429  # 7 rounds of 2
    assert part_rows(1_000, 0, 4_000_000) == 1_000  # no worker thread listed yet: counted as one
    assert part_rows(0, 2, 4_000_000) == 1


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
