"""`mlci init`: write a starting mlci.yaml, never over an existing one."""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands._options import output_option

TEMPLATE = """\
# mlci configuration: see the mlci docs, docs/configuration.md.
data:
  path: {data}                # the data to validate (CSV or Parquet)
  schema: mlci.schema.yaml    # write it with: mlci schema infer {data}
  label: {label}
model:
  name: {name}
  task: {task}                # binary | multiclass | regression
  candidate: {candidate}      # a local MLflow model dir, runs:/..., or models:/NAME/VERSION
  eval_data: {eval_data}
  metrics: {{}}               # e.g. accuracy: {{min: 0.8, max_drop: 0.01}}; empty: the task's defaults
registry:
  tracking_uri: sqlite:///mlflow.db   # MLFLOW_TRACKING_URI wins when set
  champion_alias: champion
"""


@click.command(name="init")
@click.option("--name", required=True, help="Registered model name in MLflow.")
@click.option("--task", type=click.Choice(["binary", "multiclass", "regression"]), required=True)
@click.option("--label", default="target", show_default=True, help="The label column.")
@click.option("--data", default="data/new.csv", show_default=True, help="The data to validate.")
@click.option(
    "--eval-data",
    default="data/eval.csv",
    show_default=True,
    help="Evaluation rows, with the label.",
)
@click.option(
    "--candidate", default="models/candidate", show_default=True, help="The model under test."
)
@output_option(Path("mlci.yaml"), help="Where to write the config.")
def command(
    *, name: str, task: str, label: str, data: str, eval_data: str, candidate: str, output: Path
) -> int:
    """Write a starting mlci.yaml in this repository."""
    from mlci.config import load_config
    from mlci.errors import InputError

    if output.exists():
        raise InputError(f"{output}: already exists; edit it, or remove it first")
    text = TEMPLATE.format(
        name=name, task=task, label=label, data=data, eval_data=eval_data, candidate=candidate
    )
    output.write_text(text, encoding="utf-8")
    try:
        load_config(output)  # what init writes must load: a bad --name is caught here
    except Exception:
        output.unlink()
        raise
    click.echo(f"wrote {output}; next: mlci schema infer {data} -o mlci.schema.yaml")
    return 0
