r"""Decide matrix claims and diagnose the wrong ones (numpy + autograd only; no project code).

Each corpus file ``<stem>.md`` (and its one-mistake copy ``<stem>.wrong.md``) has one encoding, registered
with ``@derivation(stem)``: a function of ``wrong`` returning ``(model, blocks)``, the file's display blocks in
order, each a list of steps ``D()`` (a definition, not judged) or ``eq(lhs, rhs)`` (a claim, two trees of
:mod:`mexpr`).  ``chain(e0, e1, ...)`` gives the steps of ``e0 = e1 = ...``.

**Verdict.**  A claim is ``equal`` when at every one of :data:`CONTEXTS` random contexts (sizes of the
symbolic dimensions drawn 2..9, distinct and unlike the fixed sizes; leaves at random; float64) both sides can
be formed, have the same shape and agree within 1e-9 relative; else ``not_equal``.

**Diagnosis** of a ``not_equal`` claim: the first kind in :data:`KINDS` for which one mutation of the right
side (listed in :func:`repairs`) makes the claim equal at every context; ``other`` where none does.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from mexpr import Context, Had, Model, Mul, Node, Ones, Scale, T, compare, make_context

CONTEXTS = 3
KINDS = ("missing_transpose", "wrong_order", "hadamard_vs_matrix_product", "missing_batch_sum",
         "missing_mean_factor", "sign", "constant_factor")
REGISTRY: dict[str, Callable[[bool], tuple[Model, list[list[Step]]]]] = {}


@dataclass(frozen=True)
class Step:
    kind: str  # "definition" or "claim"
    lhs: Node | None = None
    rhs: Node | None = None


def D() -> Step:
    return Step("definition")


def eq(lhs: Node, rhs: Node) -> Step:
    return Step("claim", lhs, rhs)


def chain(*trees: Node) -> list[Step]:
    return [eq(a, b) for a, b in itertools.pairwise(trees)]


def block(*parts) -> list[Step]:
    steps: list[Step] = []
    for part in parts:
        steps.extend(part if isinstance(part, list) else [part])
    return steps


def derivation(stem: str):
    def register(fn):
        assert stem not in REGISTRY, stem
        REGISTRY[stem] = fn
        return fn

    return register


def pick(wrong: bool, right, planted):
    """The transcription's tree, or the one-mistake copy's."""
    return planted if wrong else right


def contexts(stem: str, model: Model) -> list[Context]:
    """The same random contexts for a stem whatever the order or the process (seeded by the stem)."""
    rng = np.random.default_rng(zlib.crc32(stem.encode()))
    return [make_context(model, rng) for _ in range(CONTEXTS)]


def holds(lhs: Node, rhs: Node, ctxs: list[Context]) -> tuple[bool, str]:
    for ctx in ctxs:
        ok, why = compare(lhs, rhs, ctx)
        if not ok:
            return False, why
    return True, ""


# ---- mutations of a tree -------------------------------------------------------------------------------


def paths(node: Node, at: tuple = ()) -> Iterator[tuple[tuple, Node]]:
    """Every subtree with its path (child positions from the root)."""
    yield at, node
    for i, kid in enumerate(node.children()):
        yield from paths(kid, (*at, i))


def replace(node: Node, at: tuple, new: Node) -> Node:
    if not at:
        return new
    kids = list(node.children())
    kids[at[0]] = replace(kids[at[0]], at[1:], new)
    return node.rebuild(tuple(kids))


def _toggle_transpose(node: Node) -> Iterator[Node]:
    for at, sub in paths(node):
        yield replace(node, at, sub.a if isinstance(sub, T) else T(sub))


def _swap_factors(node: Node) -> Iterator[Node]:
    for at, sub in paths(node):
        if isinstance(sub, Mul):
            yield replace(node, at, Mul(sub.b, sub.a))


def _swap_products(node: Node) -> Iterator[Node]:
    for at, sub in paths(node):
        if isinstance(sub, Mul):
            yield replace(node, at, Had(sub.a, sub.b))
        elif isinstance(sub, Had):
            yield replace(node, at, Mul(sub.a, sub.b))


def _add_batch_sum(node: Node, batch: str) -> Iterator[Node]:
    for at, sub in paths(node):
        yield replace(node, at, Mul(T(Ones(batch)), sub))  # rows are samples: 1^T X sums the rows
        yield replace(node, at, Mul(sub, Ones(batch)))  # columns are samples: X 1 sums the columns


def repairs(rhs: Node, batch: str | None) -> Iterator[tuple[str, Node]]:
    """(kind, mutated right side) in the order of :data:`KINDS`: the mutation that repairs a claim names it.

    missing_transpose: one subtree's transpose added (or an existing one removed); wrong_order: the factors of
    one matrix product swapped; hadamard_vs_matrix_product: one ⊙ made a matrix product or the reverse;
    missing_batch_sum: one subtree X made 1ᵀX (or X1, for columns as samples); missing_mean_factor: the right
    side times 1/n; sign: times −1; constant_factor: times 2, 1/2, 3, 1/3, 4, 1/4 or n (an extra 1/n).
    """
    for m in _toggle_transpose(rhs):
        yield "missing_transpose", m
    for m in _swap_factors(rhs):
        yield "wrong_order", m
    for m in _swap_products(rhs):
        yield "hadamard_vs_matrix_product", m
    if batch:
        for m in _add_batch_sum(rhs, batch):
            yield "missing_batch_sum", m
        yield "missing_mean_factor", Scale(Fraction(1), rhs, batch, -1)
    yield "sign", Scale(Fraction(-1), rhs)
    for k in (2, Fraction(1, 2), 3, Fraction(1, 3), 4, Fraction(1, 4)):
        yield "constant_factor", Scale(Fraction(k), rhs)
    if batch:
        yield "constant_factor", Scale(Fraction(1), rhs, batch, 1)


def diagnose(step: Step, model: Model, ctxs: list[Context]) -> tuple[str, Node | None]:
    """(kind, the repaired right side) for a wrong claim; ("other", None) where no listed mutation repairs it."""
    for kind, mutant in repairs(step.rhs, model.batch):
        if holds(step.lhs, mutant, ctxs)[0]:
            return kind, mutant
    return "other", None


@dataclass(frozen=True)
class Decision:
    verdict: str  # "definition", "equal", "not_equal"
    reason: str = ""
    diagnosis: str | None = None


def decide(step: Step, model: Model, ctxs: list[Context]) -> Decision:
    if step.kind == "definition":
        return Decision("definition")
    ok, why = holds(step.lhs, step.rhs, ctxs)
    if ok:
        return Decision("equal")
    return Decision("not_equal", why, diagnose(step, model, ctxs)[0])
