"""mlci.errors: quoting and cutting what goes into a one-line error."""

from __future__ import annotations

import errno

from mlci.errors import (
    ConfigError,
    ExitCode,
    InputError,
    MlciError,
    RefusedError,
    ServiceError,
    file_error,
    first_line,
    quoted,
)


def test_quoted_keeps_short_values_and_cuts_long_ones() -> None:
    assert quoted("high") == "'high'"
    assert quoted("x" * 1000) == "'" + "x" * 34 + "...' (1,002 characters)"
    assert quoted(None) == "None"


def test_first_line_is_cut_to_its_limit() -> None:
    assert first_line(ValueError("a\nb")) == "a"
    assert first_line(ValueError("y" * 500), limit=10) == "yyyyyyyyyy... (cut)"
    assert first_line(KeyError()) == "KeyError"


def test_file_error_names_the_file_only_for_file_faults() -> None:
    assert file_error(IsADirectoryError(errno.EISDIR, "Is a directory", "mlci.schema.yaml")) == (
        "mlci.schema.yaml: is a directory, expected a file"
    )
    assert file_error(PermissionError(errno.EACCES, "denied", "data/new.csv")) == (
        "data/new.csv: permission denied"
    )
    assert file_error(ConnectionRefusedError(errno.ECONNREFUSED, "refused")) is None
    assert file_error(OSError(errno.EACCES, "denied")) is None  # no file named: not the user's


def test_each_error_class_carries_its_documented_exit_code() -> None:
    codes = {cls.__name__: int(cls.exit_code) for cls in (MlciError, ConfigError, InputError,
             RefusedError, ServiceError)}  # fmt: skip
    assert codes == {"MlciError": 2, "ConfigError": 2, "InputError": 2, "RefusedError": 1,
                     "ServiceError": 3}  # fmt: skip
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 70, 130]


def test_quoted_at_its_limit_is_whole() -> None:
    assert quoted("x" * 38) == "'" + "x" * 38 + "'"  # 40 characters: whole
    assert quoted("x" * 39, limit=40) == "'" + "x" * 34 + "...' (41 characters)"
