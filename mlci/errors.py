"""One exception hierarchy, mapped to the documented exit codes in one place (mlci.cli)."""

from __future__ import annotations

import errno
import os
from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes CI users rely on (README: Exit codes)."""

    PASSED = 0
    GATE_FAILED = 1
    USAGE = 2
    SERVICE = 3
    INTERNAL = 70  # sysexits' EX_SOFTWARE: a bug, never retried like 3
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


QUOTE_LIMIT = 40


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """repr() of a value for an error line, cut to `limit` characters: a 20 MB cell or config
    value must not become a 20 MB error."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 5]}...{text[-1]} ({len(text):,} characters)"


def first_line(exc: BaseException, empty: str | None = None, limit: int = 300) -> str:
    """The first line of an exception's text, for a one-line error, cut to `limit` characters
    (libraries quote whole rows and values); `empty` (default: the exception's type name) when
    it has none."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__ if empty is None else empty
    line = text.splitlines()[0]
    return line if len(line) <= limit else f"{line[:limit]}... (cut)"


# OS errors about a path the user named: the file's fault, not mlci's (exit 2, never 70).
_FILE_ERRNOS = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a directory, expected a file",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ELOOP: "a symlink loop",
    errno.ENAMETOOLONG: "file name too long",
}


def file_error(exc: OSError) -> str | None:
    """'PATH: what is wrong' for an OSError about a named file, None for any other OSError."""
    what = _FILE_ERRNOS.get(exc.errno or 0)
    if what is None or exc.filename is None:
        return None
    return f"{os.fsdecode(exc.filename)}: {what}"
