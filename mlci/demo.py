"""`mlci demo`: a real example project, driven through the whole gate.

It copies examples/demo-project, makes it a git and DVC repository with a local remote, trains
real scikit-learn models, and runs gate → promote for a first model, a worse candidate (refused),
a better one (promoted), then a rollback. Nothing leaves the machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType

from mlci.adapters.dvc import dvc
from mlci.config_load import LoadedConfig, load_config
from mlci.errors import InputError, RefusedError
from mlci.gate import GATE, run_steps
from mlci.promotion import promote_as_configured, rollback_as_configured
from mlci.report.io import write_report
from mlci.report.render import render_markdown
from mlci.results import GateReport, Status

Say = Callable[[str], None]
DATA_FILES = ("data/train.csv", "data/eval.csv", "data/new.csv")


@dataclass(frozen=True)
class DemoResult:
    root: Path
    report_json: Path
    report_md: Path
    champion: str


def example_dir() -> Path:
    packaged = Path(str(resources.files("mlci"))) / "examples" / "demo-project"
    return (
        packaged
        if packaged.is_dir()
        else Path(__file__).resolve().parents[1] / "examples" / "demo-project"
    )


def run_demo(*, root: Path, say: Say) -> DemoResult:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    _prepare(root, say)
    project = _load_project(root)
    loaded = load_config(root / "mlci.yaml")
    report_json = root / "mlci-report.json"

    say("[1/5] first model (a shallow tree): gate, then promote")
    _gate_and_promote(project, loaded, "baseline", report_json, say)
    say("[2/5] a worse candidate (one weak feature): the gate must say no")
    _gate_and_promote(project, loaded, "broken", report_json, say)
    say("[3/5] a better candidate (scaled logistic regression): gate, then promote")
    final = _gate_and_promote(project, loaded, "tuned", report_json, say)
    report_md = root / "mlci-report.md"
    report_md.write_text(render_markdown(final), encoding="utf-8")  # report_json holds it already

    say("[4/5] rollback: @champion back to the previous champion")
    moved = rollback_as_configured(loaded, to=None, force=False)
    say(f"      {moved.message}")
    say("[5/5] history: `mlci history` in the project shows the timeline")
    return DemoResult(
        root=root, report_json=report_json, report_md=report_md, champion=moved.champion
    )


def _prepare(root: Path, say: Say) -> None:
    if root.exists() and any(root.iterdir()):
        raise InputError(f"{root}: demo directory exists and is not empty (pick a new one)")
    say(f"building the example project in {root}")
    shutil.copytree(example_dir(), root, dirs_exist_ok=True)
    _git(["init", "-q", "-b", "main"], root)
    project = _load_project(root)
    project.make_data(root)
    say("  data: scikit-learn's breast-cancer set → data/train.csv, data/eval.csv, data/new.csv")
    _write_contract(root)
    say("  schema contract: mlci.schema.yaml inferred from data/train.csv (--range-margin 1)")
    dvc(["init", "-q"], root)
    dvc(["remote", "add", "-d", "local", str(root / ".dvc-storage")], root)
    dvc(["add", "-q", *DATA_FILES], root)
    dvc(["push", "-q"], root, service=True)
    say(f"  DVC: data tracked and pushed to the local remote {root / '.dvc-storage'}")
    _git(["add", "-A"], root)
    _git(["commit", "-q", "-m", "Example project: data (DVC), contract, mlci.yaml"], root)


def _write_contract(root: Path) -> None:
    from mlci.data.contract import dump_contract
    from mlci.data.infer import infer_contract
    from mlci.data.reader import read_table

    # The cell measurements are heavy-tailed: a sample's extremes understate the population's,
    # so the demo widens ranges more than the default (`mlci schema infer --range-margin 1`).
    contract = infer_contract(read_table(root / "data" / "train.csv"), range_margin=1.0)
    (root / "mlci.schema.yaml").write_text(dump_contract(contract), encoding="utf-8")


def _load_project(root: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("mlci_demo_train", root / "train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gate_and_promote(
    project: ModuleType, loaded: LoadedConfig, kind: str, report_json: Path, say: Say
) -> GateReport:
    model = loaded.require_model()
    project.train(loaded.root, kind, Path(model.candidate))
    report = run_steps(loaded=loaded, names=GATE, progress=lambda _: None, report_dir=loaded.root)
    write_report(report, report_json)
    say(f"      gate: {report.verdict.value.upper()}" + _summary(report))
    try:
        moved = promote_as_configured(loaded, report_json)
    except RefusedError as exc:
        say(f"      promote refused (exit 1): {exc}")
        return report
    say(f"      promote: {moved.message}")
    return report


def _summary(report: GateReport) -> str:
    regress = report.step("regress")
    if regress is None:
        return ""
    worst = sorted(regress.checks, key=lambda c: -c.status.severity)
    if worst and worst[0].status.severity >= Status.WARN.severity:
        return f" — {worst[0].message}"
    return " — " + (regress.notes[0] if regress.notes else "not worse than the champion")


def _git(args: list[str], cwd: Path) -> None:
    identity = ["-c", "user.name=mlci demo", "-c", "user.email=demo@mlci.invalid"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise InputError(
            f"git {' '.join(args)} (in {cwd}): {done.stderr.strip() or done.returncode}"
        )
