"""The dependency rules of docs/design.md, checked on the source (imports parsed with ast)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "smartdc"

CORE = (
    "smartdc.auth",
    "smartdc.config",
    "smartdc.deadlines",
    "smartdc.headers",
    "smartdc.transport",
    "smartdc.transient",
    "smartdc.clock",
    "smartdc.errors",
    "smartdc.runtime",
    "smartdc.websocket",
    "smartdc.wirelog",
)
UPPER = ("smartdc._generated", "smartdc.facade", "smartdc.cli", "smartdc.testing")
BUILD_ONLY = ("codegen", "jinja2", "yaml")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# A module named in a string: importlib.import_module("smartdc._generated.errors"), __import__,
# LazyModule/LazyFunction, or a constant that one of them is given later.
MODULE_TEXT = re.compile(r"smartdc(\.[A-Za-z_]\w*)+|codegen(\.\w+)*|jinja2|yaml")


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _imports(path: Path, *, top_level_only: bool) -> list[tuple[str, int]]:
    """What a module imports: import statements, and modules named in strings (imports by name,
    which an import statement check alone cannot see). ``if TYPE_CHECKING:`` imports count too:
    a type from an upper layer is a dependency on it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: list[tuple[str, int]] = []
    docstrings = _docstrings(tree)
    for node in ast.walk(tree) if not top_level_only else []:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and MODULE_TEXT.fullmatch(node.value)
        ):
            found.append((node.value, node.lineno))
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            # `from smartdc import CloudAPI` reaches the generated layer through the lazy exports.
            if node.module == "smartdc":
                found.extend((f"smartdc.{alias.name}", node.lineno) for alias in node.names)
    return found


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


LAZY_UPPER = {"smartdc.CloudAPI": "smartdc._generated", "smartdc.DataCenter": "smartdc.facade"}


def _violations(
    owner: tuple[str, ...], forbidden: tuple[str, ...], *, top_level_only: bool
) -> list[str]:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        if not _within(module, owner):
            continue
        for name, line in _imports(path, top_level_only=top_level_only):
            target = LAZY_UPPER.get(name, name)
            if _within(target, forbidden):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    return bad


def test_core_imports_no_upper_layer() -> None:
    assert _violations(CORE, UPPER, top_level_only=False) == []


def test_generated_never_imports_facade_cli_or_simulator() -> None:
    forbidden = ("smartdc.facade", "smartdc.cli", "smartdc.testing")
    assert _violations(("smartdc._generated",), forbidden, top_level_only=False) == []


def test_simulator_is_independent_of_the_client() -> None:
    # Request handlers never import the client; only Simulator.client()/.datacenter() may, lazily
    # inside the method, which a module-level check cannot see and a full walk would flag.
    forbidden = ("smartdc._generated", "smartdc.facade", "smartdc.cli")
    assert _violations(("smartdc.testing",), forbidden, top_level_only=True) == []
    handlers = ("smartdc.testing.resources", "smartdc.testing.server", "smartdc.testing.auth")
    assert _violations(handlers, forbidden, top_level_only=False) == []


@pytest.mark.parametrize("layer", ["smartdc"])
def test_runtime_never_imports_build_tools(layer: str) -> None:
    assert _violations((layer,), BUILD_ONLY, top_level_only=False) == []


def test_an_import_by_name_is_detected(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '''"""Mentions smartdc._generated in a docstring: not an import."""
import importlib

ERRORS = "smartdc._generated.errors"


def load() -> None:
    importlib.import_module(ERRORS)
    __import__("smartdc.facade")
'''
    )
    names = [n for n, _ in _imports(sample, top_level_only=False)]
    assert [n for n in names if _within(n, UPPER)] == [
        "smartdc._generated.errors",
        "smartdc.facade",
    ]


def test_a_violation_is_detected(tmp_path: Path) -> None:
    # The checker itself must be able to fail: parse a module that breaks the rule.
    sample = tmp_path / "sample.py"
    sample.write_text("import smartdc._generated.client\nfrom smartdc import CloudAPI\n")
    names = [LAZY_UPPER.get(n, n) for n, _ in _imports(sample, top_level_only=True)]
    assert [n for n in names if _within(n, UPPER)] == [
        "smartdc._generated.client",
        "smartdc._generated",
    ]


# -- the Ansible collection (ansible/): a package of its own on top of smartdc's public API ----------

COLLECTION = PACKAGE.parent / "ansible" / "ansible_collections" / "smartdc" / "triton"
# what the collection may use of smartdc: the package's public names, errors and models
PUBLIC = ("smartdc", "smartdc.errors", "smartdc.models")


def _collection_imports() -> list[tuple[str, str]]:
    found = []
    for path in sorted(COLLECTION.rglob("*.py")):
        for name, line in _imports(path, top_level_only=False):
            if not _within(name, ("smartdc.triton",)):  # the collection's own names (FQCNs)
                found.append((name, f"{path.relative_to(COLLECTION)}:{line}"))
    return found


def test_collection_uses_only_the_public_api() -> None:
    import smartdc

    imported = _collection_imports()
    # `from smartdc import X`: X is one of the package's public names (errors are exported lazily)
    exported = {
        name
        for name, _ in imported
        if name.count(".") == 1
        and name.startswith("smartdc.")
        and not name.split(".")[1].startswith("_")
        and not isinstance(getattr(smartdc, name.split(".")[1], None), type(smartdc))
        and hasattr(smartdc, name.split(".")[1])
    }
    assert any(name == "smartdc" for name, _ in imported)
    bad = [
        f"{where} imports {name}"
        for name, where in imported
        if _within(name, ("smartdc",)) and name not in PUBLIC and name not in exported
    ]
    assert bad == []


def test_library_never_imports_ansible() -> None:
    assert _violations(("smartdc",), ("ansible", "ansible_collections"), top_level_only=False) == []


def _runtime_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports when it runs (any depth of the module; not the
    ``if TYPE_CHECKING:`` imports, which never run). ``from pkg import sub`` is an edge to
    ``pkg.sub`` only: importing a submodule is not a dependency on its siblings."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) in (
                "TYPE_CHECKING",
                "typing.TYPE_CHECKING",
            ):
                skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
        deps: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                deps |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & set(modules)
                deps |= subs
                if len(subs) < len(node.names):
                    deps.add(node.module)
        graph[module] = {d for d in deps if d in modules and d != module}
    return graph


def cycles(graph: dict[str, set[str]], within: str) -> list[list[str]]:
    """The strongly connected groups of more than one module under ``within`` (Tarjan)."""
    nodes = {m for m in graph if _within(m, (within,))}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in sorted(graph[node] & nodes):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("package", ["smartdc.facade", "smartdc.cli"])
def test_no_import_cycle(package: str) -> None:
    assert cycles(_runtime_graph(), package) == []


def test_a_cycle_is_detected() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert cycles(graph, "a") == [["a.x", "a.y", "a.z"]]
