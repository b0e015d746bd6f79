"""`mlci init`: set mlci up in this repository (config, contract, workflows, hook, .gitignore)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

TASKS = ("binary", "multiclass", "regression")
# (option, what it is): asked in this order on a terminal, each with the guess as its default
QUESTIONS = (
    ("data", "Data to validate (CSV or Parquet)"),
    ("reference", "Reference data, what the champion was trained on ('none' for none)"),
    ("eval_data", "Evaluation rows, with the label"),
    ("label", "Label column"),
    ("task", "Task"),  # click adds the choices
    ("name", "Registered model name"),
    ("candidate", "Candidate model (an MLflow model directory or URI)"),
    ("tracking_uri", "MLflow registry (tracking URI)"),
)


@click.command(name="init")
@click.option("--data", help="The data to validate (guess: a table named new/current/batch).")
@click.option("--reference", help="Reference data (guess: a table named train*); 'none' for none.")
@click.option("--eval-data", help="Evaluation rows, with the label (guess: eval/valid/test).")
@click.option("--label", help="The label column (guess: target/label/y/class, else the last).")
@click.option("--task", type=click.Choice(TASKS), help="Guess: from the label's values.")
@click.option("--name", help="Registered model name in MLflow (guess: the folder's name).")
@click.option("--candidate", help="The model under test (guess: a folder holding MLmodel).")
@click.option("--registry", "tracking_uri", help="MLflow tracking URI [sqlite:///mlflow.db].")
@click.option("-y", "--yes", is_flag=True, help="Ask nothing: take the flags and the guesses.")
@click.option("--force", is_flag=True, help="Replace files mlci init wrote before.")
def command(*, yes: bool, force: bool, **given: str | None) -> int:
    """Set mlci up in this repository: mlci.yaml, a schema contract inferred from the reference,
    the caller workflows, the pre-push hook and the .gitignore lines. Existing files are kept
    unless --force; the next three things to do are printed at the end."""
    from mlci.init.inspect import guess, guess_label_task
    from mlci.init.setup import init_repository

    root = Path.cwd()
    answers = guess(root).with_overrides(
        **{k: v for k, v in given.items() if k not in ("label", "task")}
    )
    ask = not yes and sys.stdin.isatty()
    if ask:
        answers = answers.with_overrides(**_ask(answers, given, ("data", "reference", "eval_data")))
    label, task = guess_label_task(root / answers.eval_data, given["label"])
    answers = answers.with_overrides(label=label, task=given["task"] or task)
    if ask:
        answers = answers.with_overrides(**_ask(answers, given, tuple(k for k, _ in QUESTIONS[3:])))
    result = init_repository(root=root, answers=answers, force=force)
    for written in result.files:
        note = " (exists; --force to replace)" if written.action == "kept" else ""
        click.echo(f"{written.action:>10} {written.path}{note}")
    click.echo("\nNext:")
    for i, step in enumerate(result.next_steps, 1):
        click.echo(f"  {i}. {step}")
    return 0


def _ask(answers: object, given: dict[str, str | None], keys: tuple[str, ...]) -> dict[str, str]:
    """Prompt for each key not given as a flag, the guess as the default."""
    texts = dict(QUESTIONS)
    asked: dict[str, str] = {}
    for key in keys:
        if given.get(key) is not None:
            continue
        default = getattr(answers, key) or "none"
        kind = click.Choice(TASKS) if key == "task" else click.STRING
        asked[key] = click.prompt(texts[key], default=default, type=kind)
    return asked
