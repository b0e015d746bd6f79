"""Read a CSV or Parquet table, with errors that name the file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: not a CSV or Parquet file (expected .csv, .parquet or .pq)")
    if not path.is_file():
        raise InputError(f"{path}: data file not found")
    return fmt


def read_table(path: Path) -> pd.DataFrame:
    """The whole table as a DataFrame; the file is checked before pandas is imported."""
    fmt = table_format(path)
    import pandas as pd
    import pyarrow as pa

    try:
        frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty (no header, no rows)") from None
    except (pd.errors.ParserError, pa.ArrowException, UnicodeDecodeError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read {fmt.upper()}: {reason}") from None
    if len(frame.columns) == 0:
        raise InputError(f"{path}: the file has no columns")
    return frame


def file_digest(path: Path) -> str:
    """sha256 of the file's bytes, streamed."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()
