"""The verdicts on realistic tables (issue 16), through the real CLI on files: clean samples of
the process pass at a hundredth, the same and three times the reference's size; each fault
class fails with the right check on the right column."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_mlci
from tests.data.realistic import FAULTS, REFERENCE_ROWS, make_orders


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ref.csv and the contract `mlci schema infer` writes from it, once."""
    root = tmp_path_factory.mktemp("orders")
    (root / "data").mkdir()
    make_orders(REFERENCE_ROWS, seed=1).to_csv(root / "data" / "ref.csv", index=False)
    done = run_mlci(
        "schema", "infer", "data/ref.csv", "-o", "mlci.schema.yaml", "--label", "is_fraud", cwd=root
    )
    assert done.out.strip() == (
        "wrote mlci.schema.yaml (10 columns; unique keys: customer_id, order_ref; "
        "id: customer_id, order_ref; timestamp: event_time; label: is_fraud)"
    ), done.text
    return root


def validate(root: Path, frame: Any) -> tuple[int, list[dict[str, Any]], str]:
    frame.to_csv(root / "data" / "new.csv", index=False)
    config = {
        "data": {
            "path": "data/new.csv",
            "reference": "data/ref.csv",
            "schema": "mlci.schema.yaml",
            "label": "is_fraud",
        }
    }
    (root / "mlci.yaml").write_text(yaml.safe_dump(config))
    done = run_mlci("validate", "--report-json", "report.json", cwd=root)
    report = json.loads((root / "report.json").read_text())
    return done.code, report["steps"][0]["checks"], done.text


def test_the_inferred_contract_gives_keys_and_times_roles_not_ranges(reference: Path) -> None:
    columns = yaml.safe_load((reference / "mlci.schema.yaml").read_text())["columns"]
    assert columns["customer_id"] == {
        "type": "int",
        "role": "id",
        "nullable": False,
        "unique": True,
    }
    assert columns["order_ref"] == {
        "type": "string",
        "role": "id",
        "nullable": False,
        "unique": True,
        "length": {"min": 10, "max": 10},  # "R" and nine digits
    }
    assert columns["event_time"] == {"type": "datetime", "role": "timestamp", "nullable": False}
    assert columns["is_fraud"]["role"] == "label"
    assert "role" not in columns["amount"]  # a feature, the default


@pytest.mark.parametrize("rows", [REFERENCE_ROWS // 100, REFERENCE_ROWS, 3 * REFERENCE_ROWS])
def test_clean_samples_of_the_process_pass(reference: Path, rows: int) -> None:
    code, checks, text = validate(reference, make_orders(rows, seed=2, first_id=10**6))
    assert code == 0, text
    assert [(c["id"], c.get("column")) for c in checks if c["status"] == "fail"] == []
    ids = {c["id"] for c in checks}
    assert {"unique", "format", "freshness", "prior_shift", "missing_rate", "joint_drift"} <= ids
    # keys and times have no distribution drift (new keys are what a fresh batch has)
    drifted = {c.get("column") for c in checks if c["id"] == "drift"}
    assert drifted.isdisjoint({"customer_id", "order_ref", "event_time"})


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_fault_fails_with_the_right_check_on_the_right_column(
    reference: Path, name: str
) -> None:
    fault: Callable[[Any], Any]
    fault, check_id, columns = FAULTS[name]
    code, checks, text = validate(
        reference, fault(make_orders(REFERENCE_ROWS, seed=3, first_id=10**6))
    )
    assert code == 1, text
    failed = [c for c in checks if c["status"] == "fail" and c["id"] == check_id]
    assert [c.get("column") in columns for c in failed] == [True], [c["message"] for c in failed]
