"""How the step commands talk on a terminal: progress on stderr only when a person watches,
colour only when wanted (NO_COLOR, https://no-color.org), nothing but the verdict with --quiet."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class Terminal:
    quiet: bool = False

    def progress(self, message: str) -> None:
        """Work in progress (loading models, predicting, bootstrap): a terminal only, CI logs
        and captured output stay clean."""
        if not self.quiet and sys.stderr.isatty():
            click.echo(f"mlci: {message}", err=True)

    def say(self, message: str) -> None:
        """A line worth keeping in a CI log (a step's outcome, the cache, the report path)."""
        if not self.quiet:
            click.echo(f"mlci: {message}", err=True)

    def verdict(self, text: str, passed: bool) -> str:
        if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
            return text
        return click.style(text, fg="green" if passed else "red", bold=True)
