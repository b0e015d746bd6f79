"""The `mlci` command: a lazy click group and the one place errors become exit codes.

Subcommands are imported only when invoked, so `mlci --help` never loads mlflow, dvc, pandas,
pyarrow or scikit-learn (tests/test_cli.py checks sys.modules in a child process).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
import warnings
from typing import NoReturn

import click

from mlci import __version__
from mlci.crash import write_crash_file
from mlci.errors import ExitCode, MlciError, file_error, first_line
from mlci.faults import failpoint

# name -> (module under mlci.commands, one-line help shown by `mlci --help`)
COMMANDS: dict[str, str] = {
    "init": "Set mlci up in this repository: config, contract, workflows, hook.",
    "config": "Print mlci.yaml's JSON Schema, or check a config and its files.",
    "demo": "Build a real example project and run the whole gate on it.",
    "schema": "Infer a schema contract from reference data.",
    "profile": "Compute a data profile (statistics) of a table.",
    "validate": "Check data: contract, integrity, drift against the reference.",
    "regress": "Test the candidate model against the registry's champion.",
    "version": "Track data and models with DVC and record lineage.",
    "promote": "Move @champion to the candidate, through a passing report.",
    "rollback": "Move @champion back to the previous champion.",
    "history": "Show the champion timeline of a model.",
    "report": "Render mlci-report.json (Markdown, HTML, JSON, text); post it to GitHub.",
    "gate": "Run validate and regress, write the report, exit 0 or 1.",
    "monitor": "Check production inference logs against the champion's baseline.",
    "canary": "Analyse the challenger on the logs: graduate, abort or continue.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"mlci.commands.{cmd_name}")
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help text comes from COMMANDS so that listing commands imports none of them.
        with formatter.section("Commands"):
            formatter.write_dl(list(COMMANDS.items()))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlci")
@click.option("--debug", is_flag=True, help="Show tracebacks and library warnings.")
def cli(debug: bool) -> None:
    """mlci: CI/CD for machine-learning models.

    Exit codes: 0 passed, 1 the gate said no, 2 usage/config/input error,
    3 an external service failed, 70 internal error (a bug), 130 interrupted.
    """


def main(argv: list[str] | None = None) -> NoReturn:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("MLCI_DEBUG") == "1"
    _quiet_libraries(debug)
    sys.exit(_run(args, debug))


def _run(args: list[str], debug: bool) -> int:  # noqa: PLR0911 - the one place outcomes become exit codes
    try:
        failpoint("command_start")
        result = cli.main(args=args, prog_name="mlci", standalone_mode=False)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, EOFError):  # click turns any EOFError into Abort: a crash
            return _internal(args, exc.__cause__, debug)
        click.echo("mlci: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.UsageError as exc:
        # mlci's one-line format for click's own errors (bad option, missing argument)
        where = exc.ctx.command_path if exc.ctx is not None else "mlci"
        click.echo(
            f"mlci: error: {exc.format_message().rstrip('.')} (see `{where} --help`)", err=True
        )
        return ExitCode.USAGE
    except click.ClickException as exc:
        click.echo(f"mlci: error: {exc.format_message()}", err=True)
        return ExitCode.USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("mlci: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except MlciError as exc:
        _traceback(debug)
        click.echo(f"mlci: error: {exc}", err=True)
        return exc.exit_code
    except OSError as exc:
        described = file_error(exc)
        if described is None:
            return _internal(args, exc, debug)
        _traceback(debug)
        click.echo(f"mlci: error: {described}", err=True)
        return ExitCode.USAGE
    except Exception as exc:
        return _internal(args, exc, debug)
    return int(result) if isinstance(result, int) else ExitCode.PASSED


def _internal(args: list[str], exc: BaseException, debug: bool) -> int:
    """A bug: its own exit code (never 3, which CI retries) and a crash file for the report."""
    if debug:
        traceback.print_exception(exc)
    crash = write_crash_file(args, exc)
    detail = first_line(exc, "")
    click.echo(
        f"mlci: internal error: {type(exc).__name__}{': ' if detail else ''}{detail}", err=True
    )
    click.echo(f"mlci: this is a bug in mlci or a library it uses; {crash}", err=True)
    return ExitCode.INTERNAL


def _traceback(debug: bool) -> None:
    """--debug adds the traceback; the exit code stays the documented one."""
    if debug:
        traceback.print_exc()


def _quiet_libraries(debug: bool) -> None:
    """mlci speaks for itself; library chatter and warnings only with --debug."""
    if debug:
        return
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("always", module="mlci")
    warnings.showwarning = _show_warning
    for name in ("mlflow", "alembic", "dvc", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _show_warning(
    message: Warning | str, category: type[Warning], *_: object, **__: object
) -> None:
    from mlci.config_load import ConfigWarning

    if issubclass(category, ConfigWarning):
        click.echo(f"mlci: warning: {message}", err=True)


if __name__ == "__main__":
    main()
