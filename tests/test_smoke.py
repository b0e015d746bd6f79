from tests.conftest import Project


def test_first_gate_passes_without_champion(project: Project) -> None:
    result = project.mlci("gate")
    assert result.code == 0, result.text
    assert "no champion yet: first model" in result.out
