"""Schema inference: a starting contract and each column's role, from a profile.

`mlci schema infer` and `mlci init` write the contract; the validate step asks roles_of for the
roles of the columns a contract does not list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlci.data.contract import ColumnContract, Contract, RowCount, TextLength
from mlci.data.types import ColumnType, Role

if TYPE_CHECKING:
    import pandas as pd

    from mlci.data.stats import ColumnProfile, Profile


def roles_of(
    profile: Profile, *, contract: Contract | None, reference: Profile | None, label: str | None
) -> dict[str, Role]:
    """Each column's role: the contract's where it lists the column, else inferred from the
    reference (the current data where there is none), so ids and timestamps are known even
    without a contract."""
    basis = reference or profile
    roles: dict[str, Role] = {}
    for name, col in profile.columns.items():
        if name == label:
            roles[name] = Role.LABEL
        elif contract is not None and name in contract.columns:
            roles[name] = contract.columns[name].role
        else:
            roles[name] = infer_role(basis.columns.get(name, col), label)
    return roles


# Near-unique: at least this share of the present values distinct.
_ID_MIN_DISTINCT_SHARE = 0.95


def infer_role(col: ColumnProfile, label: str | None) -> Role:
    """data.label is the label; datetimes are timestamps; near-unique integer or text columns
    (from 20 rows) are ids; everything else is a feature."""
    if col.name == label:
        return Role.LABEL
    if col.type == ColumnType.DATETIME.value:
        return Role.TIMESTAMP
    keyish = col.type in (ColumnType.INT.value, ColumnType.STRING.value, ColumnType.CATEGORY.value)
    near_unique = col.distinct() >= _ID_MIN_DISTINCT_SHARE * col.present
    return Role.ID if keyish and col.present >= _MIN_ROWS_FOR_KEY and near_unique else Role.FEATURE


DEFAULT_RANGE_MARGIN = 0.5
DEFAULT_MAX_CATEGORIES = 20
# A column is proposed as a unique key only from enough rows to mean something.
_MIN_ROWS_FOR_KEY = 20


def infer_contract(
    frame: pd.DataFrame,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    range_margin: float = DEFAULT_RANGE_MARGIN,
    label: str | None = None,
) -> Contract:
    """A starting contract from an in-memory frame (see infer_from_profile)."""
    import pyarrow as pa

    from mlci.data.profile import profile_table

    profile = profile_table(pa.Table.from_pandas(frame, preserve_index=False))
    return infer_from_profile(
        profile, max_categories=max_categories, range_margin=range_margin, label=label
    )


def infer_from_profile(
    profile: Profile,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    range_margin: float = DEFAULT_RANGE_MARGIN,
    label: str | None = None,
) -> Contract:
    """A starting contract: roles, types and nullability as seen, widened ranges, small
    category sets, unique keys, and at least one row."""
    columns = {
        name: _infer_column(col, max_categories, range_margin, infer_role(col, label))
        for name, col in profile.columns.items()
    }
    return Contract(columns=columns, rows=RowCount(min=1))


def _infer_column(
    col: ColumnProfile, max_categories: int, margin: float, role: Role
) -> ColumnContract:
    if col.type == "null":  # no values at all: nothing to infer but that
        return ColumnContract(type=ColumnType.STRING, nullable=True)
    kind = ColumnType(col.type)
    nullable = col.nulls > 0
    if role is Role.ID:
        return _infer_id(col, kind, nullable)
    if role is Role.TIMESTAMP:
        return ColumnContract(type=kind, role=role, nullable=nullable)
    if role is Role.LABEL:
        return _infer_feature(col, max_categories, margin, kind, nullable).model_copy(
            update={"role": role}
        )
    return _infer_feature(col, max_categories, margin, kind, nullable)


def _infer_id(col: ColumnProfile, kind: ColumnType, nullable: bool) -> ColumnContract:
    """A key: unique where the reference is (no value seen twice, even in a hash sample), and
    the length of its text values; no range, since new keys are outside the old ones."""
    length = None
    if col.text_lengths is not None:
        length = TextLength(min=col.text_lengths[0], max=col.text_lengths[1])
    return ColumnContract(
        type=kind,
        role=Role.ID,
        nullable=nullable,
        unique=col.hash_sample.repeats() == 0,
        length=length,
    )


def _infer_feature(
    col: ColumnProfile, max_categories: int, margin: float, kind: ColumnType, nullable: bool
) -> ColumnContract:
    unique = (
        kind in (ColumnType.INT, ColumnType.STRING)
        and not nullable
        and col.rows >= _MIN_ROWS_FOR_KEY
        and col.distinct_exact()
        and round(col.distinct()) == col.rows
    )
    if col.moments is not None and col.moments.min is not None and col.moments.max is not None:
        low, high = _widen(col.moments.min, col.moments.max, margin)
        return ColumnContract(type=kind, nullable=nullable, min=low, max=high, unique=unique)
    if (
        kind in (ColumnType.STRING, ColumnType.CATEGORY)
        and not unique
        and col.values is not None
        and len(col.values) <= max_categories
    ):
        allowed = tuple(sorted(str(v) for v in col.values))
        return ColumnContract(type=ColumnType.CATEGORY, nullable=nullable, allowed=allowed)
    return ColumnContract(type=kind, nullable=nullable, unique=unique)


def _widen(low: float, high: float, margin: float) -> tuple[float, float]:
    """Widen [low, high] by margin x its width on each side: a sample's extremes are not the
    population's. A non-negative column stays non-negative (counts, prices, areas)."""
    pad = (high - low) * margin
    widened_low = low - pad
    if low >= 0 > widened_low:
        widened_low = 0.0
    return float(f"{widened_low:.6g}"), float(f"{high + pad:.6g}")
