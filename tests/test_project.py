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


PACKAGE = ROOT / "backprop_derive"


def test_one_import_package():
    """The distribution installs one top-level name, its own: nothing generic (``derive``, ``checks``) that another
    distribution in site-packages could shadow."""
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages == {"backprop_derive"}
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'include = ["backprop_derive*"]' in pyproject


def test_core_network_render_depend_on_sympy_only():
    """What is true (core), the networks' math and its printing need SymPy only; numpy and the autodiff
    frameworks are for the numeric checks, matplotlib for the CLI's plots."""
    forbidden = {"numpy", "torch", "jax", "autograd", "matplotlib"}
    for layer in ("core", "network", "render", "verify", "notes"):
        for path in (PACKAGE / layer).rglob("*.py"):
            found = _imports(path) & forbidden
            assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}"


def test_a_planted_numpy_import_in_the_core_is_caught(tmp_path):
    planted = tmp_path / "x.py"
    planted.write_text("def f():\n    import numpy as np\n    return np\n")
    assert _imports(planted) & {"numpy"}


def _module_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_console_script_answers_help():
    result = subprocess.run([sys.executable, "-m", "backprop_derive", "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0
    assert "show" in result.stdout


def _module_graph() -> dict[str, set[str]]:
    """Every module of ``backprop_derive`` -> the modules of it that it imports, lazily or not (an import inside a
    function is still an arrow: it runs whenever the function does)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
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
    frozenset({f"backprop_derive.verify.latex.{m}" for m in ("constructs", "parser", "partial", "plain")}):
        "the hand-written parser dispatches to its constructs' table; goes with the one grammar front end",
    frozenset({"backprop_derive.verify.matrix.evaluate", "backprop_derive.verify.matrix.gradient"}):
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


#: The layers, lowest first: a module imports its own layer and those below, never above or beside.  A module's
#: layer is the sub-package it sits in; the package's own ``__init__`` and ``__main__`` (the facade and
#: ``python -m backprop_derive``) sit on top.
RANK = {"core": 0, "network": 1, "render": 2, "verify": 3, "notes": 3, "numeric": 3, "cli": 4, "facade": 5}

#: Upward imports left, each with why; the list may only shrink.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else "facade"


def test_every_module_sits_in_a_layer():
    modules = _module_graph()
    assert {m for m in modules if _layer(m) == "facade"} == {"backprop_derive", "backprop_derive.__main__"}
    assert {_layer(m) for m in modules} == set(RANK)


def _upward(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The arrows of ``graph`` that go up a layer or sideways to a peer."""
    upward = set()
    for module, imported in graph.items():
        for other in imported:
            mine, theirs = _layer(module), _layer(other)
            if RANK[theirs] > RANK[mine] or (RANK[theirs] == RANK[mine] and theirs != mine):
                upward.add((module, other))
    return upward


def test_imports_go_down_the_layers():
    """cli -> numeric, notes, verify -> render -> network -> core (DESIGN.md); peers do not import each other."""
    upward = _upward(_module_graph())
    new = sorted(upward - set(KNOWN_UPWARD))
    assert not new, f"imports that go up or sideways: {new}"
    assert not set(KNOWN_UPWARD) - upward, f"fixed: remove from KNOWN_UPWARD: {sorted(set(KNOWN_UPWARD) - upward)}"


def test_planted_upward_and_sideways_imports_are_caught():
    graph = {"backprop_derive.core.steps": {"backprop_derive.render.notation"},
             "backprop_derive.notes.entries": {"backprop_derive.verify.check", "backprop_derive.core.steps"},
             "backprop_derive.cli.main": {"backprop_derive.numeric.compile"}}
    assert _upward(graph) == {("backprop_derive.core.steps", "backprop_derive.render.notation"),
                              ("backprop_derive.notes.entries", "backprop_derive.verify.check")}


def _subclasses(cls: type) -> set[type]:
    return {c for sub in cls.__subclasses__() for c in {sub, *_subclasses(sub)}}


def test_the_package_exports_every_catalog_function():
    """``from backprop_derive import sigmoid`` works for every function of the catalog, and the front door names
    nothing else of the core (a function added to the catalog must be added here too)."""
    import backprop_derive
    from backprop_derive.core.functions import CatalogFunction, IndexedFunction

    functions = {c for c in _subclasses(CatalogFunction) | _subclasses(IndexedFunction)
                 if c.__module__.startswith("backprop_derive.core.functions")} - {IndexedFunction}
    assert len(functions) > 25
    missing = sorted(c.__name__ for c in functions if getattr(backprop_derive, c.__name__, None) is not c)
    assert not missing, f"add to backprop_derive/__init__.py: {missing}"
    assert set(backprop_derive.__all__) == {c.__name__ for c in functions} | {"CATALOG", "get", "Derivation",
                                                                            "derive_entry"}


def test_a_derivation_shows_itself_in_jupyter_after_import_backprop_derive():
    code = ("import backprop_derive as b; d = b.derive_entry('sigmoid'); "
            "print(d._repr_latex_()[:17], d._repr_markdown_()[:4])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["$$\\begin{aligned}", "###"]
