"""The wheel ships the templates, the JSON Schemas and the example project the demo builds."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_wheel_contains_templates_schemas_and_example(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    wheel = next(tmp_path.glob("mlci-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mlci/templates/report.md.j2" in names
    assert "mlci/schemas/gate-report.schema.json" in names
    assert {"mlci/examples/demo-project/mlci.yaml", "mlci/examples/demo-project/train.py"} <= names
    assert "mlci/cli.py" in names
    assert "mlci/examples/workflows/mlci-pr.yml" in names  # what `mlci init` writes
    assert "mlci/schemas/config.schema.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "mlci = mlci.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
