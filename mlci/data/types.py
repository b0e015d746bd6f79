"""The column types and roles every data module speaks, and the type an Arrow type reads as: a
leaf, importing nothing of mlci's."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


class ColumnType(str, Enum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STRING = "string"
    CATEGORY = "category"
    DATETIME = "datetime"


class Role(str, Enum):
    """What a column is for, and so which checks it gets (docs/data-validation.md, "Roles")."""

    ID = "id"  # a key: type, nulls, uniqueness; never range or drift
    TIMESTAMP = "timestamp"  # freshness; never drift of the raw times
    LABEL = "label"  # the target: label checks, prior shift
    FEATURE = "feature"  # everything
    IGNORE = "ignore"  # nothing


def time_unit_of(arrow_type: pa.DataType) -> str | None:
    """The unit of a date or timestamp column's integers (None: not a point in time)."""
    import pyarrow.types as pat

    if pat.is_timestamp(arrow_type):
        return str(arrow_type.unit)
    if pat.is_date32(arrow_type):
        return "D"
    return "ms" if pat.is_date64(arrow_type) else None


def column_type_of(arrow_type: pa.DataType) -> str:
    import pyarrow.types as pat

    if pat.is_dictionary(arrow_type):
        return ColumnType.CATEGORY.value
    checks: list[tuple[Callable[[pa.DataType], bool], str]] = [
        (pat.is_boolean, ColumnType.BOOL.value),
        (pat.is_integer, ColumnType.INT.value),
        (pat.is_floating, ColumnType.FLOAT.value),
        (pat.is_decimal, ColumnType.FLOAT.value),
        (pat.is_temporal, ColumnType.DATETIME.value),
        (pat.is_null, "null"),
    ]
    return next((kind for test, kind in checks if test(arrow_type)), ColumnType.STRING.value)
