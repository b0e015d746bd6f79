"""The runner's file and workflow commands: $GITHUB_OUTPUT / $GITHUB_ENV (name=value and the
name<<DELIMITER multi-line form), $GITHUB_PATH, and `::error::`-style lines on stdout."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND = re.compile(r"^::([a-zA-Z-]+)(?: ([^:]*))?::(.*)$")
ANNOTATIONS = ("error", "warning", "notice")
# Harmless to a local run: they only change how the log is displayed.
DISPLAY_ONLY = ("group", "endgroup", "debug", "add-mask", "stop-commands")


class CommandError(ValueError):
    """A file or workflow command the runner would reject or this harness does not implement."""


@dataclass(frozen=True)
class Annotation:
    level: str
    properties: str
    message: str


def parse_key_values(text: str, file: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV: `name=value` lines and `name<<DELIM` ... `DELIM` blocks."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if not line.strip():
            continue
        heredoc = "<<" in line and ("=" not in line or line.index("<<") < line.index("="))
        if heredoc:
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            else:
                raise CommandError(f"{file}: {name}: delimiter {delimiter!r} never closes")
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        else:
            raise CommandError(f"{file}: not a name=value or name<<DELIM line: {line!r}")
        if not name:
            raise CommandError(f"{file}: empty name in {line!r}")
    return values


def parse_path_file(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def find_annotations(stdout: str) -> list[Annotation]:
    """`::error file=x::message` lines; a deprecated or unknown command raises."""
    found: list[Annotation] = []
    for line in stdout.splitlines():
        match = _COMMAND.match(line.strip())
        if match is None:
            continue
        name, props, message = match.group(1), match.group(2) or "", match.group(3)
        if name in ANNOTATIONS:
            found.append(Annotation(name, props, message))
        elif name not in DISPLAY_ONLY:
            raise CommandError(f"workflow command ::{name}:: is not supported: {line.strip()!r}")
    return found
