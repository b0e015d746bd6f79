"""The validate step: profile the data once (streaming), then run every check on profiles.

Order: the reference profile first (its bins fix the histograms), then one pass over the data,
then the contract, integrity and drift checks, and the optional deepchecks suites.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mlci.config import ValidateConfig
from mlci.config_load import LoadedConfig
from mlci.data.contract import Contract, load_contract
from mlci.data.drift import check_drift
from mlci.data.engine import DataSource, describe, open_source, profile_source
from mlci.data.infer import roles_of
from mlci.data.integrity import check_integrity
from mlci.data.joint import check_joint_drift
from mlci.data.profile import Profile
from mlci.data.progress import ReadReport
from mlci.data.reference import Reference, load_reference
from mlci.data.shift import check_roles, is_classes
from mlci.data.types import Role
from mlci.data.validate import check_contract
from mlci.errors import InputError
from mlci.results import CheckResult, StepResult

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ValidateOutcome:
    step: StepResult
    data_digests: dict[str, str]
    profile: Profile | None = None


def run_validate(
    *, loaded: LoadedConfig, report_dir: Path | None = None, progress: Progress | None = None
) -> ValidateOutcome:
    """REPORT_DIR: where deepchecks' HTML goes (next to mlci's report); default: the config's
    folder. PROGRESS: now and then a line on a long read (None: nothing is said)."""
    started = time.perf_counter()
    data_path = loaded.config.data.path or loaded.require_data("path")  # a URL stays text
    contract = _contract(loaded)
    # a wrong suffix or a missing file fails here, before any reading; the digest the report
    # records is then taken on a thread while the rows are profiled
    settings = loaded.config.validate_
    if settings.deepchecks is not None and isinstance(data_path, str):
        raise InputError(f"{data_path}: validate.deepchecks reads local files, not URLs")
    data = open_source(data_path, settings)
    say = progress or _silent
    with tempfile.TemporaryDirectory(prefix="mlci-validate-") as work:
        reference = _reference(loaded, Path(work), say)
        current = _profile(data, reference, settings, say)
        checks = _checks(loaded, current, reference, contract)
        notes = _notes(loaded, current, reference, contract)
        notes += tuple(n for n in [describe(settings, data)] if n)
        if settings.deepchecks is not None:
            from mlci.adapters.deepchecks import run_suites
            from mlci.data.suites import suite_checks

            found = suite_checks(
                run_suites(
                    config=settings.deepchecks,
                    data=Path(data_path),
                    reference=reference.data_path if reference else None,
                    label=loaded.config.data.label,
                    html_dir=report_dir or loaded.root,
                ),
                settings.deepchecks,
            )
            checks += found.checks
            notes += found.notes
    step = StepResult(
        name="validate", checks=checks, seconds=time.perf_counter() - started, notes=notes
    )
    if not data.unchanged():
        raise InputError(f"{data_path}: the data changed while it was being validated (run again)")
    digests = {"data": data.digest}
    if reference is not None:
        digests["reference"] = reference.digest
    return ValidateOutcome(step=step, data_digests=digests, profile=current)


def _contract(loaded: LoadedConfig) -> Contract | None:
    schema = loaded.config.data.schema_
    return None if schema is None else load_contract(Path(schema))


def _silent(message: str) -> None:
    pass


def _reference(loaded: LoadedConfig, work: Path, say: Progress) -> Reference | None:
    return load_reference(
        loaded,
        workdir=work,
        batch_rows=loaded.config.validate_.batch_rows,
        advance=ReadReport("reading the reference", say).advance,
    )


def _profile(
    data: DataSource, reference: Reference | None, settings: ValidateConfig, say: Progress
) -> Profile:
    edges = reference.profile.edges() if reference else None
    advance = ReadReport(f"profiling {data.name}", say).advance
    return profile_source(data, settings=settings, edges=edges, advance=advance)


def _checks(
    loaded: LoadedConfig, current: Profile, reference: Reference | None, contract: Contract | None
) -> tuple[CheckResult, ...]:
    settings = loaded.config.validate_
    label = loaded.config.data.label
    ref = reference.profile if reference else None
    roles = roles_of(current, contract=contract, reference=ref, label=label)
    checks: tuple[CheckResult, ...] = ()
    if contract is not None:
        checks += check_contract(current, contract)
    checks += check_integrity(
        current,
        reference=ref,
        label=label,
        duplicates=settings.duplicates,
        ignore=[n for n, r in roles.items() if r is Role.IGNORE],
    )
    checks += check_roles(
        current,
        ref,
        roles,
        freshness=settings.freshness,
        alpha=settings.drift.alpha,
        now=datetime.now(timezone.utc),
    )
    if ref is not None:
        # ids and timestamps have no distribution to compare; a label with classes has its
        # prior-shift check instead
        left_out = [n for n, r in roles.items() if r not in (Role.FEATURE, Role.LABEL)]
        left_out += [n for n, r in roles.items() if r is Role.LABEL and is_classes(current, ref, n)]
        checks += check_drift(current, ref, settings.drift, exclude=left_out)
        checks += check_joint_drift(
            current, ref, roles, settings.joint_drift, alpha=settings.drift.alpha
        )
    return checks


def _notes(
    loaded: LoadedConfig, current: Profile, reference: Reference | None, contract: Contract | None
) -> tuple[str, ...]:
    notes = [f"data: {current.rows:,} rows x {len(current.columns)} columns"]
    if reference is None:
        notes.append("no reference (data.reference not set): drift not checked")
    else:
        notes.append(f"reference: {reference.describe} ({reference.profile.rows:,} rows)")
    if contract is None:
        notes.append(
            f"no schema contract (data.schema not set in {loaded.path.name}): "
            "contract checks skipped"
        )
    return tuple(notes)
