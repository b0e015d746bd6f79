"""The schema contract (mlci.schema.yaml): what the data must look like.

```yaml
rows: {min: 1}
columns:
  id:     {type: int, role: id, nullable: false, unique: true}
  seen:   {type: datetime, role: timestamp}
  age:    {type: float, nullable: false, min: 0, max: 120}
  region: {type: category, allowed: [north, south]}
```

Its JSON Schema ships as mlci/schemas/contract.schema.json (editors validate with it). The column
types and roles are in mlci/data/types.py; inference (`schema infer`, roles) in mlci/data/infer.py.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# re-exported: the contract's field types, which its readers use with it
from mlci.data.types import ColumnType as ColumnType  # noqa: PLC0414
from mlci.data.types import Role as Role  # noqa: PLC0414
from mlci.errors import ConfigError


class TextLength(BaseModel):
    """The length bounds of a text column's values (a text key's format); `format` check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = Field(ge=0)
    max: int = Field(ge=0)


class ColumnContract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ColumnType
    role: Role = Role.FEATURE
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str | int | float | bool, ...] | None = None
    unique: bool = False
    length: TextLength | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ColumnContract:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        return self


class RowCount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, ColumnContract]
    allow_extra_columns: bool = True
    rows: RowCount = Field(default_factory=RowCount)


def load_contract(path: Path) -> Contract:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: schema contract not found (write one with `mlci schema infer`)"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: cannot parse YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return Contract.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {key}: {err['msg']}") from None


def dump_contract(contract: Contract) -> str:
    doc = contract.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    for col in doc["columns"].values():
        if col.get("allowed") is not None:
            col["allowed"] = list(col["allowed"])
        if not col.get("unique"):
            col.pop("unique", None)
        if col.get("role") == Role.FEATURE.value:
            col.pop("role")
    doc["rows"] = {k: v for k, v in doc.get("rows", {}).items() if v is not None}
    if not doc["rows"]:
        doc.pop("rows")
    header = (
        "# mlci schema contract: edit by hand; see docs/data-validation.md, 'Schema contract'.\n"
        "# Its JSON Schema: contract.schema.json, shipped in the mlci package (mlci/schemas/).\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
