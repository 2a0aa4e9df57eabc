"""MSE and dense-layer (matrix form) backprop derivations, encoded by hand on small concrete shapes."""

from __future__ import annotations

import sympy as sp  # noqa: F401
from core import D, block, chain, d, derivation, eq, pick  # noqa: F401
