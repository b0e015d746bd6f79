"""GitHub Actions expressions (`${{ ... }}`), evaluated with GitHub's documented semantics.

Literals (null, booleans, numbers incl. hex and exponent, single-quoted strings with '' as the
escape), property and index access (a missing property is null, never an error), the operators
`! < <= > >= == != && ||` with GitHub's precedence, loose equality (different types compare as
numbers; strings compare ignoring case), truthiness (false, 0, -0, '', null and NaN are falsy),
`&&`/`||` returning an operand, the functions `format contains startsWith endsWith join toJSON
fromJSON`, and the status functions and `hashFiles` (it needs the runner's workspace), which the
caller supplies. Anything else raises
`ExpressionError`: a harness that silently ignored syntax could pass a workflow GitHub rejects.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>0x[0-9a-fA-F]+|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    r"|(?P<str>'(?:[^']|'')*')"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[!<>()\[\].,*])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)


class ExpressionError(ValueError):
    """An expression GitHub would reject, or one this harness does not implement."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    source = source.rstrip()
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character at {source[pos:]!r} in {source!r}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        pos = match.end()
    return tokens


Functions = Mapping[str, Callable[..., Any]]


class _Parser:
    """Recursive descent over GitHub's precedence: || < && < == != < comparisons < ! < access."""

    def __init__(self, source: str, contexts: Mapping[str, Any], functions: Functions) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0
        self.contexts = contexts
        self.functions = functions

    def parse(self) -> Any:
        value = self.or_()
        if self.pos != len(self.tokens):
            raise ExpressionError(f"unexpected {self.tokens[self.pos].text!r} in {self.source!r}")
        return value

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or (text is not None and token.text != text):
            raise ExpressionError(f"expected {text or 'a value'} in {self.source!r}")
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in texts

    def or_(self) -> Any:
        value = self.and_()
        while self.at("||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.at("&&"):
            self.take()
            right = self.equality()
            value = right if truthy(value) else value
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self.at("==", "!="):
            op = self.take().text
            result = loose_equal(value, self.comparison())
            value = result if op == "==" else not result
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.at("<", "<=", ">", ">="):
            value = compare(self.take().text, value, self.unary())
        return value

    def unary(self) -> Any:
        if self.at("!"):
            self.take()
            return not truthy(self.unary())
        return self.access()

    def access(self) -> Any:
        value = self.primary()
        while self.at(".", "["):
            if self.take().text == ".":
                token = self.take()
                if token.text == "*" or token.kind != "name":
                    raise ExpressionError(f"unsupported property {token.text!r} in {self.source!r}")
                value = index(value, token.text)
            else:
                key = self.or_()
                self.take("]")
                value = index(value, key)
        return value

    def primary(self) -> Any:
        token = self.take()
        if token.kind == "num":
            return float(int(token.text, 16)) if token.text.startswith("0x") else float(token.text)
        if token.kind == "str":
            return token.text[1:-1].replace("''", "'")
        if token.text == "(":
            value = self.or_()
            self.take(")")
            return value
        if token.kind != "name":
            raise ExpressionError(f"unexpected {token.text!r} in {self.source!r}")
        literal = {"true": True, "false": False, "null": None}
        if token.text in literal:
            return literal[token.text]
        if self.at("("):
            return self.call(token.text)
        names = {name.casefold(): name for name in self.contexts}
        if token.text.casefold() not in names:
            raise ExpressionError(f"unknown context {token.text!r} in {self.source!r}")
        return self.contexts[names[token.text.casefold()]]

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        while not self.at(")"):
            args.append(self.or_())
            if not self.at(")"):
                self.take(",")
        self.take(")")
        function = {**BUILTINS, **self.functions}.get(name.lower())
        if function is None:
            raise ExpressionError(f"unknown function {name}() in {self.source!r}")
        return function(*args)


def evaluate(source: str, contexts: Mapping[str, Any], functions: Functions | None = None) -> Any:
    """The value of one expression (the text inside `${{ }}`)."""
    return _Parser(source, contexts, functions or {}).parse()


def interpolate(text: Any, contexts: Mapping[str, Any], functions: Functions | None = None) -> Any:
    """A workflow value: a lone `${{ x }}` keeps x's type, other text becomes a string, and a
    YAML scalar that is not a string (true, 3) stays what it is."""
    if not isinstance(text, str):
        return text
    whole = EXPRESSION.fullmatch(text.strip())
    if whole is not None and text.strip().count("${{") == 1:
        return evaluate(whole.group(1), contexts, functions)
    return EXPRESSION.sub(lambda m: to_string(evaluate(m.group(1), contexts, functions)), text)


def uses_status_function(source: str) -> bool:
    return any(t.kind == "name" and t.text.lower() in STATUS_FUNCTIONS for t in tokenize(source))


def condition(text: Any) -> str:
    """An `if:` value as an expression, with GitHub's implicit `success() &&` when it has no
    status function (the `${{ }}` around a whole condition is optional)."""
    if isinstance(text, bool):
        text = "true" if text else "false"
    source = str(text).strip()
    whole = EXPRESSION.fullmatch(source)
    if whole is not None:
        source = whole.group(1).strip()
    elif "${{" in source:
        raise ExpressionError(f"if: mixes text and ${{{{ }}}} in {source!r}")
    if not source:
        return "success()"
    return source if uses_status_function(source) else f"success() && ({source})"


def truthy(value: Any) -> bool:
    if value is None or value is False or value == "":
        return False
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return True


def to_number(value: Any) -> float:
    if value is None or isinstance(value, (bool, int, float)):
        return float(value or 0)
    if isinstance(value, str):
        return _parse_number(value.strip())
    return math.nan


def _parse_number(text: str) -> float:
    if text == "":
        return 0.0
    try:
        return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
    except ValueError:
        return math.nan


def loose_equal(left: Any, right: Any) -> bool:
    if _kind(left) != _kind(right):
        return to_number(left) == to_number(right)
    if isinstance(left, str):
        return bool(left.casefold() == right.casefold())
    if isinstance(left, (dict, list)):
        return left is right
    return bool(left == right)


def compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left.casefold()
        b: Any = right.casefold()
    else:
        a, b = to_number(left), to_number(right)
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def index(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        if not isinstance(key, str):
            return None
        # Context property names are case-insensitive (github.event.Ref is github.event.ref).
        if key in value:
            return value[key]
        return next((v for k, v in value.items() if k.casefold() == key.casefold()), None)
    if isinstance(value, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
        position = int(key)
        return value[position] if 0 <= position < len(value) and position == key else None
    return None


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, (dict, list)):
        return to_json(value)
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2)


def _format(template: str, *args: Any) -> str:
    out: list[str] = []
    pos = 0
    while pos < len(template):
        if template.startswith("{{", pos) or template.startswith("}}", pos):
            out.append(template[pos])
            pos += 2
        elif template[pos] == "{":
            end = template.find("}", pos)
            number = template[pos + 1 : end] if end > 0 else ""
            if not number.isdigit() or int(number) >= len(args):
                raise ExpressionError(f"format(): bad placeholder in {template!r}")
            out.append(to_string(args[int(number)]))
            pos = end + 1
        elif template[pos] == "}":
            raise ExpressionError(f"format(): unmatched '}}' in {template!r}")
        else:
            out.append(template[pos])
            pos += 1
    return "".join(out)


def _contains(search: Any, item: Any) -> bool:
    if isinstance(search, list):
        return any(loose_equal(element, item) for element in search)
    return to_string(item).casefold() in to_string(search).casefold()


def _join(value: Any, separator: Any = ",") -> str:
    if isinstance(value, list):
        return to_string(separator).join(to_string(v) for v in value)
    return to_string(value)


def _from_json(text: Any) -> Any:
    try:
        value = json.loads(to_string(text))
    except json.JSONDecodeError as exc:
        raise ExpressionError(f"fromJSON(): not JSON: {to_string(text)[:40]!r}") from exc
    # GitHub's numbers are doubles.
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def hash_files(workspace: Path, *patterns: Any) -> str:
    """`hashFiles(patterns...)` as a runner computes it in a step: the files under WORKSPACE that
    match the globs (a leading `!` excludes), in path order; '' when none matched, else the
    SHA-256 of their SHA-256 digests (GitHub's scheme)."""
    chosen: set[Path] = set()
    for pattern in (to_string(p) for p in patterns):
        exclude = pattern.startswith("!")
        found = {p for p in workspace.glob(pattern.removeprefix("!")) if p.is_file()}
        chosen = chosen - found if exclude else chosen | found
    if not chosen:
        return ""
    outer = hashlib.sha256()
    for path in sorted(chosen):
        outer.update(hashlib.sha256(path.read_bytes()).digest())
    return outer.hexdigest()


BUILTINS: dict[str, Callable[..., Any]] = {
    "format": _format,
    "contains": _contains,
    "startswith": lambda s, v: to_string(s).casefold().startswith(to_string(v).casefold()),
    "endswith": lambda s, v: to_string(s).casefold().endswith(to_string(v).casefold()),
    "join": _join,
    "tojson": to_json,
    "fromjson": _from_json,
}
