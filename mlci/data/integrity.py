"""Integrity checks on a profile: duplicates, constant columns, mixed types, the label.

They need no contract. Where a reference profile is given, a constant column that varied in the
reference fails (a feature went dead), while one that was already constant only warns.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from mlci.config import Levels
from mlci.data.profile import ColumnProfile, Profile
from mlci.results import CheckResult, Status

# A text column is "mostly numbers" from this share of number-like values on.
MIXED_MIN_SHARE = 0.5
MAX_CLASSES = 50


def check_integrity(
    profile: Profile,
    *,
    reference: Profile | None,
    label: str | None,
    duplicates: Levels,
    ignore: Collection[str] = (),
) -> tuple[CheckResult, ...]:
    """IGNORE: columns with role `ignore` (no column checks)."""
    checks = [_duplicates(profile, duplicates)]
    for col in profile.columns.values():
        if col.name in ignore:
            continue
        checks.extend(_column(col, reference.columns.get(col.name) if reference else None))
    if label is not None:
        checks.append(_label(profile, reference, label))
    return tuple(checks)


def _duplicates(profile: Profile, levels: Levels) -> CheckResult:
    repeats = profile.duplicates()
    share = repeats / profile.rows if profile.rows else 0.0
    status = (
        Status.FAIL if share > levels.fail else Status.WARN if share > levels.warn else Status.PASS
    )
    exact = profile.row_hashes.exact
    amount = f"{repeats:,.0f}" if exact else f"about {repeats:,.0f}"
    return CheckResult(
        id="duplicates",
        title="Duplicated rows",
        status=status,
        message=f"{amount} duplicated row(s) ({share:.1%} of {profile.rows:,})"
        + (f" > {levels.fail:.1%} (fail)" if status is Status.FAIL else ""),
        observed={"rows": round(repeats, 1), "share": round(share, 6), "exact": exact},
        expected={"warn": levels.warn, "fail": levels.fail},
    )


def _column(col: ColumnProfile, ref: ColumnProfile | None) -> Iterator[CheckResult]:
    if col.present > 0 and col.distinct_exact() and round(col.distinct()) == 1:
        yield _constant(col, ref)
    if col.type == "string" and col.present > 0:
        share = col.number_like / col.present
        if MIXED_MIN_SHARE <= share < 1.0:
            yield _mixed(col, share)


def _constant(col: ColumnProfile, ref: ColumnProfile | None) -> CheckResult:
    varied = ref is not None and ref.present > 0 and round(ref.distinct()) > 1
    value = next(iter(col.values)) if col.values else "one value"
    return CheckResult(
        id="constant",
        title="Not constant",
        status=Status.FAIL if varied else Status.WARN,
        message=f"{col.name}: every value is {value!r}"
        + (f" (the reference has {ref.distinct():,.0f} distinct values)" if varied and ref else ""),
        observed=1,
        expected="more than 1 distinct value",
        column=col.name,
    )


def _mixed(col: ColumnProfile, share: float) -> CheckResult:
    others = col.present - col.number_like
    examples = ", ".join(repr(e) for e in col.text_examples)
    return CheckResult(
        id="mixed_types",
        title="One type per column",
        status=Status.WARN,
        message=f"{col.name}: {others:,} of {col.present:,} values are not numbers "
        f"(e.g. {examples}) in a mostly numeric column",
        observed={
            "number_like": col.number_like,
            "text": others,
            "examples": list(col.text_examples),
        },
        expected="one type",
        column=col.name,
    )


def _label(profile: Profile, reference: Profile | None, label: str) -> CheckResult:
    col = profile.columns.get(label)
    if col is None:
        return _label_result(label, Status.FAIL, f"{label}: label column is missing from the data")
    if col.nulls:
        return _label_result(label, Status.FAIL, f"{label}: {col.nulls:,} row(s) without a label")
    ref = reference.columns.get(label) if reference else None
    if _classes(col) and ref is not None and _classes(ref):
        new = sorted(str(v) for v in set(col.values or ()) - set(ref.values or ()))
        if new:
            return _label_result(
                label, Status.FAIL, f"{label}: class(es) {', '.join(new[:5])} not in the reference"
            )
    if _classes(col) and col.values is not None and len(col.values) == 1:
        return _label_result(
            label, Status.WARN, f"{label}: only one class ({next(iter(col.values))!r})"
        )
    classes = f"{len(col.values)} classes" if col.values is not None else "labels present"
    return _label_result(label, Status.PASS, f"{label}: {classes}, no missing labels")


def _classes(col: ColumnProfile) -> bool:
    """A label with classes (not a regression target): few values, not fractional numbers."""
    return col.values is not None and len(col.values) <= MAX_CLASSES and col.type != "float"


def _label_result(label: str, status: Status, message: str) -> CheckResult:
    return CheckResult(id="label", title="Label", status=status, message=message, column=label)
