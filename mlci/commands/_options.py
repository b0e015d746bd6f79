"""Options every step command shares, and small helpers the thin commands call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def config_option(fn: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path("mlci.yaml"),
        show_default=True,
        help="mlci.yaml to use; relative paths in it resolve against its folder.",
    )(fn)


def report_json_option(fn: F) -> F:
    return click.option(
        "--report-json",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path("mlci-report.json"),
        show_default=True,
        help="Where to write the GateReport JSON.",
    )(fn)


def output_option(default: Path, help: str = "Where to write it.") -> Callable[[F], F]:
    """-o/--output FILE, with the command's own default."""

    def decorate(fn: F) -> F:
        return click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path, dir_okay=False),
            default=default,
            show_default=True,
            help=help,
        )(fn)

    return decorate


def progress(message: str) -> None:
    click.echo(f"mlci: {message}", err=True)


def terminal_options(fn: F) -> F:
    """--quiet and --json: how much the terminal is told."""
    fn = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print the report JSON on stdout (progress stays on stderr).",
    )(fn)
    return click.option("-q", "--quiet", is_flag=True, help="Print only the verdict (and errors).")(
        fn
    )
