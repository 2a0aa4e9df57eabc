"""Deciding one step, in the child process: read (both readings where two are plausible), put the
definitions in, take a first look at the numbers, try a proof, and compare thoroughly where no proof
was found; a step found not equal is diagnosed."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from dataclasses import replace

import sympy as sp
from sympy.core.function import AppliedUndef

from backprop_derive.core.prove import Assumption, Proof, index_in_range, prove_equal
from backprop_derive.core.stage import stage
from backprop_derive.verify import dependents, meanings
from backprop_derive.verify.assumptions import Hypothesis, System, contradiction, unknowns
from backprop_derive.verify.cputime import PointTimeout, time_limit
from backprop_derive.verify.definitions import (
    bindable,
    bindings,
    names_of,
    parse_all,
    put_in,
    upstream_arguments,
    variable_primes,
    with_bindings,
    written_in,
)
from backprop_derive.verify.diagnosis import diagnose
from backprop_derive.verify.drawn import with_drawn_functions
from backprop_derive.verify.graph import bare_elements, defines_element, names_in
from backprop_derive.verify.latex.names import index_symbol
from backprop_derive.verify.latex.parser import (
    PRIME,
    Readings,
    parse_expression,
    read,
    read_unevaluated,
    square_names,
    written_indices,
)
from backprop_derive.verify.latex.tokens import LatexError, UndefinedDerivativeError
from backprop_derive.verify.numeric import (
    EVALUATION_ERRORS,
    NumericOutcome,
    bound_apart,
    compare,
    counts_and_indices,
    expand_finite_sums,
    index_choices,
)
from backprop_derive.verify.reading import echo, evaluate_derivatives, unify_symbols


def decide_step(send: Callable[[tuple], None], lhs_text: str, rhs_text: str, assumption_texts: tuple[str, ...],
                points: int, seed: str, functions: tuple[str, ...] = (), symbols: tuple[str, ...] = (),
                definitions: tuple[tuple[str, ...], ...] = (), timeout: float = 5.0) -> None:
    r"""Read both sides, compare them numerically, then try a proof; ``send`` each finding as it comes.

    An undeclared name before a parenthesis (``v(x)``) has two readings: the unknown function v
    at x, and the product :math:`v \cdot x`.  Where the name also stands alone in the step
    (``y(1-y)``), only the product is plausible.  Otherwise both are judged, each message tagged
    with its reading, and :func:`backprop_derive.verify.check.check_step` answers ``unknown`` unless they agree.
    """
    stage("reading the step")
    deadline = time.process_time() + 0.8 * timeout  # CPU time, as the bound: the numbers stop in time to be reported
    undetermined = {d[0]: d[2] for d in definitions if len(d) > 3 and d[3] == "undetermined"}
    defined = frozenset(d[0] for d in definitions if len(d) < 4 or d[3] not in ("gradient", "undetermined",
                                                                                 "variable", "gradient word"))
    variables = frozenset(d[0] for d in definitions if len(d) > 3 and d[3] == "variable")
    # a definition with a function head (S_i(z) = …, f(x) := …) makes its name a function: S_i(a) applies it,
    # while a defined symbol before '(' (y(1 - y) with y = σ(x)) keeps both readings
    functions = (*functions, *(d[0] for d in definitions if (len(d) < 4 or d[3] == "definition") and "(" in d[1]))
    gradient = next((d[1] for d in definitions if len(d) > 3 and d[3] == "gradient"), None)
    squares = square_names((lhs_text, rhs_text, *assumption_texts, *(t for d in definitions for t in d[1:3])),
                           [d[1:3] for d in definitions])
    declared = Readings(frozenset(functions), frozenset(symbols), defined=defined, squares=squares,
                        gradient_of=gradient, variables=variables,
                        gradient_words=tuple((d[0], d[1], d[2]) for d in definitions if len(d) > 3 and
                                             d[3] == "gradient word"))
    contexts, exprs = [], []
    for which, text in (("lhs", lhs_text), ("rhs", rhs_text)):
        try:
            expr, context = read(text, declared)
            contexts.append(context)
            exprs.append(expr)
        except UndefinedDerivativeError as err:
            if err.name in undetermined:  # readable; what the name depends on is what is missing
                send(("undecided", f"the derivative of {err.name}: {undetermined[err.name]}"))
            else:
                send(("error", which, err.message, err.column))
            return
        except LatexError as err:
            send(("error", which, err.message, err.column))
            return
    for which, mine, other in (("lhs", contexts[0], exprs[1]), ("rhs", contexts[1], exprs[0])):
        clash = sorted(mine.implied & {i.name for i in written_indices(other)})
        if clash:  # \sum t_i = t_i: the index the sum was read to run over is written on the other side
            send(("error", which, f"\\sum without an index, read as the sum over {clash[0]}, while the other side "
                  f"writes {clash[0]}: write the sum's index", 1))
            return
    heads = set().union(*(c.heads for c in contexts))
    constructs = list(dict.fromkeys(a for c in contexts for a in c.ambiguous))
    bare = set().union(*(c.bare for c in contexts))
    primed = set().union(*(c.primed for c in contexts))
    forced = heads & bare
    ambiguous = sorted(heads - bare - primed)
    settled = replace(declared, functions=declared.functions | primed, symbols=declared.symbols | forced)
    notes = [note for c in contexts for note in c.notes]
    notes += [f"{n}(…) read as the product {n}·(…): {n} also stands alone (declare '% function: {n}' otherwise)"
              for n in sorted(forced)]
    notes += [f"{n}(…) read as an unknown function ({'declared' if n in declared.functions else 'a prime follows'})"
              for n in sorted((primed - defined) | (declared.functions & heads))]
    notes += [f"{n}'(…) read as the derivative of {n} as defined" for n in sorted(primed & defined)]
    if ambiguous or constructs:
        names_ = ", ".join(ambiguous)
        if ambiguous:
            notes.append(f"{names_} before '(': read both as unknown function(s) and as factor(s) "
                         f"(declare '% function: {names_}' or '% symbol: {names_}')")
        notes += [f"read two ways: {c}" for c in constructs]
        first = f"{names_} as unknown function(s)" if ambiguous else "the first reading"
        second = f"{names_} as factor(s)" if ambiguous else "the other reading"
        if constructs:
            first, second = f"{first} ({'; '.join(c.split(':')[0] for c in constructs)} as TeX reads it)", \
                f"{second} (the alternative)"
        readings = [(first, settled),
                    (second, replace(settled, symbols=settled.symbols | set(ambiguous), alternate=bool(constructs)))]
    else:
        readings = [("", settled)]
    send(("notes", tuple(dict.fromkeys(notes))))
    for label, readings_ in readings:
        def judge(send_, definitions_, label=label, readings_=readings_):
            return _judge(send_, label, lhs_text, rhs_text, assumption_texts, readings_, points, seed, definitions_,
                          deadline)

        if not dependents.judged(send, judge, definitions):  # names that depend on a variable unsaid
            return


def _diagnose(send, label: str, lhs: sp.Expr, rhs: sp.Expr) -> None:
    """What kind of mistake a step found not equal makes (:mod:`backprop_derive.verify.diagnosis`), sent after the
    verdict so that running out of time cannot lose the verdict."""
    stage("the diagnosis of the mistake")
    found = diagnose(lhs, rhs)
    if found is not None:
        send(("diagnosis", label, found.kind, found.text))


#: CPU seconds a proof may take before the thorough numeric comparison (it runs again after it if cut short).
FIRST_PROOF_SECONDS = 1.5


def _judge(send, label: str, lhs_text: str, rhs_text: str, assumption_texts: tuple[str, ...], readings: Readings,
           points: int, seed: str, definitions: tuple[tuple[str, ...], ...] = (),
           deadline: float | None = None) -> bool:
    """One reading of the step judged: messages tagged with ``label``; False after an error."""
    exprs = [parse_expression(lhs_text, readings), parse_expression(rhs_text, readings)]
    step = tuple(exprs)  # as written: which names it holds on which side
    if any(isinstance(n.expr, sp.Symbol) and n.variables == (PRIME,) for e in exprs for n in e.atoms(sp.Derivative)):
        try:
            exprs = variable_primes(exprs, parse_all(definitions, readings)[0] if definitions else [])
        except LatexError as err:
            send(("error", "rhs", err.message, err.column))
            return False
    bound: list[tuple[sp.Expr, sp.Expr]] = []
    placeholders: set = set()  # the unknown functions definitions in force are written in (f(x) = g(x)/h(x))
    as_written = exprs  # definitions put in, derivatives not carried out: what a diagnosis reads
    if definitions:
        put = _put_definitions(send, exprs, definitions, readings)
        if put is None:
            return False
        exprs, bound, placeholders, as_written = put
    hypotheses = []
    for number, text in enumerate(assumption_texts):
        try:
            hypotheses.append(Hypothesis.read(text, readings))
        except LatexError as err:
            send(("error", f"assumption {number}", err.message, err.column))
            return False
    clashing = _count_and_array(*exprs, *(v for _, v in bound))
    if clashing is not None:
        send(("error", "lhs", f"{clashing} is both the number of terms of a sum written without its range and an "
              f"array of the document ({clashing}_{{…}}): write the sum's range (\\sum_{{k=1}}^{{d}})", 1))
        return False
    lhs, rhs, *sides = unify_symbols(*exprs, *as_written, *(v for _, v in bound),
                                     *(e for h in hypotheses for e in (h.lhs, h.rhs)))
    as_written, values, sides = sides[:2], sides[2 : 2 + len(bound)], sides[2 + len(bound) :]
    bound = list(zip((k for k, _ in bound), values, strict=True))
    hypotheses = [h.with_sides(*_both_indices(a, b)) for h, a, b in zip(hypotheses, sides[::2], sides[1::2],
                                                                         strict=True)]
    clash = contradiction(hypotheses)
    if clash is not None:
        send(("error", *clash))
        return False
    shown = [read_unevaluated(t, readings) for t in (lhs_text, rhs_text)]
    send(("read", label, *(echo(u if u is not None else e) for u, e in zip(shown, (lhs, rhs), strict=True))))
    system = System.of(hypotheses)
    # definitions put in, derivatives not carried out: what a diagnosis reads (where a derivative is by a name
    # bound to a value, d/dσ² with σ² = Σ…, it cannot be written so: then the sides with derivatives done)
    written = _as_written(system, as_written, (lhs, rhs), bound)
    if system.equations:  # the diagnosis draws points of its own: the equations are put in (y_3 = 1 - y_1 - y_2)
        joint = system.rewrite(unknowns(written[0] - written[1]))
        written = tuple(joint(expand_finite_sums(bound_apart(side))) for side in written)
    lhs, rhs = evaluate_derivatives(lhs), evaluate_derivatives(rhs)
    lhs, rhs, valued = system.substitute(lhs, rhs)
    variables = [parse_expression(d[2], readings) for d in definitions if len(d) > 3 and d[3] == "dependent"]
    send(("slopes", label, tuple(sorted(dependents.slopes(lhs, variables) ^ dependents.slopes(rhs, variables)))))
    system = system.relevant(lhs - rhs)
    used = set(valued) | {h.text for h in system.equations} | {h.text for h in system.conditions}
    context = [e for h in (*system.equations, *system.conditions) for e in (h.lhs, h.rhs)] + [v for _, v in bound]
    constraints = with_bindings(system.constraints, bound) if bound else system.constraints

    def look(thorough: bool) -> NumericOutcome:
        stage("the numeric comparison" if thorough else "the numeric comparison (a first look)")
        try:
            return compare(lhs, rhs, constraints, random.Random(seed), echo, wanted=points, context=context,
                           thorough=thorough, deadline=deadline)
        except EVALUATION_ERRORS as err:  # the proof may still decide
            return NumericOutcome("unknown", f"could not evaluate ({type(err).__name__}: {err})"[:200])

    # A first look finds the usual mistake at once; a proof makes the thorough comparison unneeded.
    numeric = look(thorough=False)
    if numeric.verdict == "unknown" and numeric.detail.startswith("no numbers to compare: functions"):
        numeric = _with_drawn_functions(lhs, rhs, system, seed, points, context, deadline, placeholders) or numeric
    known = (frozenset(readings.defined |  # not the reader's models of undefined names
                       {n for h in hypotheses for side in (h.lhs, h.rhs) for n in names_in(side)}),
             frozenset(readings.variables), lambda: _orphans(step, definitions, readings))  # only when refuted
    if numeric.verdict == "not_equal":
        return _refuted(send, label, numeric, used, written, step, (lhs, rhs), known)
    try:
        with time_limit(FIRST_PROOF_SECONDS):
            proof = _prove(lhs, rhs, system)
    except PointTimeout:
        proof = None  # tried again after the numbers, with the rest of the step's time
    if proof is None or not proof.proved:
        numeric = look(thorough=True)
    if numeric.verdict == "not_equal":
        return _refuted(send, label, numeric, used, written, step, (lhs, rhs), known)
    send(("numeric", label, numeric.verdict, numeric.detail, numeric.counterexample, tuple(sorted(used))))
    proof = proof or _prove(lhs, rhs, system)
    if not proof.proved and numeric.verdict in ("equal", "unknown"):
        constant = proof.constant
        if constant is not None:  # agreement below what 500 digits resolve (or a number finer than they
            # see: numeric.compare says unknown), and a symbolic constant apart
            shown = sp.Float(constant, 3)
            example = {"point": {}, "lhs": f"rhs + ({shown})", "rhs": "rhs", "difference": str(abs(shown))}
            send(("numeric", label, "not_equal", f"at every point: lhs - rhs simplifies to the constant {shown} "
                  "(exactly), too small for the points to resolve", example, tuple(sorted(used))))
            _diagnose(send, label, *written)
            return True
    send(("proof", label, proof.proved, proof.method, tuple(sorted(used | set(proof.assumptions)))))
    return True


def _count_and_array(*exprs: sp.Expr) -> str | None:
    """A name that bounds a sum (an integer count, ``K`` of a sum with no range written) and is also the base of
    an element (``K_{jk}``, the keys): read as one symbol the array would collapse into the count, so no step
    with both is judged.  None where there is no such name."""
    counts = {str(s) for e in exprs for s in e.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    counts |= {str(limit[2]) for e in exprs for total in e.atoms(sp.Sum) for limit in total.limits
               if isinstance(limit[2], sp.Symbol)}
    arrays = {str(node.base.label) for e in exprs for node in e.atoms(sp.Indexed)}
    both = sorted(counts & arrays)
    return both[0] if both else None


def _orphans(step: tuple[sp.Expr, sp.Expr], definitions, readings: Readings) -> frozenset[str]:
    """The elements the step writes of an indexed name the definitions define by a label only (``\\delta_o = …``
    defines δ_o; the step's ``\\delta_{h_t}`` is no element any definition gives), as text."""
    if not definitions:
        return frozenset()
    try:
        parsed = parse_all(definitions, readings)[0]
    except LatexError:
        return frozenset()
    given = [(lhs, rhs) for lhs, rhs in parsed if isinstance(lhs, sp.Indexed)]
    bases = {lhs.base.label for lhs, _ in given}
    return frozenset(str(node) for side in step for node in side.atoms(sp.Indexed) if node.base.label in bases
                     and not any(defines_element(lhs, rhs, node) for lhs, rhs in given))


def _refuted(send, label: str, numeric: NumericOutcome, used: set, written, step, judged, known) -> bool:
    """A step found not equal at a point: the verdict and its diagnosis, unless the difference depends on a
    name the document defines nowhere and the step writes on one side only (:mod:`backprop_derive.verify.meanings`):
    then no value drawn for it refutes what the author meant, and the step is undecided, saying what would
    make it hold."""
    vectors = meanings.whole_and_elements(step)
    if vectors:
        names = ", ".join(vectors)
        send(("undecided", f"{names} is written both whole and by its elements: a vector equation, which the reader "
              f"judges element by element only where an index says which element; read with {names} as one number "
              "the sides differ, which proves nothing about the vectors"))
        return False
    known, variables, orphans_of = known
    orphans = orphans_of()
    alone = sorted({echo(n) for n in (judged[0] - judged[1]).atoms(sp.Indexed) if str(n) in orphans})
    if alone:
        send(("undecided", f"depends on {', '.join(alone)}, an element no definition gives (a definition whose right "
              "side does not use its subscript gives that element alone: \\delta_o = … says nothing of "
              "\\delta_{h}): not equal at the values drawn, but it may mean what makes the step hold; define it to "
              "judge the step"))
        return False
    missing = meanings.unsaid(step, written, judged, known, variables)
    if missing:
        names = ", ".join(missing)
        hint = next(filter(None, (meanings.would_hold(judged, name, time_limit, echo) for name in missing)), None)
        send(("undecided", f"depends on {names}, which the document does not define and the step writes on one "
              f"side only: not equal at the values drawn, but {names} may mean what makes it hold"
              + (f" (it holds if {hint})" if hint else "") + f"; define {names} to judge the step"))
        return False
    send(("numeric", label, numeric.verdict, numeric.detail, numeric.counterexample, tuple(sorted(used))))
    _diagnose(send, label, *written)
    return True


def _as_written(system: System, as_written, done, bound) -> tuple[sp.Expr, sp.Expr]:
    """The step as written for a diagnosis (:func:`_judge`): ``as_written`` with the assumptions' equations and
    bound names put in, else ``done`` so, else ``done`` as it is."""
    for sides in (as_written, done):
        try:
            return tuple(e.xreplace(dict(bound)) for e in system.substitute(*sides)[:2])
        except (ValueError, TypeError):
            continue
    return tuple(done)


def _put_definitions(send, exprs: list[sp.Expr], definitions: tuple[tuple[str, ...], ...], readings: Readings):
    """The step's sides with the definitions in force put in (:mod:`backprop_derive.verify.definitions`), and the
    scalar names kept as symbols with the values they are bound to, and the unknown functions the written
    definitions are in (drawn functions may refute a rule about them); None after an error (sent)."""
    exprs = [bound_apart(e) for e in exprs]  # a sum's own index is a dummy: d/dx_i of a sum over i is by x_i
    try:
        parsed, refused = parse_all(definitions, readings)
    except LatexError as err:
        send(("error", "lhs", f"a definition in force cannot be read: {err}", 1))
        return None
    kept = bindable(parsed)
    exprs, notes = bare_elements(exprs, parsed)
    if notes:
        send(("notes", tuple(notes)))
    try:
        arguments = upstream_arguments(definitions, readings)
        put = [put_in(e, parsed, refused, kept, arguments) for e in exprs]
    except LatexError as err:
        send(("error", "lhs", err.message, err.column))
        return None
    as_written = [written_in(e, parsed) for e in exprs]
    exprs = [e for e, _ in put]
    bound, numbers = bindings(exprs, parsed, kept)
    named = names_of(definitions, refused)
    send(("definitions", tuple(sorted({named[n] for _, found in put for n in found} | {named[n] for n in numbers}))))
    if any(e.has(PRIME) for e in exprs):
        send(("error", "lhs", "a prime on a name whose definition has more than one variable (or none): write "
              "d/dx of it", 1))
        return None
    written = sum(1 for d in definitions if len(d) == 3 or d[3] == "definition")  # not upstream models
    placeholders = {type(f) for _, rhs in parsed[:written] for f in rhs.atoms(AppliedUndef)}
    return exprs, bound, placeholders, as_written


def _with_drawn_functions(lhs, rhs, system, seed: str, points: int, context, deadline,
                          placeholders: set) -> NumericOutcome | None:
    """A counterexample with concrete functions for the unknown ones (:mod:`backprop_derive.verify.drawn`), or None."""
    drawn = with_drawn_functions(lhs, rhs, random.Random(seed + "|functions"), placeholders)
    if drawn is None:
        return None
    a, b, shown = drawn
    try:
        found = compare(a, b, system.constraints, random.Random(seed), echo, wanted=points, context=context,
                        thorough=False, deadline=deadline)
    except EVALUATION_ERRORS:
        return None
    if found.verdict != "not_equal":
        return None
    functions = ", ".join(f"{name} = {body}" for name, body in shown.items())
    example = dict(found.counterexample or {})
    example["point"] = {**shown, **example.get("point", {})}
    return replace(found, detail=f"not an identity for every function: with {functions}, {found.detail}",
                   counterexample=example)


def _both_indices(a: sp.Expr, b: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """A condition ``i = j`` between an index of the step and a letter it does not hold (the step is
    about :math:`\\partial_i S_i`): the letter is an index too, not a real number."""
    if isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol) and bool(a.is_integer) != bool(b.is_integer) \
            and len(a.name) == len(b.name) == 1:
        return tuple(s if s.is_integer else index_symbol(s.name) for s in (a, b))
    return a, b


def _prove(lhs: sp.Expr, rhs: sp.Expr, system: System):
    """:func:`backprop_derive.core.prove.prove_equal`, with index ranges for sums and a case split for a concrete K.

    The assumptions license one joint rewrite (:meth:`System.rewrite`); it is named after all of them.
    """
    joint = system.rewrite(unknowns(lhs - rhs)) if system.equations else None
    assumptions = [Assumption(h.text, h.text, joint if n == 0 else (lambda e: e))
                   for n, h in enumerate(system.equations)]
    distinct = [h for h in system.conditions if h.relation == "!=" and h.about_indices()]
    apart = [(h.lhs, h.rhs) for h in distinct]
    if apart:
        texts = "; ".join(h.text for h in distinct)
        assumptions.append(Assumption(texts, texts, lambda e: e.replace(
            lambda d: isinstance(d, sp.KroneckerDelta) and _distinct(d.args, apart), lambda d: sp.S.Zero)))
    counts, indices = counts_and_indices(lhs, rhs)
    if counts:
        if indices:
            assumptions.insert(0, index_in_range(sorted(indices, key=str), sorted(counts, key=str)[0]))
        return prove_equal(lhs, rhs, assumptions)
    choices = index_choices(lhs, rhs)  # the indices written, one that is none of them, beside numbers written
    lhs, rhs = expand_finite_sums(bound_apart(lhs)), expand_finite_sums(bound_apart(rhs))
    if not indices:
        return prove_equal(lhs, rhs, assumptions)
    ordered = sorted(indices, key=str)
    methods = []
    for values in itertools.product(choices, repeat=len(ordered)):
        case = dict(zip(ordered, map(sp.Integer, values), strict=True))
        if any(_breaks(h, case) for h in system.conditions):
            continue
        proof = prove_equal(lhs.xreplace(case), rhs.xreplace(case), assumptions)
        if not proof.proved:
            return Proof(False, f"case {case}: {proof.method}", proof.assumptions)
        methods.append(proof.method)
    names = ", ".join(str(i) for i in ordered)
    return Proof(True, f"case split {names} in {{{', '.join(map(str, choices))}}} (the indices written and one "
                 "more): " + "; ".join(dict.fromkeys(methods)),
                 tuple(a.text for a in assumptions))


def _distinct(pair: tuple, apart: list) -> bool:
    """Whether a condition ``a \\neq b`` says the two indices of a Kronecker delta differ."""
    a, b = pair
    return any({sp.expand(a - b), sp.expand(b - a)} & {sp.expand(x - y)} for x, y in apart)


def _breaks(hypothesis, case: dict) -> bool:
    """Whether the concrete index values ``case`` contradict a condition (``i \\neq j`` at i = j = 2)."""
    gap = sp.expand((hypothesis.lhs - hypothesis.rhs).xreplace(case))
    if not gap.is_number:
        return False
    tests = {"!=": gap != 0, "<": gap < 0, ">": gap > 0, "<=": gap <= 0, ">=": gap >= 0, "=": gap == 0}
    return not bool(tests[hypothesis.relation])
