r"""Backprop through time for any recurrent cell whose state is a tuple (h) or (h, c): one machinery.

A cell (``rnn_cell``, ``lstm_cell``, ``gru_cell``) is a :class:`~backprop_derive.network.layers.base.Layer` with inputs
``(x, *states)``: its forward maps :math:`(x_t, s_{t-1})` to :math:`s_t` (one matrix, or one per state
for ``outputs = ("h", "c")``), its backward is the VJP proved by its lemma.  The sequence layer runs the
cell for :math:`t = 1, \dots, T` from :math:`s_0 = 0`, the same parameters at every step, and outputs
every :math:`h_t` (the first state).  For :math:`G_t = \partial L/\partial h_t` from the layers above,
BPTT runs the step's VJP backwards in time with the upstream of step t

.. math::  \bar G^{h}_t = G_t + \frac{\partial L}{\partial h_t}\Big|_{\text{step } t+1}, \qquad
           \bar G^{c}_t = 0 + \frac{\partial L}{\partial c_t}\Big|_{\text{step } t+1}

(nothing carried into step T), and a parameter's gradient is the sum over t of the steps' gradients.

**Proof for any T** (:func:`prove_sequence`).  (1) The step lemma: the cell's VJP, for the upstream
:math:`\bar G_t`, is proved for symbolic sizes (:func:`~backprop_derive.network.layers.base.prove_layer`).  (2) The
chain
rule through the unrolled graph: L depends on :math:`s_t` through :math:`h_t` itself (the output) and
through step t+1 only, so the upstream of step t is the direct one plus what step t+1's VJP returns
for its state inputs (the carry); a shared parameter gets the sum of the steps' gradients (the total
derivative of a shared variable).  Induction on t from T down gives every step's upstream, hence the
sums, for every T.  (3) The composition is tested exactly: on instances T = 1, 2, 3 at tiny sizes, every
entry a symbol, ``sympy.diff`` of :math:`\sum_t \langle G_t, h_t\rangle` against the recursion,
difference expanded to 0 (:func:`composition_errors`).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import sympy as sp

from backprop_derive.core.prove import Proof
from backprop_derive.network.layers.base import Layer, LayerProof, m, prove_layer

#: The instances the composition is checked on exactly.
INSTANCES = (1, 2, 3)


def _inline(name, value):
    return value


def _states(cell: Layer) -> tuple[str, ...]:
    """The cell's state inputs: ``("h",)`` or ``("h", "c")``; the first is the sequence's output."""
    return cell.inputs[1:]


def _as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


@dataclass(frozen=True)
class BPTT:
    """Backprop through time over explicit matrices for ``cell``; the switches plant the classic mistakes.

    ``step`` is the cell's backward (its lemma is proved for it; the cell's own by default);
    ``dropped`` names the states whose carried gradient is forgotten (``("h",)``: the hidden carry,
    ``("c",)``: the LSTM's cell-state carry, dc_t not carried back through f); ``sum_over_t=False`` keeps
    only the last step's parameter gradients (the sum cut at one step).
    """

    cell: Layer
    step: object = None
    dropped: tuple[str, ...] = ()
    sum_over_t: bool = True

    @property
    def backward(self):
        return self.step or self.cell.backward

    def forward(self, xs, params):
        """The states s_0 = 0, s_1, …, s_T (each a tuple) and what each step kept for its backward."""
        rows, hidden = xs[0].shape[0], params[-1].shape[1]
        states, saved = [tuple(sp.zeros(rows, hidden) for _ in _states(self.cell))], []
        for x in xs:
            kept = {}

            def keep(name, value, kept=kept):
                kept[name] = value
                return value

            states.append(_as_tuple(self.cell.forward(keep, x, *states[-1], *params)))
            saved.append(kept)
        return states, saved

    def gradients(self, xs, upstreams, params):
        """``{"d<param>": Σ_t …, "dx": [∂L/∂x_t]}`` for inputs ``xs``, upstreams ``G_t`` (on h_t) and ``params``."""
        names = _states(self.cell)
        states, saved = self.forward(xs, params)
        total = {name: sp.zeros(*p.shape) for name, p in zip(self.cell.parameters, params, strict=True)}
        carried = {name: sp.zeros(*s.shape) for name, s in zip(names, states[-1], strict=True)}
        dxs = [None] * len(xs)
        for t in range(len(xs), 0, -1):
            direct = [upstreams[t - 1]] + [sp.zeros(*s.shape) for s in states[t][1:]]
            upstream = tuple(g if name in self.dropped else g + carried[name]
                             for name, g in zip(names, direct, strict=True))
            out = self.backward(_inline, upstream if len(names) > 1 else upstream[0], xs[t - 1], *states[t - 1],
                                *params, saved=saved[t - 1])
            if self.sum_over_t or t == len(xs):
                for name in self.cell.parameters:
                    total[name] += out[f"d{name}"]
            dxs[t - 1] = out["dx"]
            carried = {name: out[f"d{name}"] for name in names}
        return {**{f"d{name}": value for name, value in total.items()}, "dx": dxs}


@dataclass(frozen=True)
class Check:
    """One instance the composition is checked on: T = ``steps`` at n samples, d inputs, m hidden;
    ``expand`` proves the polynomial identity by expansion, else exact integer evaluation (:func:`is_zero`)."""

    steps: int
    rows: int = 1
    width: int = 2
    hidden: int = 2
    expand: bool = True

    @property
    def sizes(self) -> str:
        return f"n = {self.rows}, d = {self.width}, m = {self.hidden}"


#: The RNN's checks: T = 1, 2, 3 at n = 1, d = 2, m = 2, each expanded.
CHECKS = tuple(Check(steps) for steps in INSTANCES)


def checks_text(checks=CHECKS) -> str:
    """``T = 1, 2, 3 (n = 1, d = 2, m = 2)``, instances of equal sizes and method grouped."""
    groups: dict = {}
    for check in checks:
        groups.setdefault((check.sizes, check.expand), []).append(str(check.steps))
    return "; ".join(f"T = {', '.join(steps)} ({sizes}){'' if expand else ', evaluated exactly at random integers'}"
                     for (sizes, expand), steps in groups.items())


def _symbols(cell: Layer, steps: int, sizes: Check):
    """Inputs x_t, upstreams G_t and parameters at ``sizes``, every entry its own real symbol."""
    def matrix(name, shape):
        rows, cols = (int(sp.sympify(s).subs(m, sizes.hidden)) for s in shape)
        return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))

    shapes = cell.shapes(sizes.rows, sizes.width)
    xs = [matrix(f"x{t}", shapes["x"]) for t in range(1, steps + 1)]
    gs = [matrix(f"G{t}", shapes["h"]) for t in range(1, steps + 1)]
    params = [matrix(name.replace("_", ""), shapes[name]) for name in cell.parameters]
    return xs, gs, params


def composition_errors(bptt: BPTT, check: Check) -> list[str]:
    """The gradients of BPTT that differ from ``sympy.diff`` of Σ_t ⟨G_t, h_t⟩ on ``check``'s instance."""
    xs, gs, params = _symbols(bptt.cell, check.steps, check)
    claimed = bptt.gradients(xs, gs, params)
    states, _ = BPTT(bptt.cell).forward(xs, params)
    loss = sp.Add(*[sum(g.multiply_elementwise(s[0])) for g, s in zip(gs, states[1:], strict=True)])
    pairs = [(f"d{name}", p, claimed[f"d{name}"]) for name, p in zip(bptt.cell.parameters, params, strict=True)]
    pairs += [(f"dx_{t + 1}", x, dx) for t, (x, dx) in enumerate(zip(xs, claimed["dx"], strict=True))]
    return [name for name, variable, gradient in pairs
            if any(not is_zero(sp.diff(loss, variable[i, j]) - gradient[i, j], check.expand)
                   for i in range(variable.rows) for j in range(variable.cols))]


def is_zero(difference, expand: bool = True, points: int = 2) -> bool:
    """Exactly 0 as a polynomial once every applied tanh or σ is a fresh symbol (sound: a polynomial
    identity stays one when the applications are put back).  Both sides are polynomials in the same
    applications -- ``sympy.diff`` writes tanh' as 1 − tanh², σ' as σ(1 − σ), around the very
    subexpressions the forward built -- so nothing enters their nested arguments.

    ``expand=True`` expands the polynomial (a proof); ``expand=False`` evaluates it in exact integer
    arithmetic at ``points`` seeded points with every symbol drawn from 1..10¹⁵ (Schwartz–Zippel: a
    non-zero polynomial of degree D vanishes at a random point with probability ≤ D/10¹⁵), for the
    instances whose expansion is too large to write out."""
    applied = {call: sp.Dummy() for call in difference.atoms(sp.Function)}
    polynomial = difference.xreplace(applied)
    if expand:
        return sp.expand(polynomial) == 0
    symbols = sorted(polynomial.free_symbols, key=sp.default_sort_key)
    rng = random.Random(len(symbols))
    return all(polynomial.xreplace({s: sp.Integer(rng.randint(1, 10**15)) for s in symbols}) == 0
               for _ in range(points))


_STEP_LEMMAS: dict = {}


def step_lemma(cell: Layer, step=None) -> LayerProof:
    """The cell's lemma for ``step`` (its own backward by default), proved once per (cell, backward)."""
    key = (cell.name, step or cell.backward)
    if key not in _STEP_LEMMAS:
        _STEP_LEMMAS[key] = prove_layer(cell, step)
    return _STEP_LEMMAS[key]


def prove_sequence(name: str, bptt: BPTT, checks=CHECKS) -> LayerProof:
    """The step lemma for symbolic sizes, then the composition on the instances; see the module docstring."""
    start = time.perf_counter()
    step = step_lemma(bptt.cell, bptt.step)
    where = sizes_text(checks)
    if not step.proved:
        return LayerProof(name, step.gradients, time.perf_counter() - start, where)
    wrong = {check.steps: composition_errors(bptt, check) for check in checks}
    carries = " and ".join(f"∂L/∂{s}" for s in _states(bptt.cell))
    method = (f"the chain rule through the unrolled graph, for any T, composing the step lemma ({step.method}); "
              f"each step's upstream is G_t on h_t plus the {carries} carried from step t+1, the shared "
              f"parameters get the sum of the steps' gradients; the composition checked by exact SymPy on "
              f"instances {checks_text(checks)}, the difference 0 as a polynomial in the applied tanh and σ")
    gradients = []
    for key in ("dx", *(f"d{s}" for s in _states(bptt.cell)), *(f"d{p}" for p in bptt.cell.parameters)):
        bad = [steps for steps, names in wrong.items() if any(n == key or n.startswith(key + "_") for n in names)]
        gradients.append((key, Proof(True, method) if not bad else
                          Proof(False, f"BPTT's {key} differs from sympy.diff of Σ_t ⟨G_t, h_t⟩ at T = "
                                       f"{', '.join(map(str, bad))} (the step lemma holds: the composition is wrong)")))
    return LayerProof(name, tuple(gradients), time.perf_counter() - start, where)


def sizes_text(checks=CHECKS) -> str:
    """What the proof covers, for ``LayerProof.sizes``."""
    return ("symbolic n, d, m and any T by composing the step lemma; the composition exact on instances "
            + checks_text(checks))


def prover(name: str, cell: Layer, checks=CHECKS):
    """``Layer.prove`` for the sequence of ``cell``: takes a :class:`BPTT` (a planted mistake), a step
    backward (wrapped in the right BPTT), or None."""
    def prove(backward=None) -> LayerProof:
        bptt = backward if isinstance(backward, BPTT) else BPTT(cell, backward)
        return prove_sequence(name, bptt, checks)

    return prove
