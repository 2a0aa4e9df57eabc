r"""Deciding one matrix step ``lhs = rhs`` in the child process, entry by entry.

1. **Read** both sides (:mod:`.reader`) and the definitions in force whose left side is a matrix
   name; a name with neither a declared shape nor a definition is an ``error`` naming the missing
   declaration (``X \in \mathbb{R}^{…}``).
2. **Shapes.**  Each side is formed at the document's sizes (:mod:`.evaluate`); a side that cannot be
   formed (an undefined product, a Jacobian that is no matrix) or two sides of different shapes make
   the step ``not_equal``, the shapes in the reason.
3. **Numbers.**  At :data:`ROUNDS` draws of sizes (each symbolic size at random in 2..6, every written
   size as written) and of values (20-digit numbers in (-2, 2), evaluated at 30 digits; the rows of a
   label matrix of a log-likelihood drawn as distributions, an assumption the report names), every
   entry of the two sides is compared: a difference above :math:`10^{-20}` of the entries' size is
   ``not_equal`` with the entry and both values.
4. **Proof on an instance.**  Every size set to a small value (distinct sizes distinct, so a square
   matrix stays square and no other is), every entry of every declared matrix a symbol, the gradients
   by ``sympy.diff``: the difference of every entry, with each applied function named by a symbol,
   reduces to 0 by ``expand`` (or ``together`` + ``cancel``).  Reported as proved on that instance,
   which the method names; where it does not finish in time the verdict stays numeric.

A ``not_equal`` step gets a matrix diagnosis (:mod:`.diagnosis`) when one is checked.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable

import mpmath
import sympy as sp

from backprop_derive.core.stage import stage
from backprop_derive.verify.cputime import PointTimeout, time_limit
from backprop_derive.verify.latex.tokens import LatexError
from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.evaluate import (
    Environment,
    Evaluator,
    MissingShapeError,
    ShapeError,
    Value,
    draw_leaves,
)
from backprop_derive.verify.matrix.grid import Grid, of_flat
from backprop_derive.verify.matrix.loss import upstream_losses
from backprop_derive.verify.matrix.mistakes import diagnose
from backprop_derive.verify.matrix.reader import name_key, read_matrix
from backprop_derive.verify.matrix.shapes import Declared, as_matrix_shape, shown, size_symbol
from backprop_derive.verify.matrix.values import compare

ROUNDS = 2
#: The CPU time one claim may take, proof attempts included (a proof that does not fit leaves the verdict numeric).
CLAIM_SECONDS = 1.0
#: The least time a proof attempt gets (a claim decided late may take this much longer).
MIN_PROOF_SECONDS = 0.5
LAYOUT = "denominator layout: ∂L/∂W has W's shape, entry (i, j) = ∂L/∂W_ij"


class Claim:
    """A step read: both sides, the definitions, the declared shapes, and what a run of it needs."""

    def __init__(self, lhs_text: str, rhs_text: str, definitions, declared: tuple[Declared, ...]):
        self.declared = {d.key: d.dims for d in declared}
        keys = [name_key(lhs) for _, lhs, _ in definitions]
        self.known = frozenset(self.declared) | frozenset(k for k in keys if k)
        self.definitions: dict[str, nd.Node] = {}
        self.used: list[str] = []
        for (name, _, rhs), key in zip(definitions, keys, strict=True):
            if key is None or key in self.declared:
                continue
            try:
                self.definitions[key] = read_matrix(rhs, self.known)
            except LatexError:
                continue
            self.used.append(name)
        self.lhs = self._side("lhs", lhs_text)
        self.rhs = self._side("rhs", rhs_text)
        losses, self.undecided = upstream_losses((self.lhs, self.rhs), self.definitions, self.declared)
        self.definitions.update(losses)
        self.losses = tuple(losses)
        self.sizes = sorted({s for dims in self.declared.values() for d in dims for s in d.free_symbols},
                            key=str)
        self.numbers = sorted({int(d) for dims in self.declared.values() for d in dims if d.is_Integer})
        self.labels = frozenset(self._labels())

    def without(self, cut: dict, generic: tuple | None = None) -> Claim:
        """The claim with the defined names ``cut`` (key → dims) held as declared free matrices, and
        ``generic`` = (key, reads): the definition of key replaced by an undefined function of reads."""
        other = object.__new__(Claim)
        other.__dict__.update(self.__dict__)
        other.definitions = {k: v for k, v in self.definitions.items() if k not in cut}
        if generic is not None:
            other.definitions[generic[0]] = nd.Generic(0, generic[1])
        other.declared = {**self.declared, **cut}
        return other

    def _side(self, which: str, text: str) -> nd.Node:
        try:
            return read_matrix(text, self.known)
        except LatexError as err:
            raise _ReadError(which, err.message, err.column) from None

    def _labels(self):
        """Declared names beside a log in a definition (the labels of a log-likelihood)."""
        for node in self.definitions.values():
            if nd.contains(node, nd.Apply) and _has_log(node):
                yield from (k for k in nd.names(node) if k in self.declared and k not in self.definitions
                            and len(self.declared[k]) == 2)

    def environment(self, sizes: dict, rng: random.Random, backend: str, vectors: str) -> Environment:
        shapes = {k: as_matrix_shape(d, vectors) for k, d in self.declared.items() if k not in self.definitions}
        leaves = draw_leaves(shapes, sizes, rng, backend, self.labels)
        return Environment(sizes, shapes, self.definitions, leaves, backend, {}, self.labels)


class _ReadError(Exception):
    def __init__(self, which, message, column):
        super().__init__(message)
        self.which, self.message, self.column = which, message, column


def _has_log(node) -> bool:
    if isinstance(node, nd.Apply) and node.function == "log":
        return True
    if isinstance(node, nd.Node):
        return any(_has_log(v) if isinstance(v, nd.Node) else any(_has_log(x) for x in _flat(v))
                   for v in vars(node).values() if isinstance(v, nd.Node | tuple))
    return False


def _flat(t):
    for x in t:
        if isinstance(x, tuple):
            yield from _flat(x)
        elif isinstance(x, nd.Node):
            yield x


def cut_names(claim: Claim, env: Environment) -> dict:
    """Defined names that depend on nothing the claim differentiates by (nor on a gradient), with their shapes."""
    by = {g.by.key for node in (claim.lhs, claim.rhs, *claim.definitions.values()) for g in _gradients(node)}
    of = {g.of.key for node in (claim.lhs, claim.rhs, *claim.definitions.values()) for g in _gradients(node)}
    memo: dict[str, bool] = {}

    def free(key: str, depth: int = 0) -> bool:
        if key in memo:
            return memo[key]
        if key in by or key in of or depth > 50:
            return False
        node = claim.definitions.get(key)
        memo[key] = node is None or (not _gradients(node) and all(free(k, depth + 1) for k in nd.names(node)))
        return memo[key]

    cut = {}
    for key in claim.definitions:
        if free(key):
            cut[key] = Evaluator(env).eval(nd.Name(0, key)).shape
    return cut


def generic_loss(claim: Claim) -> tuple[str, tuple[str, ...]] | None:
    """(L, names) when every gradient is of one defined L: the names L reads, each defined name that is a
    function of one other name alone (Ŷ = softmax(Z_3)) followed down to it, and no label among them."""
    grads = [g for node in (claim.lhs, claim.rhs, *claim.definitions.values()) for g in _gradients(node)]
    of = {g.of.key for g in grads}
    by = {g.by.key for g in grads}
    if len(of) != 1 or next(iter(of)) not in claim.definitions:
        return None
    key = next(iter(of))
    reads = {k for k in nd.names(claim.definitions[key]) if k not in claim.labels and not _is_size(claim, k)}
    for _ in range(10):
        single = {k for k in reads if k in claim.definitions and k not in by
                  and isinstance(claim.definitions[k], nd.Apply | nd.Softmax)
                  and isinstance(claim.definitions[k].arg, nd.Name)}
        if not single:
            break
        reads = (reads - single) | {claim.definitions[k].arg.key for k in single}
    if not reads or any(k not in claim.definitions and k not in claim.declared for k in reads):
        return None
    return key, tuple(sorted(reads))


def _is_size(claim: Claim, key: str) -> bool:
    return size_symbol(key) in claim.sizes


def _gradients(node) -> list:
    found = [node] if isinstance(node, nd.Gradient) else []
    if isinstance(node, nd.Node):
        for v in vars(node).values():
            if isinstance(v, nd.Node):
                found += _gradients(v)
            elif isinstance(v, tuple):
                found += [g for x in _flat(v) for g in _gradients(x)]
    return found


def orientation(claim: Claim, rng: random.Random) -> str:
    """``row`` when every definition can be formed with 1-D vectors as rows, else ``column`` if they all can then."""
    if not any(len(d) == 1 for d in claim.declared.values()):
        return "row"
    small, written = instance_sizes(claim)  # shapes only: small sizes, distinct where the document's differ
    instance = claim.without({}) if written else claim
    instance.declared = {k: tuple(sp.sympify(d).xreplace(written) for d in dims) for k, dims in claim.declared.items()}
    sizes = {k: v for k, v in small.items() if isinstance(k, sp.Symbol)}
    for vectors in ("row", "column"):
        env = instance.environment(sizes, random.Random(0), "mp", vectors)
        env.renamed = {int(k): v for k, v in written.items()}
        try:
            for key in instance.definitions:
                if not _gradients(instance.definitions[key]):
                    Evaluator(env).eval(nd.Name(0, key))
            return vectors
        except (ShapeError, MissingShapeError):
            continue
    return "row"


def random_sizes(claim: Claim, rng: random.Random) -> dict:
    values = rng.sample(range(2, 7), min(len(claim.sizes), 5)) + [7 + k for k in range(max(len(claim.sizes) - 5, 0))]
    return dict(zip(claim.sizes, values, strict=False))


def instance_sizes(claim: Claim) -> tuple[dict, dict]:
    """Small sizes for the proof: symbolic sizes first, then the written ones ascending, 2, 3, 4, …;
    returned as (sizes of the symbols, the written sizes replaced)."""
    order = [*claim.sizes, *(sp.Integer(v) for v in claim.numbers if v > 1)]
    small = dict(zip(order, range(2, 2 + len(order)), strict=True))
    return small, {k: v for k, v in small.items() if not isinstance(k, sp.Symbol)}


#: Most combinations of free index values an entry claim is evaluated at.
MAX_ENTRIES = 400


def evaluate_sides(claim: Claim, env: Environment) -> tuple[Value, Value]:
    """Both sides' values; a claim about one entry with free indices (``W_{jc}``) is evaluated at every value
    of its indices, each side then the matrix of its entries (a grid over the indices)."""
    free = free_indices(claim.lhs) | free_indices(claim.rhs)
    if not free:
        lhs = Evaluator(env).eval(claim.lhs)
        return lhs, Evaluator(env).eval(claim.rhs, lhs.shape)
    order = sorted(free)
    ranges = [index_range(claim, env, name) for name in order]
    grid = list(itertools.product(*(range(1, r + 1) for r in ranges)))[:MAX_ENTRIES]
    shape = (ranges[0], math.prod(ranges[1:])) if len(ranges) > 1 else (1, ranges[0])
    values = []
    for side in (claim.lhs, claim.rhs):
        entries: list = [None] * len(grid)
        for k, point in enumerate(grid):
            evaluator = Evaluator(env)
            evaluator.indices = dict(zip(order, point, strict=True))
            value = evaluator.eval(side)
            if not value.scalar:
                which = "left" if side is claim.lhs else "right"
                raise ShapeError(f"with the indices {', '.join(order)} written, the {which} side is still a "
                                 f"{shown(value.shape)} matrix, not an entry")
            entries[k] = value.entries[0, 0]
        values.append(Value(of_flat(entries, *shape) if len(grid) == shape[0] * shape[1] else Grid([entries]),
                            tuple(sp.Symbol(f"range_{i}") for i in order[:2]) if len(order) > 1 else
                            (sp.Integer(1), sp.Symbol(f"range_{order[0]}"))))
    return values[0], values[1]


def free_indices(node, bound: frozenset = frozenset()) -> set[str]:
    """Index letters used in entries and not bound by a sum around them."""
    if isinstance(node, nd.Index):
        return set() if node.name in bound else {node.name}
    if isinstance(node, nd.IndexSum):
        inner = bound | {node.index}
        return free_indices(node.body, inner) | (free_indices(node.upper, bound) if node.upper else set())
    found: set[str] = set()
    if isinstance(node, nd.Node):
        for v in vars(node).values():
            if isinstance(v, nd.Node):
                found |= free_indices(v, bound)
            elif isinstance(v, tuple):
                for x in _flat(v):
                    found |= free_indices(x, bound)
    return found


def index_range(claim: Claim, env: Environment, name: str) -> int:
    """How far a free index runs: the size of the first entry it indexes, at that position."""
    for side in (claim.lhs, claim.rhs):
        for entry in _entry_nodes(side):
            for position, index in enumerate(entry.indices):
                if isinstance(index, nd.Index) and index.name == name:
                    arg = Evaluator(env).eval(entry.arg)
                    if len(entry.indices) == 1:
                        return max(arg.entries.shape)
                    return arg.entries.shape[position]
    raise ShapeError(f"the index {name} indexes no matrix, so its range is unknown")


def _entry_nodes(node) -> list:
    found = [node] if isinstance(node, nd.Entry) else []
    if isinstance(node, nd.Node):
        for v in vars(node).values():
            if isinstance(v, nd.Node):
                found += _entry_nodes(v)
            elif isinstance(v, tuple):
                found += [e for x in _flat(v) for e in _entry_nodes(x)]
    return found


def decide_matrix_step(send: Callable[[tuple], None], lhs_text: str, rhs_text: str, seed: str,
                       definitions: tuple[tuple[str, str, str], ...], declared: tuple[Declared, ...],
                       timeout: float = 5.0) -> None:
    """Read, form, compare numerically, then prove on an instance; ``send`` each finding as it comes."""
    started = time.process_time()  # CPU time, as the step's bound (backprop_derive.verify.worker)
    deadline = started + 0.8 * timeout
    try:
        claim = Claim(lhs_text, rhs_text, definitions, declared)
    except _ReadError as err:
        send(("error", err.which, err.message, err.column))
        return
    send(("definitions", tuple(claim.used)))
    if claim.undecided is not None:
        send(("undecided", claim.undecided))
        return
    stage("the numeric comparison of every entry")
    rng = random.Random(seed)
    notes, used = {}, set()
    mpmath.mp.dps = 30
    vectors = orientation(claim, rng)
    for round_ in range(ROUNDS):
        sizes = random_sizes(claim, rng)
        env = claim.environment(sizes, rng, "mp", vectors)
        try:
            lhs, rhs = evaluate_sides(claim, env)
        except MissingShapeError as err:
            send(("error", "lhs" if err.args[0] in nd.names(claim.lhs) else "rhs",
                  f"no shape for {err.args[0]}: declare it ({err.args[0]} \\in \\mathbb{{R}}^{{m \\times k}}) "
                  "or define it", 1))
            return
        except ShapeError as err:
            _shapes_differ(send, claim, str(err), env, diagnose)
            return
        notes.update(env.notes)
        if round_ == 0:
            upstream = [f"{k} not defined: an unknown function ℓ of {', '.join(claim.definitions[k].reads)} (the "
                        "outputs of the definitions), the upstream loss" for k in claim.losses]
            send(("notes", tuple([LAYOUT, *upstream, *notes, *(["1-D vectors read as columns"] if vectors == "column"
                                                                else [])])))
            send(("read", "", _echo(claim.lhs), _echo(claim.rhs)))
        if claim.labels:
            used |= {f"each row of {k} sums to 1 (labels: one-hot or a distribution)" for k in claim.labels}
        found = compare(lhs, rhs)
        where = ", ".join(f"{k} = {v}" for k, v in sizes.items())
        if found is not None:
            reason, example = found
            if example is not None:
                i, j = example["entry"]
                example = {**example, "point": {**{str(k): str(v) for k, v in sizes.items()}, "entry": f"({i}, {j})"}}
            send(("numeric", "", "not_equal", f"{reason} (at random values; sizes {where or 'as declared'})",
                  example, tuple(sorted(used))))
            found_kind = diagnose(claim, env, lhs)
            if found_kind is not None:
                send(("diagnosis", "", *found_kind))
            return
    detail = f"every entry equal at {ROUNDS} random draws of sizes and values (30 digits)"  # notes: readings
    send(("numeric", "", "equal", detail, None, tuple(sorted(used))))
    from backprop_derive.verify.matrix.symbolic import prove_symbolic

    shapes = {k: Evaluator(env).eval(nd.Name(0, k)).shape for k in (*claim.declared, *claim.definitions)
              if k not in claim.definitions or not _gradients(claim.definitions[k])}
    stage("the symbolic proof (matrix calculus)")
    try:
        with time_limit(_proof_budget(started, deadline)):
            symbolic = prove_symbolic(claim, shapes)
    except (PointTimeout, SystemError):
        symbolic = None
    if symbolic is not None:
        send(("proof", "", True, symbolic, tuple(sorted(used))))
        return
    cut = cut_names(claim, env)
    generic = generic_loss(claim)
    proof = (False, "")
    if generic is not None:
        proof = _prove_on_instance(claim.without(cut, generic), vectors, _proof_budget(started, deadline))
        if proof[0]:
            key, reads = generic
            proof = (True, f"{proof[1]}; {key} an undefined function ℓ of {', '.join(reads)}: the identity holds "
                     "for every loss")
    if not proof[0]:
        proof = _prove_on_instance(claim.without(cut), vectors, _proof_budget(started, deadline))
    if proof[0] and cut:
        proof = (True, proof[1] + f"; {', '.join(sorted(cut))} held as free matrices (nothing differentiated "
                 "is inside them, so the identity holds for every value they take)")
    send(("proof", "", proof[0], proof[1], tuple(sorted(used))))


def _proof_budget(started: float, deadline: float) -> float:
    """What is left of :data:`CLAIM_SECONDS` (at least :data:`MIN_PROOF_SECONDS`), within the step's deadline."""
    now = time.process_time()
    return max(min(started + CLAIM_SECONDS - now, deadline - now - 0.2), min(MIN_PROOF_SECONDS, deadline - now - 0.2),
               0.05)


def _shapes_differ(send, claim: Claim, reason: str, env: Environment, diagnose) -> None:
    send(("notes", (LAYOUT,)))
    send(("read", "", _echo(claim.lhs), _echo(claim.rhs)))
    try:
        lhs = Evaluator(env).eval(claim.lhs)
        left = f"{_echo(claim.lhs)} is {shown(lhs.shape)}"
        if isinstance(claim.lhs, nd.Gradient):
            left = f"{claim.lhs.text} has {claim.lhs.by.key}'s shape {shown(lhs.shape)}"
    except (ShapeError, MissingShapeError):
        lhs, left = None, "the left side cannot be formed"
    try:
        rhs = Evaluator(env).eval(claim.rhs, lhs.shape if lhs is not None else None)
        right = f"the right side is {shown(rhs.shape)}"
    except ShapeError as err:
        right = f"{err}, and the right side cannot be formed" if lhs is not None else str(err)
    send(("numeric", "", "not_equal", f"{left}; {right}" if lhs is not None else f"{left}: {reason}", None, ()))
    if lhs is not None:
        found = diagnose(claim, env, lhs)
        if found is not None:
            send(("diagnosis", "", *found))


def _prove_on_instance(claim: Claim, vectors: str, seconds: float) -> tuple[bool, str]:
    sizes, written = instance_sizes(claim)
    shown_sizes = ", ".join([*(f"{k} = {v}" for k, v in sizes.items() if isinstance(k, sp.Symbol)),
                             *(f"{k} → {v}" for k, v in written.items())])
    stage(f"the proof on an instance ({shown_sizes})")
    try:
        with time_limit(seconds):
            declared = {k: tuple(sp.sympify(d).xreplace(written) for d in dims) for k, dims in claim.declared.items()}
            saved = claim.declared
            claim.declared = declared
            try:
                env = claim.environment({k: v for k, v in sizes.items() if isinstance(k, sp.Symbol)},
                                        random.Random(0), "sym", vectors)
                env.renamed = {int(k): v for k, v in written.items()}
            finally:
                claim.declared = saved
            lhs, rhs = evaluate_sides(claim, env)
            if lhs.entries.shape != rhs.entries.shape:
                return False, f"on the instance ({shown_sizes}) the shapes differ"
            for a, b in zip(lhs.entries.flat(), rhs.entries.flat(), strict=True):
                if not _reduces_to_zero(a - b):
                    return False, f"the instance ({shown_sizes}) did not reduce to 0"
    except (PointTimeout, SystemError):  # numpy's object loops turn the alarm's exception into a SystemError
        return False, f"the proof on an instance ({shown_sizes}) did not finish in {seconds:.1f} s of CPU time"
    except (ShapeError, MissingShapeError, ValueError, TypeError, ZeroDivisionError) as err:
        return False, f"the proof on an instance ({shown_sizes}) failed: {err}"[:200]
    return True, (f"every entry on an instance of small sizes ({shown_sizes}; every entry a symbol, gradients by "
                  "sympy.diff, applied functions named, then expand / together + cancel)")


def _reduces_to_zero(difference) -> bool:
    difference = sp.sympify(difference)
    applied = sorted(difference.atoms(sp.Function), key=sp.count_ops, reverse=True)
    names = {f: sp.Dummy() for f in applied }
    named = difference.xreplace(names)
    if sp.expand(named) == 0:
        return True
    return sp.cancel(sp.together(named)) == 0


def _echo(node: nd.Node) -> str:
    from backprop_derive.verify.matrix.echo import echo

    return echo(node)
