"""Sigmoid, tanh, swish, GELU, ReLU and binary cross-entropy derivations, encoded by hand."""

from __future__ import annotations

import sympy as sp  # noqa: F401
from core import D, block, chain, d, derivation, eq, pick, sigmoid  # noqa: F401
