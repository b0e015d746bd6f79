"""The column type an Arrow type reads as, and the unit of a point in time's integers."""

from __future__ import annotations

import pyarrow as pa
import pytest

from mlci.data.types import ColumnType, column_type_of, time_unit_of


@pytest.mark.parametrize(
    ("arrow_type", "kind"),
    [
        (pa.bool_(), ColumnType.BOOL.value),
        (pa.int8(), ColumnType.INT.value),
        (pa.uint64(), ColumnType.INT.value),
        (pa.float32(), ColumnType.FLOAT.value),
        (pa.decimal128(10, 2), ColumnType.FLOAT.value),
        (pa.timestamp("us", tz="UTC"), ColumnType.DATETIME.value),
        (pa.date32(), ColumnType.DATETIME.value),
        (pa.dictionary(pa.int32(), pa.string()), ColumnType.CATEGORY.value),
        (pa.string(), ColumnType.STRING.value),
        (pa.large_string(), ColumnType.STRING.value),
        (pa.binary(), ColumnType.STRING.value),
        (pa.null(), "null"),
    ],
)
def test_each_arrow_type_reads_as_one_column_type(arrow_type: pa.DataType, kind: str) -> None:
    assert column_type_of(arrow_type) == kind


def test_a_point_in_times_integers_have_its_unit_and_nothing_else_has_one() -> None:
    assert time_unit_of(pa.timestamp("ns")) == "ns"
    assert time_unit_of(pa.date32()) == "D"
    assert time_unit_of(pa.date64()) == "ms"
    assert [time_unit_of(t) for t in (pa.int64(), pa.string(), pa.time64("us"))] == [None] * 3
