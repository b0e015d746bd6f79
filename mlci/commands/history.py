"""`mlci history`: the champion timeline, newest first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlci.commands._options import config_option

if TYPE_CHECKING:
    from mlci.config_load import LoadedConfig


@click.command(name="history")
@config_option
@click.option(
    "--model", "model_name", help="Registered model name (default: model.name in mlci.yaml)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@click.option("--stats", is_flag=True, help="Delivery figures (DORA's four keys) instead.")
@click.option(
    "--since", default="90d", show_default=True, help="--stats: the window (36h, 90d, 2w)."
)
@click.option(
    "--failure-window",
    default="7d",
    show_default=True,
    help="--stats: a rollback this soon after a promotion makes it a failed change.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="--stats: also write the figures as an HTML page, a chart per figure.",
)
def command(
    *,
    config_path: Path,
    model_name: str | None,
    as_json: bool,
    stats: bool,
    since: str,
    failure_window: str,
    html_path: Path | None = None,
) -> int:
    """Show the champion timeline of a model."""
    from mlci.config_load import load_config
    from mlci.trail import history
    from mlci.wiring import registry_for

    if html_path is not None and not stats:
        from mlci.errors import InputError

        raise InputError("--html: writes the --stats figures; add --stats")
    loaded = load_config(config_path)
    name = model_name or loaded.require_model().name
    if stats:
        return _stats(
            loaded, name=name, since=since, failure_window=failure_window, as_json=as_json,
            html_path=html_path,
        )  # fmt: skip
    events = history(registry_for(loaded), name, loaded.config.registry.champion_alias)
    if not events:
        click.echo(f"{name}: no promotions recorded by mlci")
        return 0
    for event in reversed(events):
        if as_json:
            click.echo(json.dumps(json.loads(event.to_json()), sort_keys=True))
            continue
        replaced = f" (replaced v{event.replaced_version})" if event.replaced_version else ""
        forced = " [forced]" if event.forced else ""
        sha = f" commit {event.git_sha[:12]}" if event.git_sha else ""
        report = f" report {event.report_digest[:19]}" if event.report_digest else ""
        click.echo(
            f"{event.at}  {event.action.value:8} v{event.version}{replaced}{forced}  by {event.by}{sha}{report}"
        )
    return 0


def _stats(
    loaded: LoadedConfig,
    *,
    name: str,
    since: str,
    failure_window: str,
    as_json: bool,
    html_path: Path | None = None,
) -> int:
    from mlci.delivery import render, stats_as_configured

    figures = stats_as_configured(loaded, name=name, since=since, failure_window=failure_window)
    lines = [json.dumps(figures.as_json(), sort_keys=True)] if as_json else render(figures)
    click.echo("\n".join(lines))
    if html_path is not None:
        from mlci.report.stats_html import render_stats_html

        html_path.write_text(render_stats_html(figures), encoding="utf-8")
    return 0
