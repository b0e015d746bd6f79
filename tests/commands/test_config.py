"""`mlci config schema` and `mlci config check` through the CLI."""

from __future__ import annotations

import json

from tests.conftest import Project, run_mlci


def test_config_schema_prints_the_json_schema_of_mlci_yaml() -> None:
    result = run_mlci("config", "schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert {"data", "model", "registry"} <= set(schema["properties"])
    assert schema["properties"]["data"] == {"$ref": "#/$defs/DataConfig"}


def test_config_check_lists_each_file_then_ok(project: Project) -> None:
    result = project.mlci("config", "check")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "  ok    data.path: data/new.csv (CSV, 32 columns)",
        "  ok    data.reference: data/train.csv (CSV, 32 columns)",
        "  ok    data.schema: mlci.schema.yaml (32 columns)",
        "  ok    model.eval_data: data/eval.csv (CSV, 32 columns)",
        "  ok    model.candidate: candidate (an MLflow model directory)",
        "mlci.yaml: ok",
    ]
