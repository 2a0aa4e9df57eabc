r"""The output losses a network may end in, each declared once as a :class:`Loss` record.

A record holds every fact about one loss that the rest of the project needs, so nothing else
switches on a loss's name:

* ``per_sample`` -- what ``mean`` averages over: the n samples (``cross_entropy``) or all n·K
  elements (``binary_cross_entropy_with_logits``, ``mse_loss``), PyTorch's defaults;
  :meth:`Loss.scale` turns that and a reduction into the factor s of :math:`L = s \sum t`;
* ``term`` -- the stable elementwise form t the code evaluates, in z (logit), y (label) and
  q = log ŷ (for cross-entropy, the log-softmax of the row);
* ``gradient`` -- :math:`\partial t/\partial z` summed the way the loss needs it, in z, y and
  p = ŷ; :math:`\delta_L = s \cdot` ``gradient``;
* ``definition`` -- the loss of a batch from the catalog's definitions (what the proof unfolds);
* ``labels`` -- a label sampler ``(rng, n, K) -> (n, K)`` (numpy's ``Generator`` passed in; this
  module imports SymPy only);
* ``assumptions`` -- the hypotheses on the labels the δ_L proof may use (Σ_i y_i = 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core import functions as fn
from backprop_derive.core.prove import Assumption, sums_to_one

#: Scalar symbols of the elementwise formulas: a logit, a label, the output probability ŷ, log ŷ.
z, y, p, q = sp.symbols("z y p q", real=True)
#: Batch size n and number of outputs K.
n, K = sp.symbols("n K", integer=True, positive=True)


@dataclass(frozen=True)
class Loss:
    """One output loss; see the module docstring for what each field means."""

    name: str
    output: str  # what forward returns: "softmax", "sigmoid" or "identity" of the logits
    per_sample: bool
    term: sp.Expr
    gradient: sp.Expr
    definition: Callable[[list, list, int], sp.Expr]
    labels: Callable
    label_meaning: str
    conditions: tuple[str, ...] = ()
    assumptions: Callable[[list, int], list[Assumption]] = lambda rows, classes: []
    termwise: bool = False  # the definition is a sum of independent elementwise terms

    def scale(self, reduction: str) -> sp.Expr:
        """s in L = s·Σ t: 1 for ``sum``; 1/n or 1/(n·K) for ``mean``."""
        if reduction == "sum":
            return sp.S.One
        return 1 / n if self.per_sample else 1 / (n * K)

    def averaged(self, reduction: str) -> str:
        """In words: ``averaged over the batch``, ``averaged over all n·K elements`` or ``summed``."""
        if reduction == "sum":
            return "summed"
        return "averaged over the batch" if self.per_sample else "averaged over all n·K elements"


def _softmax_cce_definition(logits, labels, classes):
    return sum(fn.softmax_cce(zr, yr, classes) for zr, yr in zip(logits, labels, strict=True))


def _mse_definition(logits, labels, classes):  # the catalog's mse averages over a row's K outputs
    return classes * sum(fn.mse(zr, yr, classes) for zr, yr in zip(logits, labels, strict=True))


def _sigmoid_bce_definition(logits, labels, classes):
    return sum(fn.sigmoid_bce(zr[c], yr[c]) for zr, yr in zip(logits, labels, strict=True)
               for c in range(1, classes + 1))


#: name -> record, in the order the CLI lists them.
LOSS_RECORDS: dict[str, Loss] = {loss.name: loss for loss in (
    Loss("softmax_cce", "softmax", True, -y * q, p - y, _softmax_cce_definition,
         lambda rng, batch, classes: rng.multinomial(1, [1 / classes] * classes, size=batch),
         "one-hot rows (or any rows summing to 1)",
         ("each row of Y sums to 1 (one-hot labels or a distribution)",),
         lambda rows, classes: [sums_to_one(row, classes) for row in rows]),
    # softplus(z) - y z is -(y log σ(z) + (1 - y) log(1 - σ(z))), without overflow.
    Loss("sigmoid_bce", "sigmoid", False, fn.softplus(z) - y * z, fn.sigmoid(z) - y, _sigmoid_bce_definition,
         lambda rng, batch, classes: rng.integers(0, 2, size=(batch, classes)),
         "targets in [0, 1], one per output", termwise=True),
    Loss("mse", "identity", False, (z - y) ** 2, 2 * (z - y), _mse_definition,
         lambda rng, batch, classes: rng.standard_normal((batch, classes)),
         "real targets, one per output"),
)}


def get_loss(name: str) -> Loss:
    """The record called ``name``; ValueError (one line, listing the losses) otherwise."""
    try:
        return LOSS_RECORDS[name]
    except KeyError:
        raise ValueError(f"loss {name!r} is not an output loss; choose from: {', '.join(LOSS_RECORDS)}") from None
