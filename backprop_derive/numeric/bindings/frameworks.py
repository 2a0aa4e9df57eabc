"""Framework modules as the bindings use them: numpy-like modules, and erf where numpy has none."""

from __future__ import annotations

import math

import numpy as np


def numpy_erf(x):
    """erf of an array, entry by entry with ``math.erf`` (numpy has none), in the array's float dtype."""
    return np.vectorize(math.erf, otypes=[float])(x).astype(np.result_type(x, np.float32))


def autograd_erf():
    """erf as an autograd primitive: value from ``math.erf``, derivative :math:`2 e^{-x^2}/\\sqrt\\pi`.

    autograd's own erf lives in ``autograd.scipy.special`` and needs SciPy (tens of MB) for this one
    function; the derivative is the table one, and PyTorch checks the same GELU independently.
    """
    from autograd.extend import defvjp, primitive

    erf = primitive(numpy_erf)
    defvjp(erf, lambda ans, x: lambda g: g * (2 / math.sqrt(math.pi)) * np.exp(-(x**2)))
    return erf


def autograd_numpy():
    import autograd.numpy as anp

    return anp


def jax_modules():
    """``(jax, jax.numpy)`` with float64 enabled."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jax, jnp
