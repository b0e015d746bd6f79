"""`mlci version` through the CLI outside git (the DVC story: tests/test_lineage.py)."""

from __future__ import annotations

from tests.conftest import Project


def test_version_outside_a_git_repository_is_exit_2_and_writes_nothing(project: Project) -> None:
    result = project.mlci("version", "--dry-run")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        f"mlci: error: {project.root}: not a git repository (mlci version records the commit)\n",
    )
    assert not (project.root / "mlci-version.json").exists()
    assert not (project.root / "models" / "candidate.dvc").exists()
