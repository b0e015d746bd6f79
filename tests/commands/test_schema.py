"""`mlci schema infer` through the CLI (inference itself: tests/data/test_contract.py)."""

from __future__ import annotations

import yaml

from tests.conftest import Project


def test_schema_infer_writes_the_contract_and_names_the_label(project: Project) -> None:
    result = project.mlci(
        "schema", "infer", "data/train.csv", "--output", "x.yaml", "--label", "target"
    )
    assert (result.code, result.out) == (0, "wrote x.yaml (32 columns; label: target)\n")
    contract = yaml.safe_load((project.root / "x.yaml").read_text())
    assert contract["columns"]["target"]["role"] == "label"
    assert len(contract["columns"]) == 32


def test_schema_infer_with_a_bad_margin_is_a_usage_error(project: Project) -> None:
    before = (project.root / "mlci.schema.yaml").read_bytes()
    result = project.mlci("schema", "infer", "data/train.csv", "--range-margin", "-1")
    assert result.code == 2
    assert result.err.startswith(
        "mlci: error: Invalid value for '--range-margin': -1.0 is not in the range x>=0"
    )
    assert (project.root / "mlci.schema.yaml").read_bytes() == before
