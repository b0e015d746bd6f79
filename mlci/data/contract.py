"""The schema contract (mlci.schema.yaml): what the data must look like.

```yaml
columns:
  age:    {type: float, nullable: false, min: 0, max: 120}
  region: {type: category, allowed: [north, south]}
```
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from mlci.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd


class ColumnType(str, Enum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STRING = "string"
    CATEGORY = "category"
    DATETIME = "datetime"


class ColumnContract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ColumnType
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str | int | float | bool, ...] | None = None


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, ColumnContract]
    allow_extra_columns: bool = True


def load_contract(path: Path) -> Contract:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: schema contract not found (write one with `mlci schema infer`)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: cannot parse YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return Contract.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {key}: {err['msg']}") from None


DEFAULT_RANGE_MARGIN = 0.5


def infer_contract(
    frame: pd.DataFrame, max_categories: int = 20, range_margin: float = DEFAULT_RANGE_MARGIN
) -> Contract:
    """A starting contract: types and nullability as seen, widened ranges, small category sets."""
    return Contract(
        columns={str(name): _infer_column(frame[name], max_categories, range_margin) for name in frame.columns}
    )


def _infer_column(series: pd.Series[Any], max_categories: int, margin: float) -> ColumnContract:
    kind = column_type(series)
    nullable = bool(series.isna().any())
    if kind in (ColumnType.INT, ColumnType.FLOAT) and series.notna().any():
        low, high = _widen(float(series.min()), float(series.max()), margin)
        return ColumnContract(type=kind, nullable=nullable, min=low, max=high)
    if kind is ColumnType.STRING and series.nunique() <= max_categories:
        allowed = tuple(sorted(str(v) for v in series.dropna().unique()))
        return ColumnContract(type=ColumnType.CATEGORY, nullable=nullable, allowed=allowed)
    return ColumnContract(type=kind, nullable=nullable)


def _widen(low: float, high: float, margin: float) -> tuple[float, float]:
    """Widen [low, high] by margin x its width on each side: a sample's extremes are not the
    population's. A non-negative column stays non-negative (counts, prices, areas)."""
    pad = (high - low) * margin
    widened_low = low - pad
    if low >= 0 > widened_low:
        widened_low = 0.0
    return float(f"{widened_low:.6g}"), float(f"{high + pad:.6g}")


def column_type(series: pd.Series[Any]) -> ColumnType:
    """The contract type a pandas column has."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnType.BOOL
    if pd.api.types.is_integer_dtype(dtype):
        return ColumnType.INT
    if pd.api.types.is_float_dtype(dtype):
        return ColumnType.FLOAT
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return ColumnType.DATETIME
    if isinstance(dtype, pd.CategoricalDtype):
        return ColumnType.CATEGORY
    return ColumnType.STRING


def dump_contract(contract: Contract) -> str:
    doc = contract.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    for col in doc["columns"].values():
        if col.get("allowed") is not None:
            col["allowed"] = list(col["allowed"])
    header = "# mlci schema contract: edit by hand; see README 'Schema contract'.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
