"""`mlci init`'s one core function: check the answers, infer the contract, then write.

Everything that can fail (a missing table, a name the registry refuses, a table that cannot be
read) fails before the first file is written, so a refused init leaves the repository as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlci.errors import InputError
from mlci.init.files import (
    WORKFLOWS,
    Written,
    add_gitignore,
    add_hook,
    config_text,
    workflow_text,
    write_new,
)
from mlci.init.inspect import Answers

CONFIG = "mlci.yaml"
CONTRACT = "mlci.schema.yaml"


@dataclass(frozen=True)
class InitResult:
    answers: Answers
    files: tuple[Written, ...]
    next_steps: tuple[str, ...]


def init_repository(*, root: Path, answers: Answers, force: bool) -> InitResult:
    for flag, rel in (("--data", answers.data), ("--eval-data", answers.eval_data)):
        if not (root / rel).is_file():
            raise InputError(f"{rel}: not found (pass {flag} PATH, relative to {root})")
    if answers.reference and not (root / answers.reference).is_file():
        raise InputError(f"{answers.reference}: not found (pass --reference PATH, or none)")
    config = config_text(answers)
    _check_config(root, config)
    contract = _contract(root / (answers.reference or answers.data))
    requirements = (root / "requirements.txt").is_file()
    files = [
        write_new(root, CONFIG, config, force=force),
        write_new(root, CONTRACT, contract, force=force),
        *(
            write_new(
                root,
                f".github/workflows/{name}",
                workflow_text(name, requirements=requirements),
                force=force,
            )
            for name in WORKFLOWS
        ),
        add_hook(root),
        add_gitignore(root),
    ]
    return InitResult(answers=answers, files=tuple(files), next_steps=next_steps())


def _check_config(root: Path, text: str) -> None:
    """What init writes must load: `--name "my model"` is refused here, before any write."""
    from mlci.config_load import load_config
    from mlci.errors import ConfigError

    probe = root / f".{CONFIG}.init"
    probe.write_text(text, encoding="utf-8")
    try:
        load_config(probe)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace(probe.name, CONFIG)) from None
    finally:
        probe.unlink()


# Ranges widened by their whole width on both sides: a reference of a few hundred rows has not
# seen the tails of its own distribution, and a first gate that fails on them teaches nothing.
# `mlci schema infer` (margin 0.5) is the tool to tighten it once the team has looked.
RANGE_MARGIN = 1.0


def _contract(source: Path) -> str:
    """`mlci schema infer`'s core, on the reference (the data the model learnt from)."""
    from mlci.data.contract import dump_contract
    from mlci.data.infer import infer_from_profile
    from mlci.data.profile import build_profile

    profile = build_profile((source,))
    return dump_contract(infer_from_profile(profile, range_margin=RANGE_MARGIN))


def next_steps() -> tuple[str, ...]:
    return (
        "mlci config check && mlci gate    # the first gate: no champion yet, so floors apply",
        "pre-commit install --hook-type pre-push    # the gate runs before every git push",
        f"git add {CONFIG} {CONTRACT} .gitignore .pre-commit-config.yaml .github/workflows && "
        'git commit -m "Add mlci"    # then set the MLFLOW_TRACKING_URI secret for CI',
    )
