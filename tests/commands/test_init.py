"""`mlci init` through the CLI in a set-up project: it keeps what exists (the rest: tests/test_init.py)."""

from __future__ import annotations

from tests.conftest import Project


def test_init_yes_keeps_the_config_and_contract_and_adds_the_rest(project: Project) -> None:
    config = project.config_path.read_bytes()
    contract = (project.root / "mlci.schema.yaml").read_bytes()
    result = project.mlci("init", "--yes")
    assert result.code == 0, result.text
    assert result.out.splitlines()[:7] == [
        "      kept mlci.yaml (exists; --force to replace)",
        "      kept mlci.schema.yaml (exists; --force to replace)",
        "     wrote .github/workflows/mlci-pr.yml",
        "     wrote .github/workflows/mlci-promote.yml",
        "     wrote .github/workflows/mlci-rollback.yml",
        "     wrote .pre-commit-config.yaml",
        "  added to .gitignore",
    ]
    assert project.config_path.read_bytes() == config
    assert (project.root / "mlci.schema.yaml").read_bytes() == contract
