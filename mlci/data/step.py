"""The validate step: the configured data against its schema contract."""

from __future__ import annotations

import time
from dataclasses import dataclass

from mlci.config import LoadedConfig
from mlci.data.contract import load_contract
from mlci.data.reader import file_digest, read_table, table_format
from mlci.data.validate import check_contract
from mlci.results import StepResult


@dataclass(frozen=True)
class ValidateOutcome:
    step: StepResult
    data_digests: dict[str, str]


def run_validate(*, loaded: LoadedConfig) -> ValidateOutcome:
    started = time.perf_counter()
    data_path = loaded.require_data("path")
    contract = load_contract(loaded.require_data("schema"))
    table_format(data_path)  # a wrong suffix or a missing file fails before the heavy read
    checks = check_contract(read_table(data_path), contract)
    step = StepResult(name="validate", checks=checks, seconds=time.perf_counter() - started)
    return ValidateOutcome(step=step, data_digests={"data": file_digest(data_path)})
