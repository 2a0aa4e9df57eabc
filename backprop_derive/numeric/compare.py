r"""Compare gradients with a reference: per-parameter errors against tolerances keyed by dtype.

For a parameter with computed gradient :math:`g` and reference :math:`r` (over the entries the
reference has; finite differences may sample):

.. math::  \text{max\_abs} = \max_i |g_i - r_i|, \qquad
           \text{max\_rel} = \text{max\_abs} / \max_i |r_i|

``max_rel`` is relative to the gradient's scale (never below 1 % of the largest gradient entry of any
parameter, so a gradient that is 0 in theory is not judged by its rounding noise), not entry by
entry: an entry that is 0 in both (a ReLU unit that is off for the whole batch) or nearly cancels
would make an entrywise ratio meaningless.  A parameter passes when ``max_rel <= tolerance``.
Tolerances sit far below any real mistake (a 0.1 % error is ``1e-3``) and far above rounding:
float64 autodiff agrees to about 1e-15, finite differences to about 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: dtype -> reference kind -> largest allowed max_rel.  "exact" is autodiff (autograd, torch, jax).
TOLERANCES: dict[str, dict[str, float]] = {
    "float64": {"exact": 1e-10, "fd": 1e-6},
    "float32": {"exact": 1e-4, "fd": 1e-3},
}


def tolerance(dtype: str, reference: str) -> float:
    """The tolerance for comparing ``dtype`` gradients with ``reference`` (``fd`` or an autodiff name)."""
    return TOLERANCES[str(np.dtype(dtype))]["fd" if reference == "fd" else "exact"]


@dataclass(frozen=True)
class ParameterError:
    """How far one parameter's gradient is from the reference; ``problem`` names a missing key or bad shape."""

    name: str
    max_abs: float
    max_rel: float
    passed: bool
    problem: str = ""

    def to_json(self) -> dict:
        data = {"max_abs": self.max_abs, "max_rel": self.max_rel, "passed": self.passed}
        if self.problem:
            data["problem"] = self.problem
        return data


@dataclass(frozen=True)
class Comparison:
    """Every parameter's error against one reference."""

    reference: str
    dtype: str
    tolerance: float
    errors: tuple[ParameterError, ...]

    @property
    def passed(self) -> bool:
        return bool(self.errors) and all(e.passed for e in self.errors)

    @property
    def worst(self) -> ParameterError:
        return max(self.errors, key=lambda e: e.max_rel)

    def to_json(self) -> dict:
        return {e.name: e.to_json() for e in self.errors}


def parameter_error(name: str, computed, reference, limit: float, floor: float = 0.0) -> ParameterError:
    """``computed`` against ``reference`` for one parameter (NaN reference entries are not compared).

    ``floor`` is the least scale max_rel is taken against: a gradient that is exactly 0 in theory
    (the bias before a batch norm, which the mean subtracts) is rounding noise in every framework.
    """
    if computed is None:
        return ParameterError(name, float("inf"), float("inf"), False, "missing from the computed gradients")
    computed, reference = np.asarray(computed, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if computed.shape != reference.shape:
        return ParameterError(name, float("inf"), float("inf"), False,
                              f"shape {computed.shape}, reference {reference.shape}")
    looked_at = ~np.isnan(reference)
    difference = np.abs(computed[looked_at] - reference[looked_at])
    if difference.size == 0:
        return ParameterError(name, 0.0, 0.0, True)
    if not np.all(np.isfinite(difference)):
        return ParameterError(name, float("inf"), float("inf"), False, "non-finite values")
    max_abs = float(difference.max())
    scale = max(float(np.abs(reference[looked_at]).max()), floor)
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf"))
    return ParameterError(name, max_abs, max_rel, max_rel <= limit)


#: max_rel is never taken against less than this fraction of the largest reference entry of any parameter.
SCALE_FLOOR = 1e-2


def _floor(reference: dict, dtype: str) -> float:
    """:data:`SCALE_FLOOR` × the largest reference entry of any parameter.  A real mistake still shows:
    a 1 % error in a parameter whose gradient is 1e-3 of the largest gives max_rel 1e-3."""
    entries = [np.abs(np.asarray(v, dtype=np.float64)) for v in reference.values()]
    largest = max((float(np.nanmax(e)) for e in entries if e.size and not np.all(np.isnan(e))), default=0.0)
    return SCALE_FLOOR * largest


def compare_gradients(computed: dict, reference: dict, dtype: str, reference_name: str) -> Comparison:
    """Compare every parameter of ``reference`` with ``computed``; extra computed keys fail too."""
    limit = tolerance(dtype, reference_name)
    # in the computed (spec) order W1, b1, W2, ...; a reference may list its keys otherwise (JAX sorts them)
    names = [name for name in computed if name in reference] + [name for name in reference if name not in computed]
    floor = _floor(reference, dtype)
    errors = [parameter_error(name, computed.get(name), reference[name], limit, floor) for name in names]
    errors += [ParameterError(name, float("inf"), float("inf"), False, "not a parameter of the reference")
               for name in computed if name not in reference]
    return Comparison(reference_name, str(np.dtype(dtype)), limit, tuple(errors))


def format_table(comparisons: list[Comparison], shapes: dict[str, tuple[int, ...]]) -> str:
    """A text table: one row per reference and parameter, with max abs, max rel and the verdict."""
    header = f"{'reference':<10} {'param':<6} {'shape':<12} {'max abs':>10} {'max rel':>10} {'tolerance':>10}  verdict"
    rows = [header, "-" * len(header)]
    for comparison in comparisons:
        for error in comparison.errors:
            shape = "x".join(map(str, shapes.get(error.name, ()))) or "?"
            verdict = "ok" if error.passed else f"FAIL {error.problem}".rstrip()
            rows.append(f"{comparison.reference:<10} {error.name:<6} {shape:<12} {error.max_abs:>10.2e} "
                        f"{error.max_rel:>10.2e} {comparison.tolerance:>10.0e}  {verdict}")
    return "\n".join(rows)
