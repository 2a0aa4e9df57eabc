"""Steps, chains and documents: each step decided in a bounded child process (:mod:`.worker`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

import sympy as sp

from backprop_derive.verify import dependents
from backprop_derive.verify.assumptions import Hypothesis
from backprop_derive.verify.decide import decide_step
from backprop_derive.verify.definitions import (
    Definition,
    bare_sum,
    defined_by_derivative,
    defines,
    function_head,
    names_a_part,
)
from backprop_derive.verify.document import PLAIN, Chain, ProseDefinition, Side, read_document
from backprop_derive.verify.first_step import (
    known_definition,
    known_function,
    restated,
    side_names,
    through_unknown,
    undefined_element,
    written_step,
)
from backprop_derive.verify.freeindex import one_sided_index
from backprop_derive.verify.latex.macros import expand
from backprop_derive.verify.latex.names import FUNCTIONS
from backprop_derive.verify.latex.parser import Readings, parse_expression, read_unevaluated, square_names
from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.matrix import (
    Declared,
    declarations,
    declared_matrices,
    defines_matrix,
    is_matrix_step,
    matrix_like,
    warm,
)
from backprop_derive.verify.matrix.infer import InferredShapes, infer_shapes
from backprop_derive.verify.matrix.judge import decide_matrix_step
from backprop_derive.verify.matrix.loss import gradients
from backprop_derive.verify.matrix.named import named_gradients
from backprop_derive.verify.matrix.reader import name_key, read_matrix
from backprop_derive.verify.matrix.values import NOT_A_MATRIX
from backprop_derive.verify.prose import named_gradients as gradients_in_words
from backprop_derive.verify.report import (
    DEFAULT_TIMEOUT,
    MAX_STEPS,
    ChainVerdict,
    Options,
    RegionSummary,
    Report,
    StepVerdict,
)
from backprop_derive.verify.upstream import (
    functions_by_section,
    gradient_notation,
    inline_math,
    section_text,
    upstream_definitions,
    written_derivatives,
)
from backprop_derive.verify.worker import run_bounded


def check_step(lhs: Side, rhs: Side, assumptions: Sequence[Side], options: Options = Options(),
               functions: frozenset[str] = frozenset(), symbols: frozenset[str] = frozenset(),
               definitions: Sequence[Definition] = (), declared: tuple[Declared, ...] = ()) -> StepVerdict:
    """The verdict on ``lhs = rhs``, decided in a child process within ``options.timeout`` seconds.

    ``functions``/``symbols`` are the document's declared readings.  Where a step has two readings
    (:func:`backprop_derive.verify.decide.decide_step`), it is ``equal`` or ``not_equal`` only when both agree.
    ``declared``: the document's shape declarations; a matrix claim is decided by
    :func:`backprop_derive.verify.matrix.judge.decide_matrix_step`.
    """
    seed = f"{options.seed}|{lhs.text}|{rhs.text}"
    texts = tuple(a.text for a in assumptions)
    upstream = frozenset(d.name for d in definitions if d.kind == "upstream")
    as_matrix = is_matrix_step(lhs.text, rhs.text, declared, {d.name for d in definitions if d.kind == "definition"},
                               upstream)
    if as_matrix and isinstance(declared, InferredShapes):
        return _inferred(lhs, rhs, assumptions, options, functions, symbols, definitions, declared)
    if as_matrix:
        args = (lhs.text, rhs.text, seed, tuple((d.name, d.lhs, d.rhs) for d in definitions if d.kind == "definition"),
                declared,
                options.timeout)
        outcome = run_bounded(decide_matrix_step, args, options.timeout)
    else:
        args = (lhs.text, rhs.text, texts, options.points, seed, tuple(sorted(functions)), tuple(sorted(symbols)),
                tuple((d.name, d.lhs, d.rhs, d.kind) for d in definitions), options.timeout)
        outcome = run_bounded(decide_step, args, options.timeout)
    base = {"lhs": lhs.text, "rhs": rhs.text, "lhs_source": lhs.verbatim, "rhs_source": rhs.verbatim,
            "reason": rhs.note}
    undecided = next((m[1] for m in outcome.messages if m[0] == "undecided"), None)
    if undecided is not None:
        read = next((m[2:] for m in outcome.messages if m[0] == "read"), (None, None))
        return _one_sided(StepVerdict(**base, verdict="unknown", method="none", detail=undecided, lhs_read=read[0],
                                      rhs_read=read[1]), definitions)
    errors = [m[1:] for m in outcome.messages if m[0] == "error"]
    if errors:
        which, message, column = errors[0]
        side = {"lhs": lhs, "rhs": rhs}.get(which) or assumptions[int(which.split()[1])]
        line, col = side.position(column)
        label = which if which in ("lhs", "rhs") else f"the assumption '{side.text}'"
        where = f"line {line}, column {col}" if line else f"--assume, column {col}"
        return _one_sided(StepVerdict(**base, verdict="error", method="read", detail=f"{label}: {where}: {message}"),
                          definitions)
    notes = tuple(dict.fromkeys(n for m in outcome.messages if m[0] == "notes" for n in m[1]))
    labels = list(dict.fromkeys(m[1] for m in outcome.messages if m[0] in ("read", "numeric", "proof")))
    kinds = ("read", "numeric", "proof", "diagnosis")
    by_label = {label: {m[0]: m[2:] for m in outcome.messages if m[0] in kinds and m[1] == label}
                for label in labels} or {"": {}}
    verdicts = {label: _verdict(found, base, outcome, options) for label, found in by_label.items()}
    used = next((m[1] for m in outcome.messages if m[0] == "definitions"), ())
    shown = tuple(d.shown for d in definitions if d.name in used and d.kind != "variable")
    if len(verdicts) == 1 and not (labels and labels[0]):
        step = replace(next(iter(verdicts.values())), readings=notes, definitions=shown)
    else:
        step = replace(_both_readings(verdicts, base, notes, outcome, options), definitions=shown)
    stated = tuple(f"{d.lhs} = {d.rhs}: {d.how}" for d in definitions if d.name in used and " read as " in d.how)
    step = replace(step, readings=(*step.readings, *stated)) if stated else step
    if as_matrix:
        return step
    if step.verdict in ("error", "unknown") and step.method in ("read", "none"):
        return _one_sided(step, definitions)
    if declared and not isinstance(declared, InferredShapes):  # declared shapes: no declared matrix in it
        return _as_matrices(step, lhs, rhs, definitions, declared)
    return _as_matrices(step, lhs, rhs, definitions)


def _one_sided(step: StepVerdict, definitions: Sequence[Definition]) -> StepVerdict:
    """A step that could not be judged, refuted all the same where its index is free on one side only
    (:mod:`backprop_derive.verify.freeindex`: the batch sum left out of a chain rule through an undefined name)."""
    found = one_sided_index(step.lhs, step.rhs, frozenset(d.name for d in definitions if d.kind == "definition"))
    if found is None:
        return step
    return replace(step, verdict="not_equal", method="structure", detail=found["detail"], diagnosis=found["diagnosis"])


def _inferred(lhs: Side, rhs: Side, assumptions, options: Options, functions, symbols, definitions,
              inferred: InferredShapes) -> StepVerdict:
    """A matrix step of a document whose shapes are inferred (:mod:`backprop_derive.verify.matrix.infer`): judged under
    every reading of the shapes, ``equal``/``not_equal`` only where all agree, else ``unknown`` naming them;
    the shapes read are shown in the step's readings."""
    verdicts = []
    for reading, shown, extra in zip(inferred.readings, inferred.shown, inferred.extra, strict=True):
        supplied = tuple(Definition(name, left, right, lhs.line, "a reading of the shapes")
                         for name, left, right in extra)
        step = check_step(lhs, rhs, assumptions, options, functions, symbols, (*definitions, *supplied), reading)
        if step.verdict == "not_equal" and NOT_A_MATRIX in step.detail:
            step = replace(step, verdict="unknown", method="none", counterexample=None, diagnosis=None,
                           detail=f"{step.detail}: a derivative of a non-scalar (a Jacobian) is read only where the "
                           "document declares its shapes, so that its layout is the document's")
        verdicts.append(replace(step, readings=(shown, *step.readings)))
    first = verdicts[0]
    if len(verdicts) == 1:
        return first
    if len({v.verdict for v in verdicts}) == 1:
        weakest = next((v for v in verdicts if v.method == "numeric"), first)
        if first.verdict not in ("equal", "not_equal"):
            return replace(first, readings=(*inferred.shown, *first.readings[1:]))
        return replace(weakest, readings=(*inferred.shown, *weakest.readings[1:]),
                       detail=f"the same under every reading of the shapes ({len(verdicts)}): {weakest.detail}")
    shown = "; ".join(f"{s}: {v.verdict} ({v.detail})" for s, v in zip(inferred.shown, verdicts, strict=True))
    return replace(first, verdict="unknown", method="none", counterexample=None, diagnosis=None,
                   readings=(*inferred.shown, *first.readings[1:]),
                   detail=f"the shapes can be read {len(verdicts)} ways, with different verdicts: {shown}")


def _as_matrices(step: StepVerdict, lhs: Side, rhs: Side, definitions: Sequence[Definition],
                 declared: tuple[Declared, ...] = ()) -> StepVerdict:
    """A step judged equal as scalars that names matrices: ``unknown``, saying why.  ``W a`` and ``a W`` are
    equal as scalars; as matrices they may not even be formed.  In a document that declares no shapes, the
    matrices are the names it uses as matrices (:func:`backprop_derive.verify.matrix.matrix_like`); in one that does,
    a step the scalar checker judged (one about an upstream scalar, read per element) must name no name
    declared with two sizes."""
    if step.verdict != "equal" or step.method == "definition":
        return step
    if declared:
        found = {key: "declared a matrix" for key in sorted(declared_matrices(lhs.text, rhs.text, declared))}
        why = (": the step names a scalar the document gives no shape (an upstream name), so it was read per "
               "element, which proves nothing about a matrix")
    else:
        found = matrix_like(lhs.text, rhs.text, definitions)
        why = (" is a matrix here and the document declares no shapes: declare them (W \\in \\mathbb{R}^{m \\times "
               "k}) to check the step as matrices")
    if not found:
        return step
    names = ", ".join(f"{key} ({reason})" for key, reason in found.items())
    return replace(step, verdict="unknown", method="none",
                   detail=f"equal if the names are scalars ({step.method}), but {names}{why}")


def _verdict(found: dict, base: dict, outcome, options: Options) -> StepVerdict:
    """The verdict of one reading from its messages (``read``, ``numeric``, ``proof``)."""
    base = dict(base)
    if "read" in found:
        base.update(lhs_read=found["read"][0], rhs_read=found["read"][1])
    numeric = found.get("numeric")
    proof = found.get("proof")
    used = (proof or numeric or (None,) * 4)[-1] or ()
    if numeric and numeric[0] == "not_equal":
        diagnosis = dict(zip(("kind", "text"), found["diagnosis"], strict=True)) if "diagnosis" in found else None
        return StepVerdict(**base, verdict="not_equal", method="numeric", detail=numeric[1],
                           counterexample=numeric[2], assumptions=used, diagnosis=diagnosis)
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


def _both_readings(verdicts: dict[str, StepVerdict], base: dict, notes: tuple, outcome, options) -> StepVerdict:
    """One verdict from two readings: theirs if they agree (and both were judged), else ``unknown`` naming both."""
    steps = list(verdicts.values())
    shown = "; ".join(f"read with {label}: {v.verdict} ({v.detail})" for label, v in verdicts.items())
    if len(steps) == 2 and steps[0].verdict == steps[1].verdict and steps[0].verdict in ("equal", "not_equal"):
        weakest = next((v for v in steps if v.method == "numeric"), steps[0])
        return replace(weakest, readings=notes, detail=f"the same under both readings: {shown}")
    if len(steps) < 2:
        shown += "; the other reading was not judged: " + (_why_stopped(outcome, options) or "not finished")
    first = steps[0]
    return StepVerdict(**{**base, "lhs_read": first.lhs_read, "rhs_read": first.rhs_read}, verdict="unknown",
                       method="none", detail=f"two readings, different verdicts: {shown}", readings=notes,
                       assumptions=tuple(dict.fromkeys(a for v in steps for a in v.assumptions)))


def _why_stopped(outcome, options: Options) -> str:
    """Why the child gave no more: the bound it met (CPU time, :mod:`.worker`) and the method it could not
    finish, or its failure; "" when it finished."""
    if outcome.timed_out:
        bound = outcome.bound or f"the time bound of {options.timeout:g} s"
        return f"stopped at {bound}" + (f"; it could not finish {outcome.stage}" if outcome.stage else "")
    if outcome.crash:
        return f"the checker failed: {outcome.crash}"
    return ""


def verify_chain(chain: Chain, assumptions: Sequence[Side] = (), options: Options = Options(),
                 budget: list[int] | None = None, definitions: list[Definition] | None = None,
                 upstream: Sequence[Definition] = (), declared: tuple[Declared, ...] = (),
                 earlier: str = "", stated: dict[str, tuple[int, str | None]] | None = None,
                 written: frozenset[tuple] = frozenset()) -> ChainVerdict:
    """Every step of ``chain``, under ``assumptions`` plus what the document puts in force for it.

    ``definitions`` (in force, in document order) is extended by the chain's own first step when that
    defines a name, and by a later step that writes a part of the side before it as a new name (not in
    ``earlier``, the document's chains before this one); see :mod:`backprop_derive.verify.definitions`.  Those
    steps' verdict is ``definition``.
    ``upstream``: the document's upstream names (:mod:`backprop_derive.verify.upstream`), for every step.
    ``stated``: the definitions written before (see :func:`restated`); the chain's own is added.
    ``written``: the names stated before as the left side of an equation, read or not, each with its kind
    (:func:`_kind`): a display that states one again as the same kind is a claim about it, never its definition.
    """
    definitions = [] if definitions is None else definitions
    stated = {} if stated is None else stated
    conditions = tuple(c.text for c in chain.conditions)
    if chain.problem is not None or len(chain.sides) < 2:
        side = chain.sides[0] if chain.sides else Side("", chain.line, 1)
        step = StepVerdict(side.text, "", "error", "read", chain.problem or "nothing to compare",
                           lhs_source=side.verbatim, rhs_source="")
        return ChainVerdict(chain.line, chain.source, (step,), conditions, chain.region)
    if chain.relation != "=":
        lhs, rhs = chain.sides[0], chain.sides[-1]
        step = StepVerdict(lhs.text, rhs.text, "error", "approximation",
                           f"'{chain.relation}' states an approximation: verify judges '=' steps only, so this step "
                           "is not judged", lhs_source=lhs.verbatim, rhs_source=rhs.verbatim, reason=rhs.note)
        return ChainVerdict(chain.line, f"{lhs.text} {chain.relation} {rhs.text}", (step,), conditions, chain.region)
    in_force = (*assumptions, *chain.assumptions, *chain.conditions)
    steps = []
    pairs = list(zip(chain.sides, chain.sides[1:], strict=False))
    again = restated(chain, stated, definitions)
    first = None if again else _definition(chain, in_force, definitions, declared, written)
    if again:
        lhs, rhs = pairs.pop(0)
        steps.append(StepVerdict(lhs.text, rhs.text, "definition", "definition", again, lhs_source=lhs.verbatim,
                                 rhs_source=rhs.verbatim, reason=rhs.note))
    elif first is not None and first.how.startswith(REDEFINES):
        lhs, rhs = pairs.pop(0)
        steps.append(_redefined(check_step(lhs, rhs, in_force, options, chain.functions, chain.symbols,
                                           (*_latest(definitions), *upstream), declared), first))
        definitions.append(first)
    elif first is not None:
        lhs, rhs = pairs.pop(0)
        replaced = [d.shown for d in definitions if d.name == first.name]
        detail = f"defines {first.name} ({first.how})" + (f"; replaces {', '.join(replaced)}" if replaced else "")
        definitions.append(first)
        stated[written_step(lhs, rhs)] = (lhs.line, first.name)
        steps.append(StepVerdict(lhs.text, rhs.text, "definition", "definition", detail, lhs_source=lhs.verbatim,
                                 rhs_source=rhs.verbatim, reason=rhs.note))
    elif (why := undefined_element(chain, in_force, definitions)) is not None:
        lhs, rhs = pairs.pop(0)
        steps.append(StepVerdict(lhs.text, rhs.text, "unknown", "none", why, lhs_source=lhs.verbatim,
                                 rhs_source=rhs.verbatim, reason=rhs.note))
    elif chain.defines and known_function(chain):
        lhs, rhs = pairs.pop(0)
        steps.append(known_definition(check_step(lhs, rhs, in_force, options, chain.functions, chain.symbols,
                                                  (*_latest(definitions), *upstream), declared), stated, lhs, rhs))
    for lhs, rhs in pairs:
        named = _names_a_part(chain, lhs, rhs, in_force, definitions, earlier)
        if named is not None:
            definitions.append(named)
            steps.append(StepVerdict(lhs.text, rhs.text, "definition", "definition", f"defines {named.name} "
                                     f"({named.how})", lhs_source=lhs.verbatim, rhs_source=rhs.verbatim,
                                     reason=rhs.note))
            continue
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                steps.append(StepVerdict(lhs.text, rhs.text, "error", "limit",
                                         f"not checked: more than {MAX_STEPS} steps in one input",
                                         lhs_source=lhs.verbatim, rhs_source=rhs.verbatim))
                continue
        steps.append(check_step(lhs, rhs, in_force, options, chain.functions, chain.symbols,
                                (*_latest(definitions), *upstream), declared))
    if chain.uncertain:
        steps = [_refuted_either_way(step, chain, in_force, options, (*_latest(definitions), *upstream), declared)
                 for step in steps]
    result = _result(chain, steps, in_force, options, (*_latest(definitions), *upstream), declared) \
        if len(steps) > 1 else None
    return ChainVerdict(chain.line, chain.source, tuple(steps), conditions, chain.region, result)


def _refuted_either_way(step: StepVerdict, chain: Chain, in_force, options: Options, definitions,
                        declared: tuple[Declared, ...]) -> StepVerdict:
    """``step`` when it is not refuted, or refuted under the conditions whose scope may reach its chain too
    (:attr:`Chain.uncertain`); else ``unknown``: the document allows both readings, and they disagree."""
    sides = {side.text: side for side in chain.sides}
    if step.verdict != "not_equal" or step.lhs not in sides or step.rhs not in sides:
        return step
    lhs, rhs = sides[step.lhs], sides[step.rhs]
    under = check_step(lhs, rhs, (*in_force, *chain.uncertain), options, chain.functions, chain.symbols, definitions,
                       declared)
    if under.verdict == "not_equal":
        return step
    said = ", ".join(c.text for c in chain.uncertain)
    first = chain.uncertain[0]
    return replace(step, verdict="unknown", method="none", counterexample=None, diagnosis=None,
                   detail=f"not equal as written, but {under.verdict.replace('_', ' ')} under the condition {said} "
                   f"stated in words before an earlier display of this run (line {first.line}), with no words "
                   f"between the displays to say whether it still holds: state it ('% assume: {said}') or say the "
                   f"case ends, to judge the step ({step.detail})")


def _result(chain: Chain, steps: list[StepVerdict], in_force, options: Options, definitions,
            declared: tuple[Declared, ...] = ()) -> str | None:
    """"Step 3 is wrong, and step 5 undoes it: the result is right." -- the chain's first side against its last."""
    wrong = [n for n, step in enumerate(steps) if step.verdict == "not_equal"]
    if not wrong:
        return None
    start = 1 if steps[0].verdict == "definition" else 0
    first, last = chain.sides[start], chain.sides[-1]
    overall = check_step(first, last, in_force, options, chain.functions, chain.symbols, definitions, declared)
    named = f"step {wrong[0] + 1} is wrong" + (f" (and {len(wrong) - 1} more)" if len(wrong) > 2 else "")
    if overall.verdict == "equal":
        undo = f", and step {wrong[1] + 1} undoes it" if len(wrong) == 2 else ", and later steps undo it"
        return f"{named[0].upper()}{named[1:]}{undo}: the result is right (first side = last side, {overall.method})."
    if overall.verdict == "not_equal":
        return f"{named[0].upper()}{named[1:]}, and the result is wrong: the first side is not the last."
    return f"{named[0].upper()}{named[1:]}; whether the result is right is not known (the first side against " \
        f"the last: {overall.verdict})."


#: How a display that gives a catalog function a meaning of the author's is named (:func:`_redefined`).
REDEFINES = "a display whose left side names a catalog function"


def _redefined(step: StepVerdict, definition: Definition) -> StepVerdict:
    r"""The first step of ``\operatorname{swish}(x) = x \sigma(\beta x)``: a claim about the catalog's function,
    judged as one; where it is not the catalog's, the verdict stays ``not_equal`` and says that the steps after it
    use the author's meaning -- a new meaning for a known name is never passed as a definition in silence."""
    if step.verdict != "not_equal":
        return step
    name = definition.name
    return replace(step, diagnosis={"kind": "redefines_catalog", "text": (
        f"this is not the catalog's {name}: the steps after it use the author's {name} as written here; name a "
        "function of your own differently (f, g) to define it without this mark")},
        detail=f"not the catalog's {name}: {step.detail}")


def _latest(definitions: list[Definition]) -> tuple[Definition, ...]:
    """The definitions in force: the latest of each name."""
    return tuple({d.name: d for d in definitions}.values())


def _definition(chain: Chain, in_force: Sequence[Side], definitions: list[Definition],
                declared: tuple[Declared, ...] = (), written: frozenset[tuple] = frozenset()) -> Definition | None:
    """The definition made by the chain's first step, if it makes one (see :mod:`backprop_derive.verify.definitions`;
    in a document that declares shapes, a matrix name too: :func:`backprop_derive.verify.matrix.defines_matrix`)."""
    lhs, rhs = chain.sides[0], chain.sides[1]
    again = next((d for d in reversed(definitions) if declared and d.kind == "definition" and
                  _compact(d.lhs) == _compact(lhs.text) and _compact(d.rhs) == _compact(rhs.text)), None)
    if again is not None:
        return Definition(again.name, lhs.text, rhs.text, lhs.line,
                          f"the definition of line {again.line}, written again")
    matrix = None if _element(lhs.text) else defines_matrix(lhs.text, rhs.text, declared, {d.name for d in definitions})
    if matrix is not None:
        how = "written as a definition" if chain.defines else "a display whose left side is a new name"
        return Definition(matrix, lhs.text, rhs.text, lhs.line, how)
    squares = square_names([lhs.text, rhs.text, *(t for d in definitions for t in (d.lhs, d.rhs))],
                           [(lhs.text, rhs.text), *((d.lhs, d.rhs) for d in definitions)])
    readings = Readings(chain.functions, chain.symbols, defined=frozenset(d.name for d in definitions),
                        squares=squares)
    if chain.defines:
        name = defines(lhs.text, rhs.text, readings, set())
        return Definition(name or lhs.text, lhs.text, rhs.text, lhs.line, "written as a definition") \
            if name else None
    kind = _kind(lhs.text, readings)
    constrained = {n for side in in_force for n in side_names(side.text)} | {n for n, k in written if k == kind}
    taken = {d.name for d in definitions if _kind(d.lhs, readings) == kind}  # p_j after a scalar p: a new name
    known = {d.name for d in definitions} | constrained | set(FUNCTIONS)  # a known name's derivative is a claim
    written = defined_by_derivative(lhs.text, rhs.text, readings, taken | known)
    if written is not None:  # ∂E/∂w = ∂/∂w F, E undefined: E stands for F
        return Definition(written[0], written[0], written[1], lhs.line, "the derivative of an undefined name, "
                          "written as the derivative of what it stands for")
    name = defines(lhs.text, rhs.text, readings, taken | constrained)
    how = "a display whose left side is a new name"
    if name is not None and name == function_head(lhs.text) and name in FUNCTIONS:
        return Definition(name, lhs.text, rhs.text, lhs.line, f"{REDEFINES} {name}: the author's, in what follows")
    if name is not None and (through := through_unknown(chain, readings, definitions)) is not None:
        return Definition(name, lhs.text, chain.sides[2].text, lhs.line,
                          f"{how}, written through {through}, which is known only as the chain writes it next")
    return Definition(name, lhs.text, rhs.text, lhs.line, how) if name else None


def _compact(text: str) -> tuple[str, ...] | str:
    r"""``text`` as its tokens (``⋅`` and ``\cdot`` alike, spaces ignored), or as itself where it does not tokenize."""
    from backprop_derive.verify.latex.tokens import tokenize

    try:
        return tuple(t.text for t in tokenize(text))
    except LatexError:
        return "".join(text.split())


def _element(text: str) -> bool:
    """Whether a left side is one element (``\\hat{x}_i``, ``y_i``): an element-wise definition, scalar also in a
    document that declares shapes.  A numbered name (``Z_1``, ``W_{3}``) is a layer's matrix, not an element."""
    try:
        expr = parse_expression(text)
    except LatexError:
        return False
    return isinstance(expr, sp.Indexed) and not all(index.is_Integer for index in expr.indices)


def _names_a_part(chain: Chain, lhs: Side, rhs: Side, in_force, definitions: list[Definition],
                  earlier: str) -> Definition | None:
    """The definition made by a step ``… = -\\sum_j \\ell_j`` that names a part of its left side, if it is one."""
    readings = Readings(chain.functions, chain.symbols, defined=frozenset(d.name for d in definitions))
    taken = {d.name for d in definitions} | {n for side in in_force for n in side_names(side.text)}
    before = " ".join(s.text for s in chain.sides[: chain.sides.index(lhs) + 1])
    found = names_a_part(lhs.text, rhs.text, readings, taken, earlier + " " + before)
    if found is None:
        return None
    name = defines(*found, readings, taken)
    return Definition(name, *found, rhs.line, "a part of the side before it, named") if name else None


def _kind(text: str, readings: Readings) -> str:
    """What a definition's left side names: a scalar, the elements of a vector (``S_i``), or a function."""
    try:
        written = read_unevaluated(text, readings)
    except LatexError:
        return "unread"
    if written is None:
        return "unread"
    return type(written).__name__ if isinstance(written, (sp.Indexed, sp.Symbol)) else "function"


def verify_text(text: str, assumptions: Sequence[str] = (), options: Options = Options(),
                latex: bool | None = None, progress: Callable[[int, int], None] | None = None) -> Report:
    """Verdicts on every chain of a Markdown/LaTeX document; ``assumptions`` apply to all of them.

    ``latex`` says which the document is (None: guessed, :func:`backprop_derive.verify.document.is_latex`).
    """
    text = expand(text)  # the document's own macros (\newcommand), and \not=
    given = [Side(a, 0, 1) for a in assumptions]
    budget = [MAX_STEPS]
    document = read_document(text, latex)
    declared = declarations(text) or infer_shapes(
        [(c.sides[0].text, c.sides[1].text) for c in document.chains if c.problem is None and len(c.sides) > 1] +
        [(d.lhs.text, d.rhs.text) for d in document.definitions]) or ()
    if declared:
        warm(text)
    definitions: list[Definition] = []
    stated: dict[str, tuple[int, str | None]] = {}
    earlier = ""
    prose = sorted([*document.definitions, *_named_gradients(text, document, declared)],
                   key=lambda d: d.since or (d.lhs.line, d.lhs.column))
    loss, sections = gradient_notation(text), functions_by_section(text)
    notation = [Definition("d", loss, "", 1, f"notation: dy is the gradient ∂{loss}/∂y", "gradient")] if loss else []
    words = gradients_in_words(text)
    notation += [Definition(word, of, by, 1, f"notation: {word} is the gradient ∂{of}/∂{by}", "gradient word")
                 for word, of, by in words]
    written = written_derivatives([*(side.text for chain in document.chains for side in chain.sides),
                                   *inline_math(text)], Readings(gradient_of=loss))
    for _, of, by in words:  # ∂L/∂x and ∂L/∂y are written, in words
        written.setdefault(of, set()).add(by)
    found = dependents.written([(side.text, side.line) for chain in document.chains for side in chain.sides],
                               Readings(gradient_of=loss))
    variables = dependents.variables(found)
    chains = []
    written_names: set[tuple] = set()  # (name, kind) stated as a left side so far, read or not
    said = dict(document.said)
    worded: dict[int | None, list] = {}
    for region, sentence, names in document.worded:
        worded.setdefault(region, []).append((sentence, names))
    for chain in document.chains:
        while prose and (prose[0].since or (prose[0].lhs.line, prose[0].lhs.column)) < \
                (chain.line, chain.sides[0].column):
            made = prose.pop(0)
            written_names.add(_stated(made.lhs.text, chain))
            squares = square_names([made.lhs.text, made.rhs.text], [(made.lhs.text, made.rhs.text)])
            # in plain sight (no cue word) a catalog function is not redefined: sigma(x) = … restates it
            taken = set(FUNCTIONS) if made.how.startswith(PLAIN) else set()
            name = defines_matrix(made.lhs.text, made.rhs.text, declared, {d.name for d in definitions}) or \
                defines(made.lhs.text, made.rhs.text, Readings(chain.functions, chain.symbols, squares=squares,
                                                               defined=frozenset(d.name for d in definitions)), taken)
            if name is not None and made.rest and \
                    not _chain_holds(made, chain, options, _latest(definitions), declared):
                definitions[:] = [d for d in definitions if d.name != name]  # two meanings: neither is chosen
            elif name is not None:
                definitions.append(Definition(name, made.lhs.text, made.rhs.text, made.lhs.line, f"prose: {made.how}"))
            else:
                _shadow(made, taken, definitions)
        abbreviation = bare_sum(chain, _latest(definitions))
        if abbreviation is not None:
            definitions.append(abbreviation)
        section = next(((first, last, d) for first, last, d in sections if first <= chain.line <= last), None)
        functions_of, written_there = {}, None
        if section is not None:
            first, last, functions_of = section
            written_there = written_derivatives(
                [*(side.text for c in document.chains if first <= c.line <= last for side in c.sides),
                 *inline_math(section_text(text, first, last))], Readings(gradient_of=loss))
        upstream = upstream_definitions(written, _latest(definitions), Readings(chain.functions, chain.symbols),
                                        functions_of, written_there)
        upstream += dependents.dependents(found, [*_latest(definitions), *upstream]) + variables
        verdict = verify_chain(chain, given, options, budget, definitions, [*upstream, *notation], declared,
                               earlier, stated, frozenset(written_names))
        verdict = _said_in_words(verdict, chain, said.get(chain.region), definitions)
        chains.append(_beside_worded(verdict, worded.get(chain.region, [])))
        if chain.sides:
            written_names.add(_stated(chain.sides[0].text, chain))
        earlier += " " + chain.source
        if progress is not None:
            progress(len(chains), len(document.chains))
    chains = tuple(chains)
    unread = {chain.region for chain in chains if any(s.verdict == "error" and s.method == "read" for s in chain.steps)}
    regions = tuple(RegionSummary(r.line, r.construct, n not in unread) for n, r in enumerate(document.regions))
    return Report(chains, regions)


def _said_in_words(verdict: ChainVerdict, chain: Chain, what: str | None,
                   definitions: list[Definition]) -> ChainVerdict:
    """A display the prose calls "the derivative" (:func:`backprop_derive.verify.prose.said_to_be`) whose first side
    is a
    new name (``f(x) = …`` after "the derivative is"): the name stands for a derivative the words name, of a
    function they do not say, so the step is no definition: ``unknown``, and the name is left undefined."""
    first = verdict.steps[0] if verdict.steps else None
    if what is None or first is None or first.verdict != "definition" or chain.defines or \
            "a new name" not in first.detail:
        return verdict
    made = [d for d in definitions if d.line == chain.sides[0].line and d.lhs == chain.sides[0].text]
    for definition in made:
        definitions.remove(definition)
    step = replace(first, verdict="unknown", method="none",
                   detail=f"the prose calls {chain.sides[0].text} the {what}, of a function it does not name: write "
                   f"it as the derivative it is (f'(x), \\frac{{d}}{{dx}} …) to judge it")
    return replace(verdict, steps=(step, *verdict.steps[1:]))


def _beside_worded(verdict: ChainVerdict, worded: list[tuple[Side, frozenset[str]]]) -> ChainVerdict:
    """The chain's verdict with each step refuted at values of a name that a premise in words beside it speaks of
    ("Since exactly one of the $t_i$ is 1") made ``unknown``: the sentence may forbid those values, and the reader
    cannot read it (:func:`backprop_derive.verify.cues.worded_premises`).  The step says which sentence, and how to
    state
    it so that it is read."""
    if not worded:
        return verdict
    steps = []
    for step in verdict.steps:
        point = (step.counterexample or {}).get("point", {}) if step.verdict == "not_equal" else {}
        valued = {key.split("_")[0].split("^")[0] for key, value in point.items()
                  if not str(value).lstrip("-").isdigit()}  # the names given values, not the indices and counts
        said = [side for side, names in worded if names & valued]
        if said:
            step = replace(step, verdict="unknown", method="none", counterexample=None, diagnosis=None,
                           detail=f"not equal at the values drawn, but the prose beside it says something of them that "
                           f"the reader cannot read ('{said[0].text}', line {said[0].line}); state it as an "
                           f"assumption ('% assume: …') to judge the step: {step.detail}")
        steps.append(step)
    if tuple(steps) == verdict.steps:
        return verdict
    # the chain's closing sentence ("Step 2 is wrong, and …") named the steps as they were refuted: not shown now
    return replace(verdict, steps=tuple(steps), result=None)


def _stated(text: str, chain: Chain) -> tuple[str | None, str]:
    """The name a left side states when it is a bare name (``\\delta_j^l``), whatever its right side (else None),
    and its kind (:func:`_kind`), read as ``chain`` reads its names."""
    readings = Readings(chain.functions, chain.symbols)
    return defines(text, "0", readings, set()), _kind(text, readings)


def _chain_holds(made: ProseDefinition, chain: Chain, options: Options, definitions, declared) -> bool:
    """Whether every later side of the prose's chain ``y = A = B`` is proved or found equal to the one before it:
    only then does y have one meaning, A (judged in a bounded child, as a step is)."""
    sides = (made.rhs, *made.rest)
    return all(check_step(a, b, (), options, chain.functions, chain.symbols, definitions, declared).verdict == "equal"
               for a, b in itertools.pairwise(sides))


def _shadow(made: ProseDefinition, taken: set[str], definitions: list[Definition]) -> None:
    """A name the prose defines anew in a formula the reader cannot read (``f(x) = \\rm{max}(0, x)``) no longer
    means what an earlier definition said: that one is dropped, so no step is judged under a meaning the author
    has replaced."""
    name = defines(made.lhs.text, "0", Readings(), taken)
    if name is None or name not in {d.name for d in definitions}:
        return
    try:
        parse_expression(made.rhs.text, Readings(defined=frozenset(d.name for d in definitions)))
    except LatexError:
        definitions[:] = [d for d in definitions if d.name != name]


def _named_gradients(text: str, document, declared) -> list[ProseDefinition]:
    """In a matrix document, the gradients its prose names ("$\\frac{\\partial L}{\\partial Z}$ is 𝛿"):
    :mod:`backprop_derive.verify.matrix.named`."""
    if not declared:
        return []
    defined, differentiated = set(), set()
    for chain in document.chains:
        if chain.problem is None and len(chain.sides) > 1 and name_key(chain.sides[0].text):
            defined.add(name_key(chain.sides[0].text))
        for side in chain.sides:
            try:
                differentiated |= {g.of.key for g in gradients(read_matrix(side.text))}
            except LatexError:
                continue
    return [ProseDefinition(Side(n.name, n.line, n.column), Side(n.gradient, n.line, n.column), n.how)
            for n in named_gradients(text, defined, differentiated - defined)]


def read_assumption(text: str, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Why the assumption ``text`` cannot be read (``column N: …``), or None when it can."""
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
