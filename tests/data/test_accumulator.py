"""One streaming pass: the full pass and the monitor's distributions-only pass agree on every
figure drift reads (tests/data/test_columns.py checks the kernels against brute-force counts)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from mlci.data.accumulator import Accumulator
from tests.data.test_columns import ROWS, mixed_frame


def test_a_distributions_only_pass_keeps_every_figure_drift_reads_and_hashes_nothing() -> None:
    """The monitor's accumulators (hashes=False, values for the named numeric columns only):
    the same rows, nulls, bins, moments and counted values as a full pass; no sketches of
    hashes, no row sample, and numeric columns not named take the raw path (no values)."""
    from mlci.data.profile import _column_pool

    frame = mixed_frame()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    edges = {"floats": (-1.0, 0.0, 1.0, 5.0), "small": (0.0, 10.0, 20.0)}

    def run(**light: Any) -> Any:
        with _column_pool() as pool:
            acc = Accumulator(table.schema, edges, pool, **light)
            for batch in table.to_batches(max_chunksize=1_000):
                acc.add(batch)
            return acc.finish(source={})

    full, light = run(), run(hashes=False, values={"small"})
    assert (light.rows, light.row_sample, len(light.row_hashes.hashes)) == (ROWS, None, 0)
    for name, col in light.columns.items():
        whole = full.columns[name]
        assert (col.rows, col.nulls, col.type) == (whole.rows, whole.nulls, whole.type), name
        assert len(col.hash_sample.hashes) == 0, name
        assert col.values == (None if name in ("wide", "floats") else whole.values), name
        if whole.moments is not None:
            assert col.moments is not None
            assert (col.moments.count, col.moments.min, col.moments.max) == (
                whole.moments.count, whole.moments.min, whole.moments.max,
            )  # fmt: skip
            assert col.moments.mean == pytest.approx(whole.moments.mean, rel=1e-12)
            assert col.moments.integral == whole.moments.integral, name
    assert light.columns["floats"].histogram == full.columns["floats"].histogram
    assert light.columns["small"].histogram == full.columns["small"].histogram


def test_a_pass_without_quantile_samples_keeps_moments_and_bins_through_a_merge() -> None:
    """samples names the columns that keep a quantile sample (Wasserstein drift's): the others
    keep none, and merging such profiles keeps their moments and histograms."""
    from mlci.data.profile import _column_pool, merge

    frame = mixed_frame()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    edges = {"floats": (-1.0, 0.0, 1.0, 5.0), "small": (0.0, 10.0, 20.0)}
    halves = table.slice(0, ROWS // 2), table.slice(ROWS // 2)

    def run(part: pa.Table, **light: Any) -> Any:
        with _column_pool() as pool:
            acc = Accumulator(part.schema, edges, pool, hashes=False, **light)
            for batch in part.to_batches(max_chunksize=1_000):
                acc.add(batch)
            return acc.finish(source={})

    whole = run(table)
    parts = [run(half, samples={"small"}) for half in halves]
    merged = merge(*parts)
    assert parts[0].columns["floats"].quantile_sample is None
    assert parts[0].columns["small"].quantile_sample is not None
    for name in ("floats", "small"):
        col, full = merged.columns[name], whole.columns[name]
        assert col.histogram == full.histogram, name
        assert col.moments is not None and full.moments is not None
        assert (col.moments.count, col.moments.min, col.moments.max) == (
            full.moments.count, full.moments.min, full.moments.max,
        )  # fmt: skip
        assert col.moments.mean == pytest.approx(full.moments.mean, rel=1e-12)
    assert merged.columns["floats"].quantile_sample is None
    assert merged.columns["small"].quantile_sample is not None
