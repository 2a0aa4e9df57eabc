"""backprop-derive: symbolic derivations of neural-network backprop, with their proofs.

One import package, in layers (each imports only those below it; ``tests/test_project.py`` holds the rule):

- ``core``: what is true, with SymPy only -- the catalog of activations and losses (each a SymPy ``Function``),
  step-by-step derivations, canonical forms and their proofs, how expressions print;
- ``network``: the matrix-form backprop of a network, its proof, and the layers' lemmas;
- ``render``: step trees as text, LaTeX and Markdown;
- ``verify``: the checker of a person's own derivation; ``notes``: the generated notes; ``numeric``: the
  compiled numpy and its comparison with autodiff and finite differences;
- ``cli``: the ``derive`` command and the pytest plugin.

For a user the names below are the package's front door::

    from backprop_derive import sigmoid, derive_entry
    derive_entry("sigmoid")          # steps, canonical form sigma(x)(1 - sigma(x)), proof
"""

from backprop_derive.core.catalog import CATALOG, get
from backprop_derive.core.derivation import Derivation, derive_entry
from backprop_derive.core.functions import (
    elu,
    gelu,
    identity,
    leaky_relu,
    log_softmax,
    mse,
    normal_cdf,
    normal_pdf,
    relu,
    sigmoid,
    sigmoid_bce,
    silu,
    softmax,
    softmax_cce,
    softplus,
)
from backprop_derive.core.functions_losses import (
    cosine,
    focal,
    hinge,
    huber,
    kl_div,
    l1_penalty,
    l2_penalty,
    logsumexp,
    multiclass_svm,
    smoothed_cce,
    softmax_t,
)
from backprop_derive.core.functions_more import gelu_tanh, hard_sigmoid, hard_swish, mish, prelu, selu, softsign
from backprop_derive.notes import entries as _jupyter_display  # noqa: F401 - fills Derivation's Jupyter display

__all__ = [
    "CATALOG", "Derivation", "cosine", "derive_entry", "elu", "focal", "gelu", "gelu_tanh", "get", "hard_sigmoid",
    "hard_swish", "hinge", "huber", "identity", "kl_div", "l1_penalty", "l2_penalty", "leaky_relu", "log_softmax",
    "logsumexp", "mish", "mse", "multiclass_svm", "normal_cdf", "normal_pdf", "prelu", "relu", "selu", "sigmoid",
    "sigmoid_bce", "silu", "smoothed_cce", "softmax", "softmax_cce", "softmax_t", "softplus", "softsign",
]
__version__ = "0.1.0"
