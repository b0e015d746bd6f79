"""mlci.errors: quoting and cutting what goes into a one-line error."""

from __future__ import annotations

import errno

from mlci.errors import file_error, first_line, quoted


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
