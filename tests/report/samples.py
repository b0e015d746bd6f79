"""GateReports built directly from mlci.results, with every kind of check the renderers know.

Hostile strings sit where data puts them (column names, category values, messages): a team
mention, a closing </details>, table pipes, backticks, a code fence and a script tag.
"""

from __future__ import annotations

from mlci.results import CheckResult, GateReport, ModelRef, Provenance, Status, StepResult

HOSTILE_COLUMN = "size|bytes"
HOSTILE_CATEGORY = "@org/everyone"
HOSTILE_CLOSE = "</details>"
HOSTILE_CODE = "```\n<script>alert(1)</script>`"


def metric(
    name: str, status: Status, cand: float, champ: float | None, **extra: object
) -> CheckResult:
    delta = None if champ is None else cand - champ
    return CheckResult(
        id="metric",
        title=name,
        status=status,
        message=f"{name}: {cand:.4f}",
        observed=cand,
        expected={"min": 0.85, "max_drop": 0.01, "decision": "ci"},
        details={
            "metric": name,
            "candidate": cand,
            "champion": champ,
            "delta": delta,
            "higher_is_better": True,
            **extra,
        },
    )


def full_report(*, failing: bool = True, champion: bool = True) -> GateReport:
    """validate (drift, categories) and regress (metrics with intervals, slices) steps."""
    bad = Status.FAIL if failing else Status.PASS
    validate = StepResult(
        name="validate",
        seconds=1.25,
        notes=("reference profile reused",),
        checks=(
            CheckResult(
                "categories",
                "categories",
                bad,
                f"clinic: unexpected values {HOSTILE_CATEGORY}, {HOSTILE_CLOSE}",
                observed=[HOSTILE_CATEGORY, HOSTILE_CLOSE],
                column="clinic",
            ),
            CheckResult(
                "nulls", "nulls", Status.PASS, f"{HOSTILE_COLUMN}: no nulls", column=HOSTILE_COLUMN
            ),
            CheckResult(
                "range",
                "range",
                Status.WARN,
                f"mean_radius: 3 values above max {HOSTILE_CODE}",
                column="mean_radius",
            ),
            # The validate step's form: observed {"method", "value"}, expected {"warn", "fail"}.
            CheckResult(
                "drift",
                "Distribution drift",
                bad,
                "worst_radius drifted: psi 0.31 > 0.2",
                observed={"method": "psi", "value": 0.31, "noise_floors": [0.01]},
                expected={"warn": 0.1, "fail": 0.2},
                column="worst_radius",
            ),
            CheckResult(
                "drift",
                "Share of drifted columns",
                Status.PASS,
                "1 of 3 columns drifted (33%)",
                observed={"drifted": 1, "tested": 3, "share": 0.3333},
                expected={"warn": 0.5, "fail": 0.75},
            ),
            # Older or simpler forms: a bare score and bound, details["method"].
            CheckResult(
                "drift",
                "drift",
                Status.PASS,
                "psi 0.01",
                observed=0.01,
                expected=0.2,
                column=HOSTILE_COLUMN,
                details={"method": "js"},
            ),
            CheckResult(
                "drift",
                "drift",
                Status.PASS,
                "psi 0.05",
                observed=0.05,
                expected={"max": 0.2},
                column="mean_texture",
            ),
        ),
    )
    ci = {"ci_low": -0.021, "ci_high": 0.004, "confidence": 0.95}
    regress = StepResult(
        name="regress",
        seconds=3.5,
        checks=(
            metric(
                "accuracy",
                Status.PASS,
                0.95,
                0.94 if champion else None,
                **ci,
            ),
            metric(
                "roc_auc",
                bad,
                0.90,
                0.97 if champion else None,
                ci_low=-0.09,
                ci_high=-0.05,
                confidence=0.95,
            ),
            metric("f1", Status.PASS, 0.93, 0.92 if champion else None),
            CheckResult(
                "metric_slice",
                "roc_auc",
                bad,
                f"roc_auc on clinic={HOSTILE_CATEGORY}: 0.71",
                observed=0.71,
                column="clinic",
                details={
                    "slice": f"clinic={HOSTILE_CATEGORY}",
                    "rows": 42,
                    "metric": "roc_auc",
                    "candidate": 0.71,
                    "champion": 0.9,
                    "delta": -0.19,
                },
            ),
            CheckResult(
                "metric_slice",
                "roc_auc",
                Status.PASS,
                "roc_auc on clinic=north: 0.95",
                observed=0.95,
                column="clinic",
                details={"slice": "north", "rows": 57},
            ),
            CheckResult(
                "latency",
                "latency p95",
                Status.PASS,
                "p95 3.1 ms <= 50 ms",
                observed=3.1,
                expected=50,
            ),
        ),
    )
    prov = Provenance(
        git_sha="0123456789abcdef0123456789abcdef01234567",
        config_digest="sha256:" + "c" * 64,
        mlci_version="0.1.0",
        created_at="2026-11-26T14:00:00+00:00",
        candidate=ModelRef(
            "breast-cancer-classifier", "models/candidate", version="3", digest="sha256:" + "a" * 64
        ),
        champion=ModelRef(
            "breast-cancer-classifier", "models:/breast-cancer-classifier/2", version="2"
        )
        if champion
        else None,
        data={"data": "sha256:" + "d" * 64, "eval_data": "md5:abc"},
    )
    return GateReport(steps=(validate, regress), provenance=prov)


def bare_report() -> GateReport:
    """Only the keys the oldest regress step wrote: no intervals, no slices, no drift."""
    regress = StepResult(
        name="regress",
        checks=(
            CheckResult(
                "metric", "accuracy", Status.PASS, "accuracy: 0.9 (no champion)", observed=0.9
            ),
            CheckResult(
                "metric",
                "rmse",
                Status.PASS,
                "rmse: 12.5",
                observed=12.5,
                details={"candidate": 12.5},
            ),
        ),
    )
    prov = Provenance(
        git_sha=None,
        config_digest="sha256:0",
        mlci_version="0.1.0",
        created_at="2026-11-26T14:00:00+00:00",
    )
    return GateReport(steps=(regress,), provenance=prov)
