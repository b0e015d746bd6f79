"""Expressions as GitHub documents them ("Evaluate expressions in workflows and actions")."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.expressions import (
    ExpressionError,
    condition,
    evaluate,
    hash_files,
    interpolate,
)

CONTEXTS: dict[str, Any] = {
    "github": {"event_name": "push", "ref": "refs/heads/main", "event": {"number": 7.0}},
    "inputs": {"to": "", "version": True, "labels": ["bug", "Help"], "n": 3.0},
    "steps": {"my-step": {"outputs": {"verdict": "pass"}}},
    "env": {"NAME": "world"},
}


def ev(source: str) -> Any:
    return evaluate(source, CONTEXTS)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("null", None),
        ("true", True),
        ("false", False),
        ("711", 711.0),
        ("-9.2", -9.2),
        ("0xff", 255.0),
        ("-2.99e-2", -0.0299),
        ("'It''s open source!'", "It's open source!"),
        ("github.event_name", "push"),
        ("github['event_name']", "push"),
        ("github.event.number", 7.0),
        ("github.missing.deeper", None),
        ("steps.my-step.outputs.verdict", "pass"),
        ("inputs.labels[1]", "Help"),
        ("inputs.labels[5]", None),
        ("GitHub.Event_Name", "push"),
    ],
)
def test_literals_and_access(source: str, value: Any) -> None:
    assert ev(source) == value


@pytest.mark.parametrize(
    ("source", "value"),
    [
        # Loose equality: different types compare as numbers; strings ignore case.
        ("'abc' == 'ABC'", True),
        ("null == 0", True),
        ("'' == 0", True),
        ("'1' == 1", True),
        ("true == 1", True),
        ("'true' == true", False),  # 'true' is NaN as a number
        ("'a' != 'b'", True),
        ("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 4", False),
        ("'a' < 'B'", True),
        ("!inputs.to", True),
        ("!!inputs.version", True),
        # && and || return an operand, which is how `cond && 'a' || 'b'` works.
        ("inputs.to != '' && format('--to {0}', inputs.to) || ''", ""),
        ("inputs.n && 'yes' || 'no'", "yes"),
        ("inputs.to || 'fallback'", "fallback"),
        ("null && 'x'", None),
        ("(1 == 1) && (2 == 3 || 'x')", "x"),
    ],
)
def test_operators(source: str, value: Any) -> None:
    assert ev(source) == value


def test_nan_compares_false_every_way() -> None:
    # 'x' is NaN as a number: no ordering and no equality holds.
    assert ev("'x' < 1 || 'x' >= 1 || 'x' == 1") is False
    assert ev("'x' != 1") is True


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("format('{0}/{1}', 'refs/heads', 'main')", "refs/heads/main"),
        ("format('{{0}} is {0}', 1)", "{0} is 1"),
        ("format('{0}', true)", "true"),
        ("contains('Hello world', 'WORLD')", True),
        ("contains(inputs.labels, 'help')", True),
        ("contains(inputs.labels, 'nope')", False),
        ("startsWith(github.ref, 'REFS/heads/')", True),
        ("endsWith(github.ref, '/dev')", False),
        ("join(inputs.labels, ', ')", "bug, Help"),
        ("join(inputs.labels)", "bug,Help"),
        ("join('one', '-')", "one"),
        ("toJSON(inputs.labels)", '[\n  "bug",\n  "Help"\n]'),
        ("fromJSON('{\"a\": [1, true]}').a[1]", True),
        ("fromJSON('3') == 3", True),
    ],
)
def test_functions(source: str, value: Any) -> None:
    assert ev(source) == value


def test_interpolation_keeps_a_lone_expressions_type() -> None:
    assert interpolate("${{ inputs.version }}", CONTEXTS) is True
    assert interpolate("${{ github.event.number }}", CONTEXTS) == 7.0
    assert interpolate("v=${{ inputs.version }} n=${{ inputs.n }}", CONTEXTS) == "v=true n=3"
    assert interpolate("hello ${{ env.NAME }}${{ null }}!", CONTEXTS) == "hello world!"


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("inputs.version", "success() && (inputs.version)"),
        ("${{ inputs.to != '' }}", "success() && (inputs.to != '')"),
        ("always()", "always()"),
        ("${{ failure() && inputs.version }}", "failure() && inputs.version"),
        (True, "success() && (true)"),
    ],
)
def test_conditions_get_the_implicit_success(text: Any, expression: str) -> None:
    assert condition(text) == expression


def test_condition_is_evaluated_with_status_functions() -> None:
    passed = {"success": lambda: True, "failure": lambda: False}
    failed = {"success": lambda: False, "failure": lambda: True, "always": lambda: True}
    assert evaluate(condition("inputs.version"), CONTEXTS, passed) is True
    assert evaluate(condition("inputs.version"), CONTEXTS, failed) is False
    assert evaluate(condition("always()"), CONTEXTS, failed) is True
    assert evaluate(condition("failure()"), CONTEXTS, failed) is True


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("secrets.X", "unknown context 'secrets'"),
        ("hashFiles('x')", "unknown function hashFiles()"),
        ("github.*", "unsupported property '*'"),
        ("1 +", "unexpected character"),
        ("'unterminated", "unexpected character"),
        ("(1 == 1", "expected )"),
        ("format('{1}', 'a')", "format(): bad placeholder"),
        ("fromJSON('nope')", "fromJSON(): not JSON"),
    ],
)
def test_unknown_syntax_raises(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ev(source)


def test_text_around_a_condition_expression_raises() -> None:
    with pytest.raises(ExpressionError, match="if: mixes text"):
        condition("x ${{ true }}")


def test_hash_files_is_empty_without_a_match_and_github_s_digest_with_one(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mlci-canary.json").write_text("{}")
    (tmp_path / "sub" / "other.json").write_text("[]")
    functions = {"hashfiles": functools.partial(hash_files, tmp_path)}
    source = "hashFiles(format('{0}/mlci-canary.json', 'sub')) != ''"
    assert evaluate(source, CONTEXTS, functions) is True
    assert evaluate("hashFiles('missing/*.json')", CONTEXTS, functions) == ""
    inner = [hashlib.sha256(b"{}").digest()]
    expected = hashlib.sha256(b"".join(inner)).hexdigest()
    assert evaluate("hashFiles('sub/*.json', '!sub/other.json')", CONTEXTS, functions) == expected
