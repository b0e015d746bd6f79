"""The files `mlci init` writes: mlci.yaml, the contract, the caller workflows, the pre-push
hook and the .gitignore lines. A file that exists is kept unless FORCE; the two shared files
(.gitignore, .pre-commit-config.yaml) only ever gain the lines mlci needs."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from mlci.init.inspect import Answers

WORKFLOWS = ("mlci-pr.yml", "mlci-promote.yml", "mlci-rollback.yml")
IGNORED = (
    "mlflow.db",
    "mlartifacts/",
    "mlci-report.*",
    "mlci-version.json",
    "mlci-crash.log",
    ".mlci/",
)
HOOK_ID = "mlci-gate"
# A local hook runs `mlci gate` in the team's own environment, where the model's libraries
# (sklearn, xgboost, ...) are installed: pre-commit's own venv for a `language: python` hook
# would hold mlci but not them, and would cost minutes of pip on first use. verbose: the
# verdict (and "its report is reused") shows on a passing push too.
HOOK = f"""\
  - repo: local
    hooks:
      - id: {HOOK_ID}
        name: mlci gate
        entry: mlci gate
        language: system
        stages: [pre-push]
        always_run: true
        pass_filenames: false
        require_serial: true
        verbose: true
"""

CONFIG = """\
# mlci configuration (docs/configuration.md); `mlci config schema` prints its JSON Schema.
data:
  path: {data}    # the data under test (CSV or Parquet)
  {reference_line}
  schema: mlci.schema.yaml    # the contract, inferred from {schema_source}: review it
  label: {label}
model:
  name: {name}
  task: {task}    # binary | multiclass | regression
  candidate: {candidate}    # an MLflow model directory, runs:/..., or models:/NAME/VERSION
  eval_data: {eval_data}    # evaluation rows, with the label
  metrics: {{}}    # empty: the task's default metrics, reported with no floor; e.g. accuracy: {{min: 0.8, max_drop: 0.01}}
registry:
  tracking_uri: {tracking_uri}    # MLFLOW_TRACKING_URI wins when set
  champion_alias: champion
"""


@dataclass(frozen=True)
class Written:
    path: str
    action: str  # "wrote", "kept" (exists; --force to replace), "added to", "already in"


def config_text(answers: Answers) -> str:
    ref = answers.reference
    return CONFIG.format(
        data=answers.data,
        reference_line=(
            f"reference: {ref}    # what the champion was trained on: drift is measured against it"
            if ref
            else "# reference: data/train.csv    # no training table found: drift is off until set"
        ),
        schema_source=ref or answers.data,
        label=answers.label,
        name=answers.name,
        task=answers.task,
        candidate=answers.candidate,
        eval_data=answers.eval_data,
        tracking_uri=answers.tracking_uri,
    )


def write_new(root: Path, rel: str, text: str, *, force: bool) -> Written:
    path = root / rel
    if path.exists() and not force:
        return Written(rel, "kept")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return Written(rel, "wrote")


def examples_dir() -> Path:
    """The example callers, shipped in the wheel (pyproject force-include) or in a checkout."""
    packaged = Path(str(resources.files("mlci"))) / "examples" / "workflows"
    return (
        packaged
        if packaged.is_dir()
        else Path(__file__).resolve().parents[2] / "examples" / "workflows"
    )


def workflow_text(name: str, *, requirements: bool) -> str:
    """The example caller as shipped; without a requirements file its `requirements:` line
    goes (the reusable workflows then install mlci alone)."""
    text = (examples_dir() / name).read_text(encoding="utf-8")
    if requirements:
        return text
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if line.strip() != "requirements: requirements.txt"
    )


def add_gitignore(root: Path) -> Written:
    path = root / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in IGNORED if line not in present]
    if not missing:
        return Written(".gitignore", "already in")
    head = "" if not text or text.endswith("\n") else "\n"
    block = head + "# mlci: the local registry, its artifacts, reports and the gate cache\n"
    path.write_text(text + block + "".join(f"{line}\n" for line in missing), encoding="utf-8")
    return Written(".gitignore", "added to")


def add_hook(root: Path) -> Written:
    """Add the mlci-gate hook; an existing config gains it only where appending is safe
    (`repos:` its last top-level key), otherwise it is kept and the entry is printed."""
    rel = ".pre-commit-config.yaml"
    path = root / rel
    if not path.exists():
        path.write_text("repos:\n" + HOOK, encoding="utf-8")
        return Written(rel, "wrote")
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text) or {}
    hooks = [h.get("id") for r in doc.get("repos") or [] for h in r.get("hooks") or []]
    if HOOK_ID in hooks:
        return Written(rel, "already in")
    if not isinstance(doc, dict) or list(doc)[-1:] != ["repos"]:
        return Written(rel, "kept")
    head = "" if text.endswith("\n") else "\n"
    path.write_text(text + head + HOOK, encoding="utf-8")
    return Written(rel, "added to")
