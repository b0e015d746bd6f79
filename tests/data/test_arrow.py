"""Arrow arrays read from their buffers: offsets, nulls and NaN handled as to_numpy() would."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from mlci.data.arrow import (
    cast,
    compute,
    decoded,
    filtered,
    floats,
    floats_summed,
    integers,
    is_primitive,
    mask,
    matches,
    primitive,
    take,
    text_offsets,
    validity,
    values,
)
from tests.conftest import imports_of
from tests.data.conftest import DataProject, make_frame


@pytest.mark.parametrize(
    "array",
    [
        pa.array([1, None, 3, 4, None, 6, 7, 8, 9, 10], type=pa.int32()),
        pa.array([1.5, None, 3.0, 4.0, None, 6.0, 7.0, 8.0, 9.0, 10.0]),
        pa.array([True, None, False, True, None, False, True, True, False, True]),
        pa.array(list(range(10)), type=pa.uint8()),
    ],
)
def test_buffers_give_what_to_numpy_gives_at_any_offset(array: pa.Array) -> None:
    for piece in (array, array.slice(3), array.slice(1, 5)):
        valid = validity(piece)
        expected_valid = np.array(piece.is_valid())
        assert np.array_equal(
            expected_valid if piece.null_count else True, valid if valid is not None else True
        )
        got = primitive(piece)
        want = np.array(piece.to_pylist(), dtype=object)
        assert [g for g, v in zip(got.tolist(), expected_valid, strict=True) if v] == [
            w for w, v in zip(want.tolist(), expected_valid, strict=True) if v
        ]


def test_floats_treat_nan_as_missing_and_integers_widen() -> None:
    values_, valid = floats(pa.array([1.0, None, float("nan"), 2.0]).slice(1))
    assert valid is not None and valid.tolist() == [False, False, True]
    assert values_[2] == 2.0
    ints, valid = integers(pa.array([True, None, False]))
    assert ints.dtype == np.int64 and ints[[0, 2]].tolist() == [1, 0]
    assert valid is not None and valid.tolist() == [True, False, True]


def test_floats_summed_reads_a_clean_column_in_place_and_falls_back_on_anything_else() -> None:
    clean = pa.array([1.5, 2.5, 4.0]).slice(1)
    values_, valid, total = floats_summed(clean)
    assert (values_.tolist(), valid, total) == ([2.5, 4.0], None, 6.5)
    for dirty in ([1.0, float("nan"), 2.0], [1.0, None, 2.0], [1.0, float("inf"), 2.0]):
        values_, valid, total = floats_summed(pa.array(dirty))
        expected = floats(pa.array(dirty))
        assert total is None and values_[[0, 2]].tolist() == [1.0, 2.0], dirty
        assert (valid is None) == (expected[1] is None), dirty  # floats' mask: inf is a value
        if valid is not None and expected[1] is not None:
            assert valid.tolist() == expected[1].tolist(), dirty
    assert floats_summed(pa.array([1, 2], pa.int32()))[2] is None  # integers: floats' path


@pytest.mark.parametrize(
    "array",
    [
        pa.array([1, None, 3, 4, None, 6, 7, 8, 9, 10], type=pa.int32()),
        pa.array([1.5, None, 3.0, 4.0, None, 6.0, 7.0, 8.0, 9.0, 10.0]),
        pa.array([True, None, False, True, None, False, True, True, False, True]),
        pa.array(["a", "b", None, "a", "c", "b", "a", None, "c", "a"]).dictionary_encode(),
        pa.array(["a", "b", None, "a", "c", "b", "a", None, "c", "a"]),
        pa.array(list(range(10)), type=pa.uint8()),
    ],
    ids=["int32", "float", "bool", "dictionary", "string", "uint8"],
)
def test_filtered_gives_what_arrows_filter_gives_at_any_offset(array: pa.Array) -> None:
    keep = np.array([True, False, True, True, False, True, False, True, True, False])
    for piece, wanted in ((array, keep), (array.slice(3), keep[3:]), (array.slice(1, 5), keep[:5])):
        got, expected = filtered(piece, wanted), piece.filter(mask(wanted))
        assert got.type == expected.type and got.to_pylist() == expected.to_pylist()
        assert got.null_count == expected.null_count


def test_take_and_text_offsets_see_the_chosen_values() -> None:
    texts = pa.array(["x", "", "yz", None, "ünï"]).slice(1)
    chosen = take(texts, np.array([1, 3]))
    assert chosen.to_pylist() == ["yz", "ünï"]
    offsets, data = text_offsets(chosen)
    assert [bytes(data[a:b]).decode() for a, b in itertools.pairwise(offsets)] == ["yz", "ünï"]
    assert values(chosen).tolist() == ["yz", "ünï"]


def test_validate_with_joint_drift_imports_no_pandas_scipy_sklearn_or_pyarrow_compute(
    tmp_path: Path,
) -> None:
    """Half a second of start-up on every run for pandas, 1-2.7 s with scikit-learn, 0.12 s for
    pyarrow.compute's wrappers: the profile reads Arrow buffers itself, calls Arrow's kernels
    through `compute`, and the joint drift forest is numpy (mlci/data/joint.py)."""
    project = DataProject(tmp_path / "proj", suffix=".parquet")
    project.new(make_frame(seed=2))
    report = tmp_path / "report.json"
    args = ["validate", "--config", str(project.root / "mlci.yaml"), "--report-json", str(report)]
    watched = {"pandas", "scipy", "sklearn", "pyarrow.compute"}
    code, loaded, output = imports_of(args, watched, tmp_path)
    assert (code, loaded) == (0, []), output
    (joint,) = [
        c for c in json.loads(report.read_text())["steps"][0]["checks"] if c["id"] == "joint_drift"
    ]
    assert joint["status"] == "pass", joint["message"]  # it ran: 400 vs 400 rows, same process
    assert joint["message"].endswith("(400 vs 400 sampled rows, 5 columns)")


def test_is_primitive_names_the_types_primitive_reads() -> None:
    read = [pa.int8(), pa.uint64(), pa.float32(), pa.float64(), pa.bool_()]
    other = [pa.string(), pa.timestamp("ns"), pa.date32(), pa.dictionary(pa.int32(), pa.string())]
    assert [is_primitive(t) for t in read + other] == [True] * len(read) + [False] * len(other)


def test_the_kernels_called_without_pyarrow_compute_give_what_its_methods_give() -> None:
    import decimal

    numbers = pa.array([1.5, None, -0.0, 0.0, float("nan"), 1.5]).slice(1)
    ours, theirs = compute("dictionary_encode", numbers), numbers.dictionary_encode()
    assert ours.indices.equals(theirs.indices)
    bits = [np.asarray(d.dictionary).view(np.uint64).tolist() for d in (ours, theirs)]
    assert bits[0] == bits[1]  # -0.0, 0.0 and NaN told apart alike (equals() says NaN != NaN)
    words = pa.array(["x", None, "yz", "", "w", "v"]).slice(1)  # filter is for such columns
    keep = mask(np.array([1, 0, 1, 1, 0], bool))
    assert compute("filter", words, keep).equals(words.filter(keep))
    texts = pa.array(["b", None, "a", "b"]).dictionary_encode()
    assert decoded(texts).equals(texts.dictionary_decode())
    assert decoded(texts.slice(1)).to_pylist() == [None, "a", "b"]
    amounts = pa.array([decimal.Decimal("1.25"), None], pa.decimal128(5, 2))
    assert cast(amounts, pa.float64()).equals(amounts.cast(pa.float64()))
    import pyarrow.compute as pc  # the test may: it checks against the module itself

    texts = pa.array(["12", None, "x1", "-3.5e2"])
    assert matches(texts, r"^-?\d").equals(pc.match_substring_regex(texts, r"^-?\d"))
    with pytest.raises(pa.ArrowInvalid):  # a safe cast, as Array.cast: no silent overflow
        cast(pa.array([2**40]), pa.int32())
