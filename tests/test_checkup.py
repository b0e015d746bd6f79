"""`mlci config schema` (generated from the models, shipped equal) and `mlci config check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import yaml

from mlci.checkup import config_schema
from tests.conftest import EXAMPLE, REPO, Project, run_mlci

SHIPPED = REPO / "mlci" / "schemas" / "config.schema.json"


def test_the_shipped_schema_is_the_generated_one() -> None:
    # regenerate with: mlci config schema > mlci/schemas/config.schema.json
    assert json.loads(SHIPPED.read_text()) == config_schema()


def test_config_schema_prints_it() -> None:
    result = run_mlci("config", "schema")
    assert result.code == 0
    assert json.loads(result.out) == config_schema()


def test_the_schema_accepts_the_example_and_refuses_a_wrong_task() -> None:
    example = yaml.safe_load((EXAMPLE / "mlci.yaml").read_text())
    jsonschema.validate(example, config_schema())
    example["model"]["task"] = "ranking"
    errors = list(jsonschema.Draft202012Validator(config_schema()).iter_errors(example))
    # model is `ModelConfig | null`: the wrong task is found inside the anyOf's first branch
    inner = [(list(c.absolute_path), c.instance) for e in errors for c in e.context]
    assert inner == [(["model", "task"], "ranking"), (["model"], example["model"])]


def test_check_names_every_file_it_checked(project: Project) -> None:
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


def test_check_lists_each_problem_and_exits_2(project: Project) -> None:
    (project.root / "data" / "eval.csv").unlink()
    shutil.rmtree(project.root / "models" / "candidate")
    (project.root / "mlci.schema.yaml").write_text("columns: [1, 2\n")
    result = project.mlci("config", "check")
    assert result.code == 2
    root = project.root
    assert result.err.splitlines() == [
        f"mlci: error: {root / 'mlci.schema.yaml'}: cannot parse YAML: "
        "expected ',' or ']', but got '<stream end>'",
        f"mlci: error: {root / 'data' / 'eval.csv'}: data file not found",
        f"mlci: error: {root / 'models' / 'candidate'}: not an MLflow model directory (no MLmodel file)",
    ]


def test_check_of_a_bad_config_is_the_config_error(tmp_path: Path) -> None:
    (tmp_path / "mlci.yaml").write_text("model: {name: churn}\n")
    result = run_mlci("config", "check", cwd=tmp_path)
    assert result.code == 2
    assert (
        result.err.strip()
        == "mlci: error: mlci.yaml: model.task: required key is missing (and 2 more)"
    )


def test_check_reads_each_log_files_columns(project: Project) -> None:
    logs = project.root / "logs"
    logs.mkdir()
    (logs / "a.csv").write_text("ts,prediction,latency_ms\n2026-12-01T10:00:00Z,1,12.5\n")
    (logs / "b.csv").write_text("ts,prediction\n2026-12-01T11:00:00Z,0\n")
    config = project.root / "mlci.yaml"
    config.write_text(
        config.read_text()
        + "monitor:\n  data: logs\n  timestamp: ts\n  prediction: prediction\n"
        + "  latency: {column: latency_ms}\n"
    )
    result = project.mlci("config", "check")
    assert result.code == 2
    assert result.err.splitlines() == [
        f"mlci: error: {logs / 'b.csv'}: the logs lack the configured column(s) 'latency_ms' "
        "(monitor.latency.column)"
    ]
    (logs / "b.csv").write_text("ts,prediction,latency_ms\n2026-12-01T11:00:00Z,0,9\n")
    result = project.mlci("config", "check")
    assert result.code == 0, result.err
    assert "  ok    monitor.data: logs (2 log file(s) with the configured columns)" in result.out
