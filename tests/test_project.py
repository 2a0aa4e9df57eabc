"""The house rules that keep the project livable: one test command, one direction of imports."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", quick, re.S).group(1)
    return [line.strip() for line in block.strip().splitlines()]


def test_ci_runs_exactly_the_readme_test_command():
    main_job, test_command = _readme_commands()
    assert main_job.endswith("&& derive")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in [line.strip() for line in ci]
    assert "pytest" in test_command
    assert test_command.endswith("python -m pytest -n auto")  # the suite spread over every core (pytest-xdist)



#: The README is the front door: what the tool is, how to start, one example per job; the detail is in docs/.
README_MAX_LINES = 220
#: A clone holds only the repository: no sibling folders (``../shared``), no issue tracker to cite.
OUTSIDE = re.compile(r"\.\./shared|\bissue \d+", re.I)
#: ``[text](target)`` with a relative target (no scheme, not an anchor on the same page).
LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)(?P<target>[^)\s]+)\)")


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_is_short():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail to docs/"


def test_readme_and_docs_refer_to_nothing_outside_the_repository():
    assert (ROOT / "docs").is_dir()
    for path in _documents():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not OUTSIDE.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file(path):
    targets = [m["target"].split("#", 1)[0] for m in LINK.finditer(path.read_text())]
    assert path.name != "README.md" or targets, "the README links to docs/"
    missing = [t for t in targets if not (path.parent / t).resolve().is_file()]
    assert not missing, f"{path.relative_to(ROOT)} links to files that do not exist: {missing}"
    assert all((path.parent / t).resolve().is_relative_to(ROOT) for t in targets)

def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_derive_depends_on_sympy_only():
    """Arrows run one way: derive -> SymPy; only derive.cli (the application) may reach checks."""
    forbidden = {"numpy", "torch", "jax", "autograd", "checks", "matplotlib"}
    for path in (ROOT / "derive").rglob("*.py"):
        if "cli" in path.relative_to(ROOT / "derive").parts:
            continue
        found = _imports(path) & forbidden
        assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}"


def test_checks_never_import_the_cli():
    for path in (ROOT / "checks").rglob("*.py"):
        assert not any(name == "derive.cli" for name in _module_imports(path)), path


def _module_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_console_script_answers_help():
    result = subprocess.run([sys.executable, "-m", "derive", "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0
    assert "show" in result.stdout


def _module_graph() -> dict[str, set[str]]:
    """Every module of ``derive`` and ``checks`` -> the modules of the two it imports, lazily or not (an import
    inside a function is still an arrow: it runs whenever the function does)."""
    modules = {}
    for package in ("derive", "checks"):
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(owner(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.update(owner(f"{node.module}.{alias.name}") for alias in node.names)
        graph[module] = {m for m in found if m and m != module and not module.startswith(f"{m}.")}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


#: The import circles left, each with why; the list may only shrink (a circle fixed must leave it).
KNOWN_CIRCLES = {
    frozenset({"derive.derivation", "derive.export"}):
        "Derivation's Jupyter display (_repr_latex_) renders with the notes' code; goes with the package move",
    frozenset({"derive.latex.constructs", "derive.latex.parser", "derive.latex.partial", "derive.latex.plain"}):
        "the hand-written parser dispatches to its constructs' table; goes with the one grammar front end",
    frozenset({"derive.verify.matrix.evaluate", "derive.verify.matrix.gradient"}):
        "a formula may contain a gradient (evaluation differentiates, differentiation evaluates)",
}


def test_no_new_import_circle():
    circles = set(_circles(_module_graph()))
    new = [sorted(c) for c in circles - set(KNOWN_CIRCLES)]
    assert not new, f"new import circles: {new}"
    gone = [sorted(c) for c in set(KNOWN_CIRCLES) - circles]
    assert not gone, f"circles fixed: remove them from KNOWN_CIRCLES: {gone}"


def test_the_circle_finder_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [frozenset({"a", "b", "c"})]


#: The layers, lowest first: a module imports its own layer and those below, never above or beside.
#: (prefix -> layer; flat modules too: ``derive.export_math`` is notes); the first matching prefix wins,
#: everything else of ``derive`` is the SymPy-only core.
LAYERS = (("derive.cli", "cli"), ("derive.pytest_plugin", "cli"), ("derive.__main__", "cli"),
          ("checks", "numeric"), ("derive.verify", "verify"), ("derive.latex", "verify"), ("derive.export", "notes"),
          ("derive.render", "render"), ("derive.matrix_print", "render"),
          ("derive.network", "network"), ("derive.layers", "network"), ("derive", "core"))
RANK = {"core": 0, "network": 1, "render": 2, "verify": 3, "notes": 3, "numeric": 3, "cli": 4}

#: Upward imports left, each with why; the list may only shrink.
KNOWN_UPWARD = {
    ("derive.derivation", "derive.export"): "Derivation's Jupyter display; goes with the package move",
    ("derive.derivation", "derive.render"): "Derivation's Jupyter display; goes with the package move",
    ("derive.derivation", "derive.render_latex"): "Derivation's Jupyter display; goes with the package move",
    ("derive.network", "derive.matrix_print"): "the equations carry their LaTeX and text; goes with the package move",
    ("derive.network", "derive.render"): "the equations carry their LaTeX and text; goes with the package move",
}


def _layer(module: str) -> str:
    return next(layer for prefix, layer in LAYERS if module.startswith(prefix))


def test_imports_go_down_the_layers():
    """cli -> numeric, notes, verify -> render -> network -> core (DESIGN.md); peers do not import each other."""
    upward = set()
    for module, imported in _module_graph().items():
        for other in imported:
            mine, theirs = _layer(module), _layer(other)
            if RANK[theirs] > RANK[mine] or (RANK[theirs] == RANK[mine] and theirs != mine):
                upward.add((module, other))
    new = sorted(upward - set(KNOWN_UPWARD))
    assert not new, f"imports that go up or sideways: {new}"
    assert not set(KNOWN_UPWARD) - upward, f"fixed: remove from KNOWN_UPWARD: {sorted(set(KNOWN_UPWARD) - upward)}"
