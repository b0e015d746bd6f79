"""Runs deepchecks suites INSIDE the isolated deepchecks environment (never imported by mlci).

    python deepchecks_runner.py SPEC.json

SPEC: {"suites": [...], "exclude": [check, ...], "data": path, "reference": path | null,
"label": str | null, "html_dir": dir, "out": path}. Writes OUT: {"suites": [{"suite", "html",
"error", "excluded", "checks": [{"check", "header", "status", "message"}]}]}. Every check
deepchecks could not run is reported as status "error" (fail_if_check_not_run semantics):
nothing that did not run reads as a pass.

Written for Python 3.8+ (annotations stay strings) and deepchecks 0.19.1's own dependency
pins (numpy<2, pandas<3).
"""

from __future__ import annotations

import json
import re
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

_ORDER = {"PASS": 0, "WARN": 1, "FAIL": 2, "ERROR": 3}


def _read(path: str) -> Any:
    import pandas as pd

    if path.lower().endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    return pd.read_csv(path)


def _dataset(frame: Any, label: str | None) -> Any:
    from deepchecks.tabular import Dataset  # type: ignore[import-not-found]

    features = [c for c in frame.columns if c != label]
    categorical = [
        c for c in features if frame[c].dtype == object or str(frame[c].dtype) == "category"
    ]
    return Dataset(frame, label=label if label in frame.columns else None, cat_features=categorical)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _check(result: Any) -> dict[str, str]:
    from deepchecks.core.check_result import CheckFailure  # type: ignore[import-not-found]

    check = _snake(type(result.check).__name__)
    header = result.get_header()
    if isinstance(result, CheckFailure):
        return {
            "check": check,
            "header": header,
            "status": "error",
            "message": f"did not run: {result.exception}",
        }
    conditions = list(result.conditions_results or [])
    if not conditions:
        return {
            "check": check,
            "header": header,
            "status": "skip",
            "message": "ran; it has no pass/fail condition",
        }
    worst = max(conditions, key=lambda c: _ORDER[c.category.value])
    text = f"{worst.name}: {worst.details}" if worst.details else str(worst.name)
    return {
        "check": check,
        "header": header,
        "status": worst.category.value.lower(),
        "message": text,
    }


def _run_suite(name: str, spec: dict[str, Any], data: Any, reference: Any) -> dict[str, Any]:
    from deepchecks.tabular import suites

    rows = max(len(data), len(reference) if reference is not None else 0)
    # n_samples = all rows: deepchecks samples (10k-100k rows) unless told otherwise.
    suite = getattr(suites, name)(n_samples=rows, random_state=0)
    excluded: list[str] = []
    for index, check in list(suite.checks.items()):
        if _snake(type(check).__name__) in spec.get("exclude", []):
            suite.remove(index)
            excluded.append(_snake(type(check).__name__))
    label = spec.get("label")
    if name == "train_test_validation":
        if reference is None:
            return {
                "suite": name,
                "error": "needs reference rows (data.reference is a profile or unset)",
                "checks": [],
            }
        result = suite.run(
            train_dataset=_dataset(reference, label), test_dataset=_dataset(data, label)
        )
    else:
        result = suite.run(_dataset(data, label))
    html = f"{spec['html_dir']}/deepchecks-{name}.html"
    result.save_as_html(html, as_widget=False)
    checks = [_check(r) for r in result.results]
    return {"suite": name, "html": html, "checks": checks, "excluded": excluded}


def main() -> None:
    with Path(sys.argv[1]).open() as handle:
        spec = json.load(handle)
    warnings.filterwarnings("ignore")
    data = _read(spec["data"])
    reference = _read(spec["reference"]) if spec.get("reference") else None
    found: list[dict[str, Any]] = []
    for name in spec["suites"]:
        try:
            found.append(_run_suite(name, spec, data, reference))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            found.append(
                {
                    "suite": name,
                    "error": error,
                    "checks": [],
                    "traceback": traceback.format_exc()[-4000:],
                }
            )
    with Path(spec["out"]).open("w") as handle:
        json.dump({"suites": found}, handle)


if __name__ == "__main__":
    main()
