r"""Names whose meaning the document does not give: a step is refuted only where no meaning could save it.

Each name a step writes is one of: a **free variable of the claim** (a variable it differentiates by, or a name
written on both sides: the step claims something for every value of it); a name the document **defines**; a
**catalog** function; or a name **defined nowhere**.  A counterexample may give any value to a free variable,
since the claim is about all of them.  A name defined nowhere and written on one side only is different: the
author meant it as something (``p_k`` of ``… = p_k(1 - p_k)`` is the softmax, said in words the reader did not
read), and a value drawn for it at random refutes a claim the author never made.

Such a name is suspect only where **each** side holds names of its own: the step then relates two
vocabularies (``o`` on the left, ``p`` on the right), and one may abbreviate the other.  Where one side's names
are all the other's (:math:`\max(0, x - 50) = 0`, :math:`d x^3/dx = 3x^2 + q`), the extra names are variables
of the claim, which says something for every value of them.

So a step found not equal stands only where the difference of its sides does not depend on a suspect name
(:func:`unsaid`): then it fails whatever the name means, as far as a value can stand for it.  Otherwise the
step is ``unknown``, names what is missing, and says, where one value of the name makes the two sides agree,
what that value is (:func:`would_hold`): "holds if p_k = e^{o_k}/Σ_j e^{o_j}".

Integer symbols (counts, indices) are the reader's own and are never such names; neither are the unknown
functions and upstream gradients the reader models (they are introduced by the reading, not written).
"""

from __future__ import annotations

import sympy as sp

#: Seconds of work :func:`would_hold` may spend solving for a name.
SOLVE_SECONDS = 0.5
#: The longest right side of "holds if …" worth showing.
LONGEST = 160


def _written(expr: sp.Expr) -> dict[str, sp.Expr]:
    """The names written in ``expr`` (symbols and the bases of elements, by label), each with one atom of it."""
    found: dict[str, sp.Expr] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Indexed):
            found.setdefault(str(node.base.label), node)
        elif isinstance(node, sp.Symbol) and not node.is_integer:
            found.setdefault(node.name, node)
    return found


def _by(expr: sp.Expr) -> set[str]:
    """The labels of the variables ``expr`` differentiates by."""
    labels = set()
    for derivative in expr.atoms(sp.Derivative):
        for variable, _ in derivative.variable_count:
            labels.add(str(variable.base.label) if isinstance(variable, sp.Indexed) else str(variable))
    return labels


def unsaid(written: tuple[sp.Expr, sp.Expr], as_put: tuple[sp.Expr, sp.Expr], judged: tuple[sp.Expr, sp.Expr],
           known: frozenset[str], variables: frozenset[str] = frozenset()) -> list[str]:
    """The names defined nowhere that the step writes (``written``: its two sides as read), that ``as_put`` (the
    sides with the definitions in force put in, derivatives not carried out) holds on one side only, and on
    which the difference of ``judged`` (the sides as compared) depends.  A name of the reader's models (an
    upstream gradient) is not written, so it is never such a name.

    ``known``: the names the document gives a meaning (definitions, names its assumptions constrain).
    ``variables``: the document's variables (names it differentiates by somewhere): they count as a side's own
    names, so that ``S(o)(1 - S(o)) = p(1 - p)`` relates two vocabularies, but are never suspect themselves."""
    left, right = (_written(side) for side in as_put)
    by = _by(written[0]) | _by(written[1])
    authored = set(_written(written[0])) | set(_written(written[1]))
    private = [(set(one) - set(other)) & authored - set(known) - by for one, other in ((left, right),
                                                                                      (right, left))]
    if not all(private):  # one side's names are the other's: the rest are variables of the claim
        return []
    one_sided = (private[0] | private[1]) - set(variables)
    present = _written(judged[0] - judged[1])
    return sorted(name for name in one_sided if name in present)


def would_hold(judged: tuple[sp.Expr, sp.Expr], name: str, limit, echo) -> str | None:
    """The values of ``name`` (an atom of it as written) at which the two sides agree, as text ("q = y or q = -y");
    None where they are not found within :data:`SOLVE_SECONDS` of CPU time (``limit`` is the child's time limit, a
    context manager) or are more than two.  ``echo`` writes an expression as the report shows what was read."""
    atom = _written(judged[0] - judged[1]).get(name)
    if atom is None:
        return None
    try:
        with limit(SOLVE_SECONDS):
            solutions = sp.solve(sp.Eq(judged[0], judged[1]), atom, dict=False)
    except BaseException as err:  # the solver's failure, or its time limit, only means no hint
        if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        return None
    if not isinstance(solutions, list) or not 1 <= len(solutions) <= 2:
        return None
    shown = " or ".join(f"{echo(atom)} = {echo(solution)}" for solution in solutions)
    return shown if len(shown) <= LONGEST else None


def whole_and_elements(written: tuple[sp.Expr, sp.Expr]) -> list[str]:
    """The names a step writes both whole and by their elements (``y`` and ``y_k`` of
    ``\\log \\mathrm{softmax}(y) = y - \\log \\sum_k e^{y_k}``): a vector equation, which read with ``y`` as
    one number is a reading the document does not give, so it refutes nothing."""
    whole = {s.name for side in written for s in _whole(side)}
    elements = {str(node.base.label) for side in written for node in side.atoms(sp.Indexed)}
    return sorted(whole & elements)


def _whole(expr: sp.Expr) -> set[sp.Symbol]:
    """The real symbols of ``expr`` that stand in its arithmetic: not a name alone as a function's argument
    (``y`` of ``softmax(y)_i``, ``z`` of ``S_i(\\mathbf z)``: the vector the function takes)."""
    if isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return set()  # an element, not the whole
    if isinstance(expr, sp.Symbol):
        return set() if expr.is_integer else {expr}
    if isinstance(expr, sp.Function):  # a name alone as an argument is the input the function takes
        return set().union(set(), *(_whole(a) for a in expr.args if not isinstance(a, sp.Symbol)))
    return set().union(set(), *(_whole(a) for a in expr.args))
