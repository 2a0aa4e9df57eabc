r"""Plant one mistake into every true claim of the matrix corpus and write the variants to planted/<stem>.md.

For each claim of a transcription that the independent check finds equal, the variants are: one factor (an
operand of a product, of ⊙ or of a scalar factor, or the whole side) transposed or its transpose removed; the
two factors of one matrix product swapped; one ⊙ made a matrix product or the reverse; the side times 2 or
1/n (the 1/n only where the left side is a gradient); one scalar factor (2, 1/n, ...) dropped; one batch sum
(1ᵀX, X1) dropped.  Not planted: a change to a chain-rule Jacobian (∂Z/∂W; no reading of it means anything), and
claims that mix index and matrix notation (``∂a_j/∂z_j`` beside a product: a variant would be written in neither),
and claims about the loss's own value (``C = ½ Σ (a_i − t_i)²``).  A claim written entry by entry on both sides
(``Y_{b,c} = \sum_d X_{b,d}W_{d,c}``) gets two variants: the right side times 2, and with its sign flipped.
Each variant is checked: one that the check finds equal (a symmetric case, a transpose of a 1×1) is skipped, and
the file says so.  A
variant whose sides cannot be formed, or differ in shape, is kept on purpose (an ill-shaped variant must be
judged not_equal too).  planted/<stem>.md is <stem>.md unchanged followed by one display per variant, with its
expect and diagnosis comments (the diagnosis is the checker's own: the mutation that repairs it).

    python tests/corpus/matrix/planted.py            # write planted/*.md, print the counts
    python tests/corpus/matrix/planted.py --check    # exit 1 where a file is not what would be written
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mcheck  # noqa: E402
from mexpr import Einsum, Grad, GradOf, Had, Jac, Mul, Node, Ones, Scale, SumAll, T  # noqa: E402
from mtex import NOTATIONS, tex  # noqa: E402

#: The kind of mistake each plant makes, and the diagnosis that repairs it.
PLANTS = {
    "transposed": "missing_transpose",
    "reordered": "wrong_order",
    "product_swapped": "hadamard_vs_matrix_product",
    "times_2": "constant_factor",
    "times_1/n": "constant_factor",
    "dropped_factor": None,  # 1/n dropped: missing_mean_factor; 2 dropped: constant_factor
    "dropped_batch_sum": "missing_batch_sum",
    "sign_flipped": "sign",
}


@dataclass(frozen=True)
class Variant:
    where: str  # "block 3 step 1"
    plant: str  # a key of PLANTS
    step: mcheck.Step
    latex: str
    diagnosis: str | None = None
    reason: str = ""


def _touches_jacobian(node: Node) -> bool:
    return isinstance(node, Jac) or any(isinstance(k, Jac) for k in node.children())


def _entrywise(node: Node) -> bool:
    """Whether a side is written entry by entry (an index formula with free indices, such as ∂a_j/∂z_j)."""
    return any(isinstance(sub, Einsum) and sub.indexed and not sub.spec.endswith("->") for _, sub in mcheck.paths(node))


def _all_in_indices(node: Node) -> bool:
    """A side written wholly in index notation: an index formula, possibly times a number."""
    return isinstance(node, Einsum) or (isinstance(node, Scale) and _all_in_indices(node.a))


def index_plants(rhs: Node) -> Iterator[tuple[str, Node]]:
    """For a claim written entry by entry on both sides: the right side times 2, or its sign flipped."""
    yield "times_2", Scale(Fraction(2), rhs)
    yield "sign_flipped", Scale(Fraction(-1), rhs)


def _about_the_loss_value(step: mcheck.Step) -> bool:
    """A claim about the loss itself (C = ½ Σ (y_i − t_i)²): a sum over all entries, written in index notation."""
    return any(isinstance(sub, SumAll) for side in (step.lhs, step.rhs) for _, sub in mcheck.paths(side))


def plants(rhs: Node, batch: str | None, gradient: bool) -> Iterator[tuple[str, Node]]:
    for at, sub in mcheck.paths(rhs):
        factor = not at or isinstance(_parent(rhs, at), Mul | Had | Scale)
        inside_chain_rule = bool(at) and _touches_jacobian(_parent(rhs, at))
        entrywise = isinstance(sub, Einsum)  # an index formula is transposed by its indices, not by ^T
        if factor and not (inside_chain_rule or entrywise or _touches_jacobian(sub) or isinstance(sub, Scale)):
            yield "transposed", mcheck.replace(rhs, at, sub.a if isinstance(sub, T) else T(sub))
    for at, sub in mcheck.paths(rhs):
        if isinstance(sub, Mul) and not _touches_jacobian(sub):
            yield "reordered", mcheck.replace(rhs, at, Mul(sub.b, sub.a))
            yield "product_swapped", mcheck.replace(rhs, at, Had(sub.a, sub.b))
        elif isinstance(sub, Had) and not _touches_jacobian(sub):
            yield "product_swapped", mcheck.replace(rhs, at, Mul(sub.a, sub.b))
    yield "times_2", Scale(Fraction(2), rhs)
    if batch and gradient:
        yield "times_1/n", Scale(Fraction(1), rhs, batch, -1)
    for at, sub in mcheck.paths(rhs):
        if isinstance(sub, Scale):
            yield "dropped_factor", mcheck.replace(rhs, at, sub.a)
        elif batch and isinstance(sub, Mul) and sub.a == T(Ones(batch)):
            yield "dropped_batch_sum", mcheck.replace(rhs, at, sub.b)
        elif batch and isinstance(sub, Mul) and sub.b == Ones(batch):
            yield "dropped_batch_sum", mcheck.replace(rhs, at, sub.a)


def _parent(root: Node, at: tuple) -> Node:
    node = root
    for i in at[:-1]:
        node = node.children()[i]
    return node


@cache
def variants(stem: str) -> tuple[list[Variant], list[Variant]]:
    """(kept, skipped) variants of every true claim of ``stem``.md, in block and step order."""
    model, blocks = mcheck.REGISTRY[stem](False)
    ctxs = mcheck.contexts(stem, model)
    nt = NOTATIONS[stem]
    kept, skipped, seen = [], [], set()
    for b, steps in enumerate(blocks, 1):
        head, prev = None, None  # in a chain a = b = c whose steps hold so far, a variant of c is written a = c'
        for s, step in enumerate(steps, 1):
            continues = prev is not None and prev.rhs == step.lhs
            prev = step
            if step.kind == "definition" or mcheck.decide(step, model, ctxs).verdict != "equal":
                head = None
                continue
            head = head if (continues and head is not None) else step.lhs
            if _about_the_loss_value(step):
                continue
            if _entrywise(head) or _entrywise(step.rhs):
                if not (_all_in_indices(head) and _all_in_indices(step.rhs)):
                    continue  # index and matrix notation mixed (∂a_j/∂z_j beside a matrix product)
                candidates = index_plants(step.rhs)
            else:
                candidates = plants(step.rhs, model.batch, isinstance(head, Grad | GradOf))
            lhs_tex = tex(head, nt)
            for plant, rhs in candidates:
                latex = f"{lhs_tex} = {tex(rhs, nt)}"
                if latex in seen:
                    continue
                seen.add(latex)
                v = Variant(f"block {b} step {s}", plant, mcheck.eq(head, rhs), latex)
                d = mcheck.decide(v.step, model, ctxs)
                if d.verdict == "equal":
                    skipped.append(v)
                else:
                    kept.append(Variant(v.where, plant, v.step, latex, d.diagnosis, d.reason))
    return kept, skipped


def render(stem: str) -> str:
    kept, skipped = variants(stem)
    out = [(HERE / f"{stem}.md").read_text(encoding="utf-8").rstrip("\n"), "",
           f"## Planted variants ({len(kept)}; written by planted.py from the true claims above)", ""]
    for n, v in enumerate(kept, 1):
        shaped = " (ill-shaped on purpose)" if "cannot be formed" in v.reason or "side is" in v.reason else ""
        out += [f"<!-- variant {n}: {v.where}, {v.plant}{shaped} -->", "<!-- expect: not_equal -->",
                f"<!-- diagnosis: {v.diagnosis} -->", f"$${v.latex}$$", ""]
    for v in skipped:
        out.append(f"<!-- skipped, equal at every check: {v.where}, {v.plant}: {v.latex} -->")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    stems = sorted(s for s in mcheck.REGISTRY if (HERE / f"{s}.md").exists())
    (HERE / "planted").mkdir(exist_ok=True)
    stale = []
    total = skips = 0
    for stem in stems:
        kept, skipped = variants(stem)
        total, skips = total + len(kept), skips + len(skipped)
        path = HERE / "planted" / f"{stem}.md"
        text = render(stem)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
        off = [v for v in kept if PLANTS[v.plant] and PLANTS[v.plant] != v.diagnosis]
        print(f"{stem}: {len(kept)} variants, {len(skipped)} skipped as equal, "
              f"{len(off)} diagnosed otherwise than planted")
    print(f"{len(stems)} files, {total} variants, {skips} skipped")
    for name in stale:
        print(f"planted/{name}: not what planted.py writes")
    return 1 if stale else 0


if __name__ == "__main__":
    import mentries_note  # noqa: F401
    import mentries_sources  # noqa: F401

    sys.exit(main(sys.argv[1:]))
