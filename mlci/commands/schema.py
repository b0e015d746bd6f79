"""`mlci schema infer`: a starting schema contract from reference data."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import output_option


@click.group(name="schema")
def command() -> None:
    """Infer a schema contract from reference data."""


@command.command(name="infer")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@output_option(Path("mlci.schema.yaml"), help="Where to write the contract.")
@click.option(
    "--max-categories",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="A text column with at most this many values becomes a category with allowed values.",
)
@click.option(
    "--range-margin",
    type=click.FloatRange(min=0),
    default=0.5,
    show_default=True,
    help="Widen each numeric range by this fraction of its width on both sides.",
)
@click.option("--label", default=None, help="The label column (data.label): role label.")
def infer(
    data: Path, output: Path, max_categories: int, range_margin: float, label: str | None
) -> int:
    """Write a contract (column roles, types, nullability, ranges, categories, unique keys)
    inferred from DATA (a CSV or Parquet file, read as a stream, or a profile JSON)."""
    from mlci.data.contract import dump_contract
    from mlci.data.infer import infer_from_profile
    from mlci.data.profile import build_profile
    from mlci.data.types import Role

    profile = build_profile((data,))
    contract = infer_from_profile(
        profile, max_categories=max_categories, range_margin=range_margin, label=label
    )
    output.write_text(dump_contract(contract), encoding="utf-8")
    keys = [name for name, col in contract.columns.items() if col.unique]
    roles = {
        role.value: [name for name, col in contract.columns.items() if col.role is role]
        for role in (Role.ID, Role.TIMESTAMP, Role.LABEL, Role.IGNORE)
    }
    shown = [f"{role}: {', '.join(names)}" for role, names in roles.items() if names]
    click.echo(
        f"wrote {output} ({len(contract.columns)} columns"
        + (f"; unique keys: {', '.join(keys)}" if keys else "")
        + "".join(f"; {text}" for text in shown)
        + ")"
    )
    return 0
