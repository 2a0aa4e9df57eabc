r"""Any catalog activation, elementwise on a tensor of any rank: :math:`y = f(x)`, :math:`\partial L/\partial x
= g \odot f'(x)`.

The setting ``name`` picks the catalog entry (``relu``, ``tanh``, ...).  The forward evaluates
:math:`f` and, in the same pass, the catalog's canonical derivative :math:`f'` (``sympy.diff`` of the
entry, proved against its definition by ``backprop_derive.network.proof.prove_activation_derivative``),
which is the cache; the backward multiplies.  At a kink :math:`f'` is the catalog's convention
(ReLU'(0) = 0, as PyTorch).

The formulas are printed, not written: :data:`ACTIVATIONS` maps each name to the function
``<name>_and_derivative(x) -> (f(x), f'(x))`` that ``backprop_derive.numeric.compile`` prints from the catalog for the
MLP; :func:`prelude` gives their source, which ``derive codegen`` writes before the two functions
below (the code that is tested is the code a person reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from backprop_derive.numeric.kernels import Kernel


@cache
def printed(name: str) -> str:
    """The source of ``<name>_and_derivative(x)`` printed from the catalog (``numpy`` and ``math`` only)."""
    from backprop_derive.core import catalog
    from backprop_derive.core.printing import unicode
    from backprop_derive.network.backprop import hidden_activation
    from backprop_derive.numeric.compile import CodePrinter
    from backprop_derive.numeric.compile import Kernel as Elementwise

    if name not in catalog.activations():
        raise ValueError(f"activation {name!r} is not an elementwise catalog activation; "
                         f"choose from: {', '.join(catalog.activations())}")
    act = hidden_activation(1, name)
    entry = catalog.get(name)
    kink = f"; {entry.kink_convention}" if entry.kinks else ""
    doc = f"{entry.summary} and its canonical derivative {unicode(act.derivative)}{kink}, elementwise."
    return Elementwise(f"{name}_and_derivative", (catalog.x,), (act.value, act.derivative), doc).source(CodePrinter())


class _Printed(Mapping):
    """name -> ``<name>_and_derivative``, each executed from :func:`printed` on first use."""

    def __init__(self):
        self._done = {}

    def __getitem__(self, name):
        if name not in self._done:
            import math

            import numpy

            space = {"numpy": numpy, "math": math}
            exec(compile(printed(name), f"<activation {name}>", "exec"), space)  # our own printed source
            self._done[name] = space[f"{name}_and_derivative"]
        return self._done[name]

    def __iter__(self):
        from backprop_derive.core import catalog

        return iter(catalog.activations())

    def __len__(self):
        return len(list(iter(self)))


#: name -> ``<name>_and_derivative(x)``; in a generated module, a dict of the activations it uses.
ACTIVATIONS = _Printed()


def activation_forward(x, name):
    """y = f(x) for the catalog activation ``name``; the cache is f'(x), its canonical derivative."""
    y, derivative = ACTIVATIONS[name](x)
    return y, derivative


def activation_backward(g, cache):
    """dx = g ⊙ f'(x), elementwise."""
    return (g * cache,)


def prelude(uses: list[dict]) -> str:
    """The printed ``<name>_and_derivative`` of every activation ``uses`` name, and ``ACTIVATIONS``."""
    names = list(dict.fromkeys(use["name"] for use in uses))
    table = ", ".join(f'"{name}": {name}_and_derivative' for name in names)
    return "\n\n\n".join([*(printed(name) for name in names), f"ACTIVATIONS = {{{table}}}"])


def _check_name(in_shape, name):
    printed(name)  # a one-line ValueError for a name that is not a catalog activation
    return {}


KERNEL = Kernel(
    name="activation",
    parameters=_check_name,
    out_shape=lambda in_shape, name: tuple(in_shape),
    forward=activation_forward,
    backward=activation_backward,
    settings={"name": None},
    functions=(activation_forward, activation_backward),
    summary="y = f(x), f a catalog activation, elementwise",
    prelude=prelude,
)
