"""One exception hierarchy, mapped to the documented exit codes in one place (mlci.cli)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes CI users rely on (README: Exit codes)."""

    PASSED = 0
    GATE_FAILED = 1
    USAGE = 2
    SERVICE = 3
    INTERRUPTED = 130


class MlciError(Exception):
    """Base of every error mlci reports without a traceback."""

    exit_code: ExitCode = ExitCode.USAGE


class ConfigError(MlciError):
    """mlci.yaml (or another config file) is missing, unparsable or invalid."""


class InputError(MlciError):
    """A data file, model, report or argument cannot be used."""


class RefusedError(MlciError):
    """The gate said no: a promotion or rollback was refused for a reason a person can act on."""

    exit_code = ExitCode.GATE_FAILED


class ServiceError(MlciError):
    """An external service (registry, DVC remote, GitHub) failed after retries."""

    exit_code = ExitCode.SERVICE


def first_line(exc: BaseException, empty: str | None = None) -> str:
    """The first line of an exception's text, for a one-line error; `empty` (default: the
    exception's type name) when it has none."""
    text = str(exc).strip()
    if text:
        return text.splitlines()[0]
    return type(exc).__name__ if empty is None else empty
