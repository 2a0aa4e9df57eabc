r"""Verdicts on a person's own derivation: each ``=`` of each chain is a step, judged on its own.

A step ``a = b`` gets one verdict (see "What a verdict means" in the design):

* ``equal`` -- method ``symbolic: …`` when :func:`derive.prove.prove_equal` reduced ``a - b`` to 0,
  or ``numeric`` when the two sides agree at several random points and their difference is not
  distinguishable from 0 there at up to 500 digits (:mod:`derive.verify_numeric`); a numeric
  agreement is never called a proof;
* ``not_equal`` -- a point where the sides differ, with both values;
* ``unknown`` -- nothing decided within the time bound; ``detail`` says what was tried;
* ``error`` -- a side could not be read; ``detail`` names the side, line and column.

Numbers are tried first (they are fast and give counterexamples), then a proof.  Each step runs in
a child process with a time bound (:mod:`derive.verify_worker`), so no input can hang the checker.
Assumptions (``--assume``, ``% assume:``) are equations, solved together
(:mod:`derive.verify_assumptions`): ``K = 3`` substitutes, the linear ones are one linear system
(``y_1 + y_2 + y_3 = 1`` gives ``y_3 = 1 - y_1 - y_2``), ``\sum_{i=1}^K y_i = 1`` replaces that
sum, and every sampled point satisfies every assumption in force -- a counterexample included.
Assumptions that contradict each other (``x = 1`` and ``x = 2``; ``x + y = 1``, ``x - y = 1``,
``x = 3``) make the step an ``error``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.str import StrPrinter

from derive.latex.blocks import Chain, Side, read_chains
from derive.latex.parser import parse_expression
from derive.latex.tokens import LatexError
from derive.verify_assumptions import Hypothesis, System, contradiction, unknowns

VERDICTS = ("equal", "not_equal", "unknown", "error")
DEFAULT_TIMEOUT = 5.0
#: Input-size bound: steps checked per document (the rest are reported as errors).
MAX_STEPS = 400


@dataclass(frozen=True)
class Options:
    """How hard to try: ``timeout`` seconds per step, ``points`` numeric points, ``seed`` for sampling."""

    timeout: float = DEFAULT_TIMEOUT
    points: int = 8
    seed: int = 0


@dataclass(frozen=True)
class StepVerdict:
    """One step ``lhs = rhs`` (LaTeX as written), its verdict, and the evidence."""

    lhs: str
    rhs: str
    verdict: str
    method: str
    detail: str
    counterexample: dict | None = None
    lhs_read: str | None = None
    rhs_read: str | None = None
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChainVerdict:
    line: int
    source: str
    steps: tuple[StepVerdict, ...]

    @property
    def first_wrong(self) -> int | None:
        """Index of the first ``not_equal`` step, if any."""
        return next((n for n, step in enumerate(self.steps) if step.verdict == "not_equal"), None)


@dataclass(frozen=True)
class Report:
    chains: tuple[ChainVerdict, ...] = field(default=())

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for chain in self.chains:
            for step in chain.steps:
                counts[step.verdict] += 1
        return counts


# ------------------------------------------------------------------------- reading


class _Echo(StrPrinter):
    """SymPy's text form, with ``z_1``/``yhat_i`` for vector elements and ``d/dx(…)`` for derivatives."""

    printmethod = "_derive_echo"  # Indexed's own _sympystr would win otherwise

    def _print_Indexed(self, expr):
        indices = ",".join(self._print(i) for i in expr.indices)
        simple = all(i.is_Symbol or i.is_Integer for i in expr.indices) and len(expr.indices) == 1
        return f"{expr.base.label}_{indices}" if simple else f"{expr.base.label}_({indices})"

    def _print_IndexedBase(self, expr):
        return str(expr.label)

    def _print_softmax(self, expr):
        z, i, _ = expr.args
        return f"{type(expr).__name__}({self._print(z)})_{self._print(i)}"

    _print_log_softmax = _print_softmax

    def _print_Rational(self, expr):
        if 1000 % expr.q == 0:  # the sample points: exact decimals
            from decimal import Decimal

            return str(Decimal(expr.p) / Decimal(expr.q))
        return super()._print_Rational(expr)

    def _print_Subs(self, expr):
        """``f'(a)`` for the derivative of an unknown function f evaluated at a."""
        inner, (t,), (at,) = expr.args
        if isinstance(inner, sp.Derivative) and len(inner.variables) == 1 and inner.expr.args == (t,):
            return f"{type(inner.expr).__name__}{chr(39) * inner.derivative_count}({self._print(at)})"
        return super()._print_Subs(expr)

    def _print_Derivative(self, expr):
        by = "".join(f"d{self._print(v)}" if n == 1 else f"d{self._print(v)}^{n}" for v, n in expr.variable_count)
        order = sum(n for _, n in expr.variable_count)
        top = "d" if order == 1 else f"d^{order}"
        return f"{top}/{by}({self._print(expr.expr)})"


def echo(expr: sp.Basic) -> str:
    """The text shown for what was read (so that a mis-read is visible)."""
    return _Echo({"order": "none"}).doprint(expr)


def unify_symbols(*exprs: sp.Expr) -> list[sp.Expr]:
    """One symbol per name: a real ``K`` becomes the integer ``K`` that bounds a sum elsewhere."""
    integers = {s.name: s for e in exprs for s in e.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    swap = {
        s: integers[s.name]
        for e in exprs
        for s in e.free_symbols
        if isinstance(s, sp.Symbol) and s.name in integers and not s.is_integer and s.is_real
    }
    return [e.xreplace(swap) for e in exprs]


def evaluate_derivatives(expr: sp.Expr) -> sp.Expr:
    """Carry out every ``Derivative`` that was written, innermost first.

    ``sp.diff`` rather than ``Derivative.doit``: the latter answers 0 for ``d/dz_k`` of a sum over
    ``z_j`` (it sees no ``z_k`` among the free symbols), which would be a wrong verdict.
    """
    return expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: sp.diff(e.expr, *e.variable_count))


# ------------------------------------------------------------------------- deciding one step (in a child)


def decide_step(send: Callable[[tuple], None], lhs_text: str, rhs_text: str, assumption_texts: tuple[str, ...],
                points: int, seed: str) -> None:
    """Read both sides, compare them numerically, then try a proof; ``send`` each finding as it comes."""
    from derive.verify_numeric import EVALUATION_ERRORS, NumericOutcome, compare

    exprs = []
    for which, text in (("lhs", lhs_text), ("rhs", rhs_text)):
        try:
            exprs.append(parse_expression(text))
        except LatexError as err:
            send(("error", which, err.message, err.column))
            return
    hypotheses = []
    for number, text in enumerate(assumption_texts):
        try:
            hypotheses.append(Hypothesis.read(text))
        except LatexError as err:
            send(("error", f"assumption {number}", err.message, err.column))
            return
    lhs, rhs, *sides = unify_symbols(*exprs, *(e for h in hypotheses for e in (h.lhs, h.rhs)))
    hypotheses = [Hypothesis(h.text, a, b) for h, a, b in zip(hypotheses, sides[::2], sides[1::2], strict=True)]
    clash = contradiction(hypotheses)
    if clash is not None:
        send(("error", *clash))
        return
    send(("read", echo(lhs), echo(rhs)))
    lhs, rhs = evaluate_derivatives(lhs), evaluate_derivatives(rhs)
    system = System.of(hypotheses)
    lhs, rhs, valued = system.substitute(lhs, rhs)
    system = system.relevant(lhs - rhs)
    used = set(valued) | {h.text for h in system.equations}
    context = [e for h in system.equations for e in (h.lhs, h.rhs)]
    try:
        numeric = compare(lhs, rhs, system.constraints, random.Random(seed), echo, wanted=points, context=context)
    except EVALUATION_ERRORS as err:  # the proof below may still decide
        numeric = NumericOutcome("unknown", f"could not evaluate ({type(err).__name__}: {err})"[:200])
    send(("numeric", numeric.verdict, numeric.detail, numeric.counterexample, tuple(sorted(used))))
    if numeric.verdict == "not_equal":
        return
    proof = _prove(lhs, rhs, system)
    send(("proof", proof.proved, proof.method, tuple(sorted(used | set(proof.assumptions)))))


def _prove(lhs: sp.Expr, rhs: sp.Expr, system: System):
    """:func:`derive.prove.prove_equal`, with index ranges for sums and a case split for a concrete K.

    The assumptions license one joint rewrite (:meth:`System.rewrite`); it is named after all of them.
    """
    import itertools

    from derive.prove import Assumption, Proof, index_in_range, prove_equal
    from derive.verify_numeric import bound_apart, counts_and_indices, expand_finite_sums, index_top

    joint = system.rewrite(unknowns(lhs - rhs)) if system.equations else None
    assumptions = [Assumption(h.text, h.text, joint if n == 0 else (lambda e: e))
                   for n, h in enumerate(system.equations)]
    counts, indices = counts_and_indices(lhs, rhs)
    if counts:
        if indices:
            assumptions.insert(0, index_in_range(sorted(indices, key=str), sorted(counts, key=str)[0]))
        return prove_equal(lhs, rhs, assumptions)
    top = index_top(lhs, rhs)  # a free index ranges up to the largest index written (as when sampling)
    lhs, rhs = expand_finite_sums(bound_apart(lhs)), expand_finite_sums(bound_apart(rhs))
    if not indices:
        return prove_equal(lhs, rhs, assumptions)
    ordered = sorted(indices, key=str)
    methods = []
    for values in itertools.product(range(1, top + 1), repeat=len(ordered)):
        case = dict(zip(ordered, map(sp.Integer, values), strict=True))
        proof = prove_equal(lhs.xreplace(case), rhs.xreplace(case), assumptions)
        if not proof.proved:
            return Proof(False, f"case {case}: {proof.method}", proof.assumptions)
        methods.append(proof.method)
    names = ", ".join(str(i) for i in ordered)
    return Proof(True, f"case split {names} = 1..{top}: " + "; ".join(dict.fromkeys(methods)),
                 tuple(a.text for a in assumptions))


# ------------------------------------------------------------------------- steps, chains, documents


def check_step(lhs: Side, rhs: Side, assumptions: Sequence[Side], options: Options = Options()) -> StepVerdict:
    """The verdict on ``lhs = rhs``, decided in a child process within ``options.timeout`` seconds."""
    from derive.verify_worker import run_bounded

    seed = f"{options.seed}|{lhs.text}|{rhs.text}"
    texts = tuple(a.text for a in assumptions)
    outcome = run_bounded(decide_step, (lhs.text, rhs.text, texts, options.points, seed), options.timeout)
    found = {message[0]: message[1:] for message in outcome.messages}
    base = {"lhs": lhs.text, "rhs": rhs.text}
    if "error" in found:
        which, message, column = found["error"]
        side = {"lhs": lhs, "rhs": rhs}.get(which) or assumptions[int(which.split()[1])]
        line, col = side.position(column)
        label = which if which in ("lhs", "rhs") else f"the assumption '{side.text}'"
        where = f"line {line}, column {col}" if line else f"--assume, column {col}"
        detail = f"{label}: {where}: {message}"
        return StepVerdict(**base, verdict="error", method="read", detail=detail)
    if "read" in found:
        base.update(lhs_read=found["read"][0], rhs_read=found["read"][1])
    numeric = found.get("numeric")
    proof = found.get("proof")
    used = (proof or numeric or (None,) * 4)[-1] or ()
    if numeric and numeric[0] == "not_equal":
        return StepVerdict(**base, verdict="not_equal", method="numeric", detail=numeric[1],
                           counterexample=numeric[2], assumptions=used)
    if proof and proof[0]:
        also = f"numerically: {numeric[1]}" if numeric else ""
        return StepVerdict(**base, verdict="equal", method=f"symbolic: {proof[1]}",
                           detail=f"lhs - rhs reduces to 0 by {proof[1]}; {also}".rstrip("; "), assumptions=used)
    stopped = _why_stopped(outcome, options)
    if numeric and numeric[0] == "equal":
        no_proof = f"no symbolic proof ({proof[1]})" if proof else f"no symbolic proof: {stopped}"
        return StepVerdict(**base, verdict="equal", method="numeric", detail=f"{numeric[1]}; {no_proof}",
                           assumptions=used)
    tried = [f"numeric: {numeric[1]}" if numeric else "numeric: not finished",
             f"symbolic: {proof[1]}" if proof else "symbolic: not finished"]
    if stopped:
        tried.append(stopped)
    return StepVerdict(**base, verdict="unknown", method="none", detail="; ".join(tried), assumptions=used)


def _why_stopped(outcome, options: Options) -> str:
    if outcome.timed_out:
        return f"stopped at the time bound of {options.timeout:g} s"
    if outcome.crash:
        return f"the checker failed: {outcome.crash}"
    return ""


def verify_chain(chain: Chain, assumptions: Sequence[Side] = (), options: Options = Options(),
                 budget: list[int] | None = None) -> ChainVerdict:
    """Every step of ``chain``, under ``assumptions`` plus the chain's own ``% assume:`` lines."""
    if chain.problem is not None or len(chain.sides) < 2:
        text = chain.sides[0].text if chain.sides else ""
        step = StepVerdict(text, "", "error", "read", chain.problem or "nothing to compare")
        return ChainVerdict(chain.line, chain.source, (step,))
    in_force = (*assumptions, *chain.assumptions)
    steps = []
    for lhs, rhs in zip(chain.sides, chain.sides[1:], strict=False):
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                steps.append(StepVerdict(lhs.text, rhs.text, "error", "limit",
                                         f"not checked: more than {MAX_STEPS} steps in one input"))
                continue
        steps.append(check_step(lhs, rhs, in_force, options))
    return ChainVerdict(chain.line, chain.source, tuple(steps))


def verify_text(text: str, assumptions: Sequence[str] = (), options: Options = Options()) -> Report:
    """Verdicts on every chain of a Markdown/LaTeX document; ``assumptions`` apply to all of them."""
    given = [Side(a, 0, 1) for a in assumptions]
    budget = [MAX_STEPS]
    return Report(tuple(verify_chain(chain, given, options, budget) for chain in read_chains(text)))


def read_assumption(text: str, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Why the assumption ``text`` cannot be read (``column N: …``), or None when it can."""
    from derive.verify_worker import run_bounded

    outcome = run_bounded(_read_assumption, (text,), timeout)
    if outcome.messages:
        return outcome.messages[0][1]
    if outcome.finished:
        return None
    return _why_stopped(outcome, Options(timeout=timeout)) or "cannot be read"


def _read_assumption(send: Callable[[tuple], None], text: str) -> None:
    try:
        Hypothesis.read(text)
    except LatexError as err:
        send(("error", str(err)))
