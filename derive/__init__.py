"""backprop-derive: symbolic derivations of neural-network backprop, with their proofs.

``derive`` is what is true (SymPy only): the catalog of activations and losses, step-by-step
derivations, canonical forms with proofs, the matrix-form backprop of a network, and the checker of a
person's own derivation.  ``checks`` runs it in numpy and compares with real autodiff.
"""

from derive.catalog import CATALOG, get

__all__ = ["CATALOG", "get"]
__version__ = "0.1.0"
