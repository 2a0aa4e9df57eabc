"""Deciding one step, in the child process: read, compare numerically, then try a proof."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import sympy as sp

from derive.latex.parser import parse_expression
from derive.latex.tokens import LatexError
from derive.prove import Assumption, Proof, index_in_range, prove_equal
from derive.verify.assumptions import Hypothesis, System, contradiction, unknowns
from derive.verify.numeric import (
    EVALUATION_ERRORS,
    NumericOutcome,
    bound_apart,
    compare,
    counts_and_indices,
    expand_finite_sums,
    index_top,
)
from derive.verify.reading import echo, evaluate_derivatives, unify_symbols


def decide_step(send: Callable[[tuple], None], lhs_text: str, rhs_text: str, assumption_texts: tuple[str, ...],
                points: int, seed: str) -> None:
    """Read both sides, compare them numerically, then try a proof; ``send`` each finding as it comes."""
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
