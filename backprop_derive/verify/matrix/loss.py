r"""The undefined loss of a matrix claim: a scalar L the document differentiates but never defines.

Held as a leaf, such an L would be a constant and every gradient of it 0, so ``∂J/∂a = W ∂J/∂z`` would
come out "equal" for any W: the vacuous verdict this module exists to prevent.  Instead L is read as the
*upstream* loss of :mod:`backprop_derive.verify.upstream`: an unknown function of the graph's outputs,

.. math:: L = \ell(Y_1, \dots, Y_m),

where :math:`Y_1, \dots, Y_m` are the *sinks* of the definitions in force (a defined name no other
definition uses; definitions that themselves hold a gradient, such as ``\delta := \partial L/\partial Z``,
are not part of the graph) that L is differentiated by (the upstream gradients written: ``∂L/∂y`` beside a
normalised :math:`\hat x` that y does not use makes L a function of y alone), or all of them where none is.
That reading is the document's own statement only when every name L is
differentiated by is a sink or a name a sink depends on (through the definitions); otherwise what L
depends on is not known and the claim is left undecided, naming L.  On an instance ℓ is an undefined
function with undefined partials (the proof then holds for every loss); at random values it is a drawn
smooth function (:func:`backprop_derive.verify.matrix.evaluate.drawn_loss`).
"""

from __future__ import annotations

from backprop_derive.verify.matrix import nodes as nd


def gradients(node) -> list[nd.Gradient]:
    """Every :class:`~backprop_derive.verify.matrix.nodes.Gradient` in ``node``."""
    found = [node] if isinstance(node, nd.Gradient) else []
    if isinstance(node, nd.Node):
        for v in vars(node).values():
            found += gradients(v)
    elif isinstance(node, tuple):
        for v in node:
            found += gradients(v)
    return found


def upstream_losses(sides, definitions: dict, declared: dict) -> tuple[dict, str | None]:
    """(key → :class:`~backprop_derive.verify.matrix.nodes.Generic`) for every undefined scalar differentiated in
    ``sides`` or ``definitions`` (key → node), and why a loss could not be read (None when all could).
    ``declared``: key → dims; a loss declared with a shape of more than one entry is not a scalar, left alone."""
    grads = [g for node in (*sides, *definitions.values()) for g in gradients(node)]
    losses = {g.of.key for g in grads if g.of.key not in definitions and not declared.get(g.of.key)}
    if not losses:
        return {}, None
    graph = {k: v for k, v in definitions.items() if not gradients(v)}
    used = {name for node in graph.values() for name in nd.names(node)}
    sinks = tuple(sorted(k for k in graph if k not in used and k not in losses))
    reach: set[str] = set(sinks)
    frontier = list(sinks)
    while frontier:
        key = frontier.pop()
        for name in nd.names(graph[key]) if key in graph else ():
            if name not in reach:
                reach.add(name)
                frontier.append(name)
    found = {}
    for loss in sorted(losses):
        by = sorted({g.by.key for g in grads if g.of.key == loss})
        outside = [k for k in by if k not in reach]
        if not sinks or outside:
            missing = ", ".join(outside) if sinks else "no definition in force"
            return {}, (f"what {loss} depends on is not known: {loss} is not defined, and it is differentiated by "
                        f"{missing} (not a name the definitions' outputs depend on); define {loss} or the outputs "
                        "it depends on")
        written = tuple(k for k in sinks if k in by)
        found[loss] = nd.Generic(0, written or sinks)
    return found, None
