"""The layout rules of DESIGN.md, read from the source with `ast` (nothing is imported):
no import circles, adapters that only translate, and a test file mirroring every module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "mlci"

# Modules with no test file of their own, each with why. Logic-free modules need none; the rest
# are covered through the commands and steps that use them, named here, until they get one.
NO_MIRROR = {
    "mlci/__init__.py": "the version string only",
    "mlci/__main__.py": "`python -m mlci`: calls cli.main (every child-process test runs it)",
    "mlci/adapters/__init__.py": "empty package marker",
    "mlci/commands/__init__.py": "empty package marker",
    "mlci/data/__init__.py": "empty package marker",
    "mlci/init/__init__.py": "package docstring only",
    "mlci/model/__init__.py": "empty package marker",
    "mlci/monitor/__init__.py": "package docstring only",
    "mlci/report/__init__.py": "empty package marker",
    "mlci/adapters/deepchecks_runner.py": "runs inside deepchecks' venv: tests/adapters/test_deepchecks.py",
}


def modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The mlci modules `name` imports anywhere in its file: top level, inside functions (lazy
    imports are how circles hide) and under TYPE_CHECKING (a type-only import is still a tie)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(package, node.level, node.module)
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in known and t != name}


def _absolute(package: str, level: int, module: str | None) -> str:
    if not level:
        return module or ""
    parts = package.split(".")[: len(package.split(".")) - (level - 1)]
    return ".".join([*parts, *([module] if module else [])])


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root, targets in graph.items():
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(targets)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return sorted(found)


def test_the_circle_finder_finds_a_circle_and_a_lazy_import() -> None:
    # The walker itself: without this a broken finder would pass the real test.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]
    lazy = import_graph()["mlci.cli"]  # cli imports every command inside a function
    assert "mlci.errors" in lazy


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert circles(import_graph()) == []


def result_types() -> set[str]:
    """The dataclasses of mlci/results.py (its enums are values an adapter may name)."""
    tree = ast.parse((PACKAGE / "results.py").read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any("dataclass" in ast.unparse(d) for d in node.decorator_list)
    }


def adapter_breaches(path: Path, results: set[str]) -> list[str]:
    """What an adapter does that only the core may: import mlci.report, build a result."""
    breaches = []
    local_names: dict[str, str] = {}  # name bound in the module → the result class it is
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "mlci.report" or node.module.startswith("mlci.report."):
                breaches.append(f"imports {node.module}")
            if node.module == "mlci.results":
                local_names.update(
                    {a.asname or a.name: a.name for a in node.names if a.name in results}
                )
        elif isinstance(node, ast.Import):
            breaches.extend(
                f"imports {a.name}" for a in node.names if a.name.startswith("mlci.report")
            )
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            built = _called_result(node.func, local_names, results)
            if built:
                breaches.append(f"builds {built} (line {node.lineno})")
    return breaches


def _called_result(func: ast.expr, local_names: dict[str, str], results: set[str]) -> str | None:
    if isinstance(func, ast.Name):
        return local_names.get(func.id)
    if isinstance(func, ast.Attribute) and func.attr in results:
        return func.attr if ast.unparse(func.value).endswith("results") else None
    return None


def test_the_adapter_rule_sees_an_import_and_a_construction(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from mlci.results import CheckResult as C, Status\n"
        "def f():\n"
        "    from mlci.report.render import render_markdown\n"
        "    return C(id='x', status=Status('pass'))\n"
    )
    # Status('pass') looks an enum member up: not a result.
    assert adapter_breaches(sample, result_types()) == [
        "imports mlci.report.render",
        "builds CheckResult (line 4)",
    ]


def test_adapters_translate_and_never_report_or_build_results() -> None:
    results = result_types()
    found = {
        str(path.relative_to(REPO)): breaches
        for path in sorted((PACKAGE / "adapters").glob("*.py"))
        if (breaches := adapter_breaches(path, results))
    }
    assert found == {}


def mirror_of(path: Path) -> Path:
    relative = path.relative_to(PACKAGE)
    return REPO / "tests" / relative.parent / f"test_{relative.name}"


def test_every_module_has_a_test_file_at_its_mirrored_path() -> None:
    files = {str(p.relative_to(REPO)): p for p in sorted(PACKAGE.rglob("*.py"))}
    missing = sorted(
        name for name, p in files.items() if name not in NO_MIRROR and not mirror_of(p).exists()
    )
    assert missing == []
    stale = sorted(
        name for name in NO_MIRROR if name not in files or mirror_of(files[name]).exists()
    )
    assert stale == [], "drop these from NO_MIRROR: they are gone or have their test file now"
