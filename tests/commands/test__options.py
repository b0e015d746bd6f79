"""The options every step command shares, on a click command of their own."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mlci.commands._options import (
    config_option,
    output_option,
    progress,
    report_json_option,
    terminal_options,
)


@click.command()
@config_option
@report_json_option
@output_option(Path("profile.json"), help="Where the profile goes.")
@terminal_options
def shown(config_path: Path, report_json: Path, output: Path, quiet: bool, as_json: bool) -> None:
    click.echo(f"{config_path} {report_json} {output} {quiet} {as_json}")


def test_the_defaults() -> None:
    done = CliRunner().invoke(shown, [])
    assert (done.exit_code, done.output) == (
        0,
        "mlci.yaml mlci-report.json profile.json False False\n",
    )


def test_every_option_given() -> None:
    args = ["--config", "c.yaml", "--report-json", "r.json", "-o", "p.json", "-q", "--json"]
    done = CliRunner().invoke(shown, args)
    assert (done.exit_code, done.output) == (0, "c.yaml r.json p.json True True\n")


def test_help_shows_the_defaults() -> None:
    text = " ".join(CliRunner().invoke(shown, ["--help"]).output.split())
    assert (
        "mlci.yaml to use; relative paths in it resolve against its folder. [default: mlci.yaml]"
        in text
    )
    assert "Where the profile goes. [default: profile.json]" in text
    assert "-q, --quiet Print only the verdict (and errors)." in text


def test_a_folder_is_not_a_config_file(tmp_path: Path) -> None:
    done = CliRunner().invoke(shown, ["--config", str(tmp_path)])
    assert done.exit_code == 2
    assert f"Invalid value for '--config': File '{tmp_path}' is a directory." in done.output


def test_progress_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    progress("profiling data/new.csv")
    assert capsys.readouterr() == ("", "mlci: profiling data/new.csv\n")
