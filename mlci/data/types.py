"""The column types and roles every data module speaks: a leaf, importing nothing of mlci's."""

from __future__ import annotations

from enum import Enum


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
