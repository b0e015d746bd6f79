"""`mlci schema infer`: a starting schema contract from reference data."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(name="schema")
def command() -> None:
    """Infer a schema contract from reference data."""


@command.command(name="infer")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("mlci.schema.yaml"), show_default=True
)
@click.option("--max-categories", type=click.IntRange(min=1), default=20, show_default=True,
              help="A text column with at most this many values becomes a category with allowed values.")
@click.option("--range-margin", type=click.FloatRange(min=0), default=0.5, show_default=True,
              help="Widen each numeric range by this fraction of its width on both sides.")
def infer(data: Path, output: Path, max_categories: int, range_margin: float) -> int:
    """Write a contract (types, nullability, ranges, categories) inferred from DATA."""
    from mlci.data.contract import dump_contract, infer_contract
    from mlci.data.reader import read_table

    contract = infer_contract(read_table(data), max_categories=max_categories, range_margin=range_margin)
    output.write_text(dump_contract(contract), encoding="utf-8")
    click.echo(f"wrote {output} ({len(contract.columns)} columns)")
    return 0
