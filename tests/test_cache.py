"""The gate cache: unchanged inputs reuse the last report (same verdict, same exit code, and
the terminal says so); one byte of data, the champion or --no-cache runs it again."""

from __future__ import annotations

import json
from pathlib import Path

from mlci.cache import gate_key
from mlci.config_load import load_config
from tests.conftest import Project
from tests.terminal import on_a_terminal as on_a_pty

REUSED = "its report is reused (--no-cache runs the gate again)"


def test_unchanged_inputs_reuse_the_report_and_one_byte_runs_again(project: Project) -> None:
    first = project.mlci("gate")
    assert first.code == 0, first.text
    assert REUSED not in first.err
    again = project.mlci("gate")
    assert (again.code, again.out) == (0, first.out)
    assert again.err.splitlines()[-1].endswith(REUSED)
    assert json.loads((project.root / "mlci-report.json").read_text())["verdict"] == "pass"
    data = project.root / "data" / "new.csv"
    data.write_text(data.read_text() + data.read_text().splitlines()[-1] + "\n")
    changed = project.mlci("gate")
    assert changed.code == 0, changed.text
    assert REUSED not in changed.err
    forced = project.mlci("gate", "--no-cache")
    assert (forced.code, REUSED in forced.err) == (0, False)


def test_a_cached_failing_report_still_exits_1(project: Project) -> None:
    config = project.config()
    config["model"]["metrics"] = {"accuracy": {"min": 0.999}}
    project.write_config(config)
    first = project.mlci("gate", "--only", "regress")
    assert first.code == 1, first.text
    again = project.mlci("gate", "--only", "regress")
    assert (again.code, again.out, REUSED in again.err) == (1, first.out, True)
    steps = json.loads((project.root / "mlci-report.json").read_text())["steps"]
    assert [s["name"] for s in steps] == ["regress"]


def test_the_key_follows_the_champion_and_steps_aside_when_unknown(project: Project) -> None:
    loaded = load_config(project.config_path)
    names = ("validate", "regress")
    none = gate_key(loaded=loaded, names=names, champion_of=lambda *_: "none")
    two = gate_key(loaded=loaded, names=names, champion_of=lambda *_: "2:sha256:ab")
    assert none is not None and two is not None
    assert none.digest != two.digest
    assert (none.parts["champion"], two.parts["champion"]) == ("none", "2:sha256:ab")
    assert gate_key(loaded=loaded, names=names, champion_of=lambda *_: None) is None
    only = gate_key(loaded=loaded, names=("validate",), champion_of=lambda *_: None)
    assert only is not None and "champion" not in only.parts
    (project.root / "data" / "new.csv").unlink()  # the run will say what is missing
    assert gate_key(loaded=loaded, names=("validate",), champion_of=lambda *_: "none") is None


def test_json_and_quiet(project: Project) -> None:
    as_json = project.mlci("gate", "--only", "validate", "--json")
    assert as_json.code == 0, as_json.text
    assert [s["name"] for s in json.loads(as_json.out)["steps"]] == ["validate"]
    quiet = project.mlci("gate", "--only", "validate", "--quiet", "--no-cache")
    assert (quiet.code, quiet.out, quiet.err) == (0, "mlci verdict: PASS\n", "")


def on_a_terminal(root: Path, *args: str, env: dict[str, str]) -> str:
    """`mlci ARGS` with stdout and stderr on a pseudo-terminal, all it printed."""
    return on_a_pty(["-m", "mlci", *args], env=env, cwd=root)


def test_progress_and_colour_only_on_a_terminal(project: Project) -> None:
    seen = on_a_terminal(project.root, "gate", "--only", "regress", env={})
    for line in ("mlci: regress: fetching the candidate and the champion",
                 "mlci: regress: loading the models and predicting eval.csv",
                 "mlci: regress: scoring (bootstrap, 1,000 resamples)"):  # fmt: skip
        assert line in seen
    assert "\x1b[32m\x1b[1mmlci verdict: PASS" in seen
    plain = project.mlci("gate", "--only", "regress", "--no-cache")
    assert plain.code == 0
    assert "fetching the candidate" not in plain.err
    assert plain.out.startswith("mlci verdict: PASS\n")
    no_color = on_a_terminal(project.root, "gate", "--only", "validate", env={"NO_COLOR": "1"})
    assert "mlci verdict: PASS" in no_color and "\x1b[" not in no_color
