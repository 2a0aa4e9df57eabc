"""pytest plugin: ``pytest --derivations PATH`` checks every chain in the ``.md``/``.tex`` files under PATH.

Each chain ``a = b = c`` in display math becomes one test item (marked ``derivation``, named after
its file and line), judged in its document as ``derive verify`` judges it: the definitions, prose
conditions and shape declarations before it are in force, and a definition passes.  It passes when
every step is ``equal``; a wrong step fails with its counterexample, and an unreadable or undecided
step fails with its reason.

How it combines with ordinary tests:

* without ``--derivations`` the plugin adds nothing, so it cannot disturb any other test run;
* ``pytest --derivations PATH`` (no test paths on the command line) collects PATH's derivations and
  nothing else -- not the project's tests (``testpaths``), not the test files of the current folder;
* ``pytest --derivations PATH tests/`` checks the derivations *and* runs the tests named.

``--derivations-assume LATEX`` (repeatable) adds an assumption to every chain, as ``derive verify
--assume`` does.  Items are plain pytest items, so ``-n N`` (pytest-xdist) spreads the chains over N
workers.  Registered through the ``pytest11`` entry point; this module imports nothing heavy until a
derivation is actually checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SUFFIXES = (".md", ".markdown", ".tex")  # compared lower-cased: NOTES.MD is Markdown too


def pytest_addoption(parser) -> None:
    group = parser.getgroup("derive", "backprop-derive: check derivations")
    group.addoption(
        "--derivations", action="append", default=[], metavar="PATH",
        help="check every chain a = b = c in the .md/.tex files under PATH (repeatable)",
    )
    group.addoption(
        "--derivations-timeout", type=float, default=5.0, metavar="S",
        help="seconds of CPU time per step of a derivation (default 5; waiting for a loaded machine does not "
             "count)",
    )
    group.addoption(
        "--derivations-assume", action="append", default=[], metavar="LATEX",
        help="an assumption for every derivation, e.g. 'y_1+y_2+y_3=1' or 'K=3' (repeatable)",
    )


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "derivation: a chain of equalities checked by derive verify")
    assumptions = config.getoption("derivations_assume")
    if assumptions and not config.getoption("derivations"):
        raise pytest.UsageError("--derivations-assume needs --derivations PATH")
    if assumptions and not hasattr(config, "workerinput"):  # checked once, by the controller
        from derive.verify import read_assumption

        for assumption in assumptions:
            problem = read_assumption(assumption, config.getoption("derivations_timeout"))
            if problem is not None:
                raise pytest.UsageError(f"--derivations-assume {assumption!r}: {problem}")


def only_derivations(config) -> bool:
    """``--derivations`` given and no test path on the command line: collect the derivations alone."""
    return bool(config.getoption("derivations")) and config.args_source is not config.ArgsSource.ARGS


def pytest_ignore_collect(collection_path, config) -> bool | None:
    """In derivations-only mode nothing is collected from the default paths (the derivations are
    added in :func:`pytest_collection_modifyitems`)."""
    return True if only_derivations(config) else None


def derivation_files(paths: list[str]) -> list[Path]:
    """The ``.md``/``.tex`` files named by ``paths`` (files, or directories searched recursively)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()))
        else:
            raise pytest.UsageError(f"--derivations {name}: no such file or directory")
    return list(dict.fromkeys(found))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    paths = config.getoption("derivations")
    if not paths:
        return
    for path in derivation_files(paths):
        items.extend(DerivationFile.from_parent(session, path=path.resolve()).collect())


def _reader():
    """``(read_chains, Side)``: the document reader's chain finder and its side of an equation."""
    from derive.verify.document import Side, read_chains

    return read_chains, Side


class DerivationFile(pytest.File):
    """A Markdown/LaTeX file; one item per chain."""

    def collect(self):
        read_chains, _ = _reader()
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise self.CollectError(f"cannot read {self.path}: {err}") from None
        for index, chain in enumerate(read_chains(text)):
            item = DerivationItem.from_parent(self, name=f"line {chain.line}", chain=chain, text=text, index=index)
            item.add_marker("derivation")
            yield item


class DerivationError(Exception):
    """A chain with a step that is not ``equal``; the message is the chain's report."""


#: The report on each file, made once per process: a chain is judged in its document, with the definitions,
#: prose, upstream names and shape declarations before it in force (as ``derive verify`` judges it).
_REPORTS: dict[tuple, object] = {}


def _report(text: str, assumptions: tuple[str, ...], timeout: float):
    from derive.verify import Options, verify_text

    key = (text, assumptions, timeout)
    if key not in _REPORTS:
        if len(_REPORTS) >= 16:  # a few files at a time: xdist may interleave the items of several
            del _REPORTS[next(iter(_REPORTS))]
        _REPORTS[key] = verify_text(text, assumptions, Options(timeout=timeout))
    return _REPORTS[key]


class DerivationItem(pytest.Item):
    def __init__(self, *, chain, text: str = "", index: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.chain, self.text, self.index = chain, text, index

    def runtest(self) -> None:
        timeout = self.config.getoption("derivations_timeout")
        assumptions = tuple(self.config.getoption("derivations_assume"))
        verdict = _report(self.text, assumptions, timeout).chains[self.index]
        bad = [(n, step) for n, step in enumerate(verdict.steps) if step.verdict not in ("equal", "definition")]
        if bad:
            raise DerivationError(_describe(verdict, bad))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DerivationError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.chain.line - 1, f"derivation at line {self.chain.line}"


def _describe(verdict, bad) -> str:
    lines = [f"chain at line {verdict.line}: {verdict.source}"]
    for n, step in bad:
        first = " (first wrong step)" if n == verdict.first_wrong else ""
        lines.append(f"step {n + 1}: {step.lhs}  =  {step.rhs}")
        lines.append(f"  {step.verdict}{first}: {step.detail}")
        if step.lhs_read is not None:
            lines.append(f"  read as: {step.lhs_read}  =  {step.rhs_read}")
        if step.counterexample:
            lines.append(f"  counterexample: {step.counterexample}")
    return "\n".join(lines)
