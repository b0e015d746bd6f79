"""Contracts: inference from a profile, the YAML a person edits, and its JSON Schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mlci.data.contract import Contract, dump_contract, load_contract
from mlci.data.infer import infer_from_profile
from mlci.data.profile import profile_file
from mlci.data.types import ColumnType
from mlci.errors import ConfigError
from tests.conftest import run_mlci
from tests.data.conftest import make_frame, write


def schema() -> dict[str, Any]:
    text = (resources.files("mlci") / "schemas" / "contract.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_dumped_contract_reads_back_and_validates_against_the_json_schema(tmp_path: Path) -> None:
    contract = infer_from_profile(profile_file(write(make_frame(), tmp_path / "d.csv")))
    text = dump_contract(contract)
    assert text.startswith("# mlci schema contract: edit by hand")
    (tmp_path / "c.yaml").write_text(text)
    assert load_contract(tmp_path / "c.yaml") == contract
    jsonschema.validate(yaml.safe_load(text), schema())
    assert "unique: true" in text and text.count("unique:") == 1  # false is left out


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"columns": {"a": {"type": "decimal"}}}, "columns.a.type"),
        ({"columns": {"a": {"type": "int", "nullabel": False}}}, "columns.a.nullabel"),
        ({"columns": {"a": {"type": "int"}}, "rows": {"min": -1}}, "rows.min"),
        ({"columns": {"a": {"type": "int", "min": 5, "max": 1}}}, "columns.a"),
        ({"cols": {}}, "columns"),
    ],
)
def test_bad_contracts_are_refused_by_mlci_and_by_the_json_schema(
    tmp_path: Path, doc: dict[str, Any], where: str
) -> None:
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match=rf"c\.yaml: {where}: "):
        load_contract(tmp_path / "c.yaml")
    if where != "columns.a":  # min <= max is beyond JSON Schema; mlci checks it
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(doc, schema())


def test_the_shipped_json_schema_describes_the_contract_model() -> None:
    shipped = schema()
    generated = Contract.model_json_schema()
    assert set(shipped["properties"]) == set(generated["properties"])
    for name, definition in generated["$defs"].items():
        assert set(shipped["$defs"][name].get("properties", {})) == set(
            definition.get("properties", {})
        ), name
    assert shipped["$defs"]["ColumnType"]["enum"] == [t.value for t in ColumnType]


def test_schema_infer_command_streams_the_file_and_reports_keys(tmp_path: Path) -> None:
    write(make_frame(), tmp_path / "d.parquet")
    done = run_mlci(
        "schema", "infer", "d.parquet", "-o", "c.yaml", "--max-categories", "3", cwd=tmp_path
    )
    assert done.code == 0, done.text
    assert done.out.strip() == "wrote c.yaml (5 columns; unique keys: id; id: id)"
    contract = load_contract(tmp_path / "c.yaml")
    assert contract.columns["region"].type is ColumnType.STRING  # 4 values > --max-categories 3
