"""`mlci profile`: the statistics of a table (or several, merged) as a versioned JSON profile."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import output_option


@click.command(name="profile")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@output_option(Path("profile.json"), help="Where to write the profile JSON.")
@click.option(
    "--bins-from",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A reference profile whose histogram bins to count on (default: this data's own deciles).",
)
@click.option(
    "--batch-rows",
    type=click.IntRange(min=1024),
    default=None,
    help="Rows per Arrow record batch (default: about 32 MiB of values a batch): peak memory "
    "follows this, not the file size.",
)
def command(
    sources: tuple[Path, ...], output: Path, bins_from: Path | None, batch_rows: int | None
) -> int:
    """Profile SOURCES (CSV, Parquet, or profile JSON files; several are merged) into one JSON.

    A profile stands in for reference data everywhere (data.reference: profile.json).
    """
    from mlci.data.profile import build_profile, summary_lines
    from mlci.data.profile_json import write_profile

    profile = build_profile(sources, bins_from=bins_from, batch_rows=batch_rows)
    write_profile(profile, output)
    for line in summary_lines(profile):
        click.echo(line)
    click.echo(f"wrote {output} ({profile.rows:,} rows, {len(profile.columns)} columns)")
    return 0
