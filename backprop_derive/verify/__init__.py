r"""Verdicts on a person's own derivation: each ``=`` of each chain is a step, judged on its own.

A step ``a = b`` gets one verdict (see "What a verdict means" in the design):

* ``equal`` -- method ``symbolic: …`` when :func:`backprop_derive.core.prove.prove_equal` reduced ``a - b`` to 0,
  or ``numeric`` when the two sides agree at several random points and their difference is not
  distinguishable from 0 there at up to 500 digits (:mod:`backprop_derive.verify.numeric`); a numeric
  agreement is never called a proof;
* ``not_equal`` -- a point where the sides differ, with both values;
* ``unknown`` -- nothing decided within the time bound (CPU time); ``detail`` says what was tried and
  which method did not finish;
* ``error`` -- a side, or a whole display region, could not be read; ``detail`` names where;
* ``definition`` -- the step names something (:mod:`backprop_derive.verify.definitions`) and is not judged.

A first look at the numbers comes first (fast, and it gives counterexamples), then a proof, then --
where no proof was found -- the thorough comparison (:mod:`backprop_derive.verify.decide`).  Each step runs
in a child process bounded in CPU time (:mod:`backprop_derive.verify.worker`), so no input can hang the
checker and no load on the machine changes a verdict.  The document is read by
:mod:`backprop_derive.verify.regions` (every display region) and :mod:`backprop_derive.verify.document` (chains,
conditions,
definitions in prose); a ``not_equal`` step gets a diagnosis (:mod:`backprop_derive.verify.diagnosis`).
Assumptions (``--assume``, ``% assume:``) are equations, solved together
(:mod:`backprop_derive.verify.assumptions`): ``K = 3`` substitutes, the linear ones are one linear system
(``y_1 + y_2 + y_3 = 1`` gives ``y_3 = 1 - y_1 - y_2``), ``\sum_{i=1}^K y_i = 1`` replaces that
sum, and every sampled point satisfies every assumption in force -- a counterexample included.
Jupyter: :func:`check` (``backprop_derive.verify.check(text_or_path)``) returns a report that a notebook shows as
the ``derive verify --html`` page; ``%load_ext backprop_derive.verify`` adds the ``%%derive`` cell magic
(:mod:`backprop_derive.verify.jupyter`).
Assumptions that contradict each other (``x = 1`` and ``x = 2``; ``x + y = 1``, ``x - y = 1``,
``x = 3``) make the step an ``error``.
"""

from backprop_derive.verify.check import check_step, read_assumption, verify_chain, verify_text

# ``backprop_derive.verify.check`` is the function (for Jupyter: ``check("hw3.ipynb")`` shows the --html page), bound
# after the submodule of that name was imported; ``from backprop_derive.verify.check import verify_text`` still reads
# the
# submodule (from sys.modules), but ``import backprop_derive.verify.check as m`` would give the function.
from backprop_derive.verify.jupyter import CheckReport, check, load_ipython_extension
from backprop_derive.verify.reading import echo
from backprop_derive.verify.report import VERDICTS, ChainVerdict, Options, Report, StepVerdict
from backprop_derive.verify.sources import SourceError

__all__ = [
    "VERDICTS", "ChainVerdict", "CheckReport", "Options", "Report", "SourceError", "StepVerdict",
    "check", "check_step", "echo", "load_ipython_extension", "read_assumption", "verify_chain", "verify_text",
]
