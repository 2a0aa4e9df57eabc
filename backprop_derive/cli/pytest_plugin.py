r"""pytest plugin: ``pytest --derivations PATH`` checks every chain in the ``.md``/``.tex``/``.ipynb`` files under PATH.

Each chain ``a = b = c`` in display math becomes one test item (marked ``derivation``, named after
its file and line: ``hw3.md::line 12``, in a notebook ``hw3.ipynb::cell 3, line 2``), judged in its
document as ``derive verify`` judges it: the definitions, prose conditions and shape declarations
before it are in force.  It passes when every step is ``equal``; a wrong step fails with its
counterexample and its diagnosis, and an unreadable or undecided step fails with its reason.  A
failure's header is the item's id (``hw3.md::line 12``).  A notebook is read by its Markdown cells
(needs ``nbformat``); hidden folders (``.ipynb_checkpoints``) are skipped.

* A file in which no chain is found -- an empty submission, prose only, or a file that cannot be read
  (not UTF-8, a broken notebook) -- is ONE failing test, ``FILE::no derivation``: "no derivation
  found in FILE".
* A chain that only defines names (``S_i = \frac{e^{a_i}}{\sum_j e^{a_j}}``, ``z := wx + b``) is
  collected and *passes* (its JUnit ``<testcase>`` carries the property ``verdict = definition``).
  It is not left out of the collection because telling a definition from a claim needs the whole
  document judged (what is defined before it), and collection happens in every xdist worker: leaving
  definitions out would check every file once per worker.

For a gradebook, ``--junitxml=grades.xml`` writes one ``<testcase>`` per chain (``classname``: the
file, ``name``: ``line 12``), a ``<failure>`` with the diagnosis for a wrong step, and one failing
``no derivation`` case per empty or unreadable submission.

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

SUFFIXES = (".md", ".markdown", ".tex", ".ipynb")  # compared lower-cased: NOTES.MD is Markdown too


def pytest_addoption(parser) -> None:
    group = parser.getgroup("derive", "backprop-derive: check derivations")
    group.addoption(
        "--derivations", action="append", default=[], metavar="PATH",
        help="check every chain a = b = c in the .md/.tex/.ipynb files under PATH (repeatable): one test per chain "
             "(a file without any: one failing test); --junitxml=grades.xml for a gradebook, one <testcase> per "
             "chain",
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
        from backprop_derive.verify import read_assumption

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
    """The ``.md``/``.tex``/``.ipynb`` files named by ``paths`` (files, or directories searched recursively,
    hidden folders skipped)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
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
    from backprop_derive.verify.document import Side, read_chains

    return read_chains, Side


class DerivationFile(pytest.File):
    """A Markdown/LaTeX file or a notebook; one item per chain, or one failing item when there is none."""

    def collect(self):
        read_chains, _ = _reader()
        from backprop_derive.verify.sources import SourceError, read_source

        try:
            source = read_source(str(self.path))
        except SourceError as err:
            yield NoDerivation.from_parent(self, name="no derivation", why=str(err))
            return
        latex = False if source.is_notebook else None
        chains = read_chains(source.text, latex)
        if not chains:
            yield NoDerivation.from_parent(self, name="no derivation", why=None)
        for index, chain in enumerate(chains):
            item = DerivationItem.from_parent(self, name=source.where(chain.line), chain=chain, text=source.text,
                                              index=index, latex=latex, notebook=source.is_notebook)
            item.add_marker("derivation")
            yield item


class NoDerivation(pytest.Item):
    """An empty or unreadable submission: one failing test, "no derivation found in FILE"."""

    def __init__(self, *, why: str | None, **kwargs):
        super().__init__(**kwargs)
        self.why = why
        self.add_marker("derivation")

    def runtest(self) -> None:
        reason = f" ({self.why})" if self.why else " (no chain a = b in display math: $$…$$, \\[…\\], equation, align)"
        raise DerivationError(f"no derivation found in {self.parent.nodeid or self.path}{reason}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DerivationError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.nodeid


class DerivationError(Exception):
    """A chain with a step that is not ``equal``; the message is the chain's report."""


#: The report on each file, made once per process: a chain is judged in its document, with the definitions,
#: prose, upstream names and shape declarations before it in force (as ``derive verify`` judges it).
_REPORTS: dict[tuple, object] = {}


def _report(text: str, assumptions: tuple[str, ...], timeout: float, latex: bool | None = None):
    from backprop_derive.verify import Options, verify_text

    key = (text, assumptions, timeout, latex)
    if key not in _REPORTS:
        if len(_REPORTS) >= 16:  # a few files at a time: xdist may interleave the items of several
            del _REPORTS[next(iter(_REPORTS))]
        _REPORTS[key] = verify_text(text, assumptions, Options(timeout=timeout), latex=latex)
    return _REPORTS[key]


class DerivationItem(pytest.Item):
    def __init__(self, *, chain, text: str = "", index: int = 0, latex: bool | None = None, notebook: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.chain, self.text, self.index, self.latex, self.notebook = chain, text, index, latex, notebook

    def runtest(self) -> None:
        timeout = self.config.getoption("derivations_timeout")
        assumptions = tuple(self.config.getoption("derivations_assume"))
        verdict = _report(self.text, assumptions, timeout, self.latex).chains[self.index]
        if verdict.steps and all(step.verdict == "definition" for step in verdict.steps):
            self.user_properties.append(("verdict", "definition"))
        bad = [(n, step) for n, step in enumerate(verdict.steps) if step.verdict not in ("equal", "definition")]
        if bad:
            raise DerivationError(_describe(verdict, bad, self.name))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DerivationError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        """The failure's header: the item's id, ``hw3.md::line 12`` (``hw3.ipynb::cell 3, line 2``)."""
        return self.path, None if self.notebook else self.chain.line - 1, self.nodeid


def _describe(verdict, bad, where: str) -> str:
    lines = [f"chain at {where}: {verdict.source}"]
    for n, step in bad:
        first = " (first wrong step)" if n == verdict.first_wrong else ""
        lines.append(f"step {n + 1}: {step.lhs}  =  {step.rhs}")
        lines.append(f"  {step.verdict}{first}: {step.detail}")
        if step.lhs_read is not None:
            lines.append(f"  read as: {step.lhs_read}  =  {step.rhs_read}")
        if step.counterexample:
            lines.append(f"  counterexample: {step.counterexample}")
        if step.diagnosis:
            lines.append(f"  diagnosis ({step.diagnosis['kind']}): {step.diagnosis['text']}")
    return "\n".join(lines)
