r"""The RNN over T steps and its backward through time (BPTT), proved for any T by composing the step lemma.

For a sequence :math:`x_1, \dots, x_T` (each n × d, rows are samples), :math:`h_0 = 0` and

.. math::  h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + \mathbf 1 b), \qquad t = 1, \dots, T,

the output is every :math:`h_t` (as ``torch.nn.RNN(d, m, batch_first=True)``'s first output).  With
:math:`G_t = \partial L/\partial h_t` from the layers above (L reaches :math:`h_t` directly and through
:math:`h_{t+1}`), BPTT runs the step's VJP backwards in time:

.. math::  \delta_T = G_T \odot (1 - h_T^{\circ 2}), \qquad
           \delta_t = (G_t + \delta_{t+1} W_{hh}^T) \odot (1 - h_t^{\circ 2}), \\
           \frac{\partial L}{\partial W_{hh}} = \sum_t h_{t-1}^T \delta_t, \quad
           \frac{\partial L}{\partial W_{xh}} = \sum_t x_t^T \delta_t, \quad
           \frac{\partial L}{\partial b} = \sum_t \mathbf 1^T \delta_t, \quad
           \frac{\partial L}{\partial x_t} = \delta_t W_{xh}^T.

**Proof for any T** (:func:`prove_bptt`).  The unrolled graph is T copies of the cell
(:mod:`derive.layers.rnn_cell`) sharing :math:`W_{xh}, W_{hh}, b`.  (1) The step lemma: the cell's
VJP, with upstream :math:`\bar G_t = G_t + \partial L/\partial h_t|_{\text{through } h_{t+1}}`, is proved
for symbolic sizes.  (2) The chain rule through the unrolled graph: L depends on :math:`h_t` through
itself and :math:`h_{t+1}` only, so :math:`\bar G_t = G_t + \delta_{t+1} W_{hh}^T` (step t+1's ∂L/∂h,
the carry; :math:`\bar G_T = G_T`), and a parameter used by every step gets the sum of the steps'
gradients (the total derivative of a shared variable).  Induction on t from T down gives every
:math:`\delta_t`, hence the sums, for every T.  (3) The composition itself is tested: exact SymPy on
instances T = 1, 2, 3 (n = 1, d = 2, m = 2, every entry a symbol), ``sympy.diff`` of
:math:`\sum_t \langle G_t, h_t\rangle` against the BPTT recursion, difference expanded to 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import sympy as sp

from derive.layers import rnn_cell
from derive.layers.base import Layer, LayerProof, Step, m, prove_layer
from derive.prove import Proof

#: The instances the composition is checked on exactly: T steps at n samples, d inputs, m hidden.
INSTANCES = (1, 2, 3)
ROWS, WIDTH, HIDDEN = 1, 2, 2
PARAMETERS = ("W_xh", "W_hh", "b")


def _inline(name, value):
    return value


@dataclass(frozen=True)
class BPTT:
    """Backprop through time over explicit matrices; the switches plant the classic mistakes.

    ``step`` is the cell's backward (the step lemma is proved for it); ``carry=False`` forgets the
    gradient carried back through :math:`W_{hh}` (δ_t = G_t ⊙ (1 − h_t²)); ``sum_over_t=False`` keeps
    only the last step's parameter gradients (the sum cut at one step).
    """

    step: object = field(default_factory=rnn_cell.backward_with)
    carry: bool = True
    sum_over_t: bool = True

    def gradients(self, xs, upstreams, W_xh, W_hh, b):
        """``{"dW_xh", "dW_hh", "db", "dx": [∂L/∂x_t]}`` for inputs ``xs`` and upstreams ``G_t``."""
        h = sp.zeros(xs[0].shape[0], W_hh.shape[0])
        states = [h]
        for x in xs:
            states.append(rnn_cell.step_forward(_inline, x, states[-1], W_xh, W_hh, b))
        total = {name: sp.zeros(*shape.shape) for name, shape in zip(PARAMETERS, (W_xh, W_hh, b), strict=True)}
        dxs, carried = [None] * len(xs), sp.zeros(*states[-1].shape)
        for t in range(len(xs), 0, -1):
            upstream = upstreams[t - 1] + carried if self.carry else upstreams[t - 1]
            out = self.step(_inline, upstream, xs[t - 1], states[t - 1], W_xh, W_hh, b,
                            saved={"h_new": states[t]})
            if self.sum_over_t or t == len(xs):
                for name in PARAMETERS:
                    total[name] += out[f"d{name}"]
            dxs[t - 1], carried = out["dx"], out["dh"]
        return {**{f"d{name}": value for name, value in total.items()}, "dx": dxs}


def _instance(steps: int):
    """Symbols for T = ``steps``: inputs, upstreams and parameters, every entry its own symbol."""
    def matrix(name, rows, cols):
        return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))

    xs = [matrix(f"x{t}", ROWS, WIDTH) for t in range(1, steps + 1)]
    gs = [matrix(f"G{t}", ROWS, HIDDEN) for t in range(1, steps + 1)]
    params = (matrix("Wxh", WIDTH, HIDDEN), matrix("Whh", HIDDEN, HIDDEN), matrix("b", 1, HIDDEN))
    return xs, gs, params


def composition_errors(bptt: BPTT, steps: int) -> list[str]:
    """The gradients of BPTT that differ from ``sympy.diff`` of Σ_t ⟨G_t, h_t⟩ at T = ``steps`` (exact)."""
    xs, gs, params = _instance(steps)
    claimed = bptt.gradients(xs, gs, *params)
    h, loss = sp.zeros(ROWS, HIDDEN), sp.S.Zero
    for x, g in zip(xs, gs, strict=True):
        h = rnn_cell.step_forward(_inline, x, h, *params)
        loss += sum(g[i, j] * h[i, j] for i in range(ROWS) for j in range(HIDDEN))
    wrong = []
    pairs = [(f"d{name}", p, claimed[f"d{name}"]) for name, p in zip(PARAMETERS, params, strict=True)]
    pairs += [(f"dx_{t + 1}", x, dx) for t, (x, dx) in enumerate(zip(xs, claimed["dx"], strict=True))]
    for name, variable, gradient in pairs:
        for i in range(variable.rows):
            for j in range(variable.cols):
                if sp.expand(sp.diff(loss, variable[i, j]) - gradient[i, j]) != 0:
                    wrong.append(name)
                    break
            else:
                continue
            break
    return wrong


SIZES = (f"symbolic n, d, m and any T by composing the step lemma; the composition exact on instances "
         f"T = {', '.join(map(str, INSTANCES))} (n = {ROWS}, d = {WIDTH}, m = {HIDDEN})")


def prove_bptt(bptt: BPTT | None = None) -> LayerProof:
    """The step lemma for symbolic sizes, then the composition on the instances; see the module docstring."""
    bptt = bptt or BPTT()
    start = time.perf_counter()
    step = prove_layer(rnn_cell.LAYER, bptt.step)
    if not step.proved:
        return LayerProof("rnn", step.gradients, time.perf_counter() - start, SIZES)
    wrong = {steps: composition_errors(bptt, steps) for steps in INSTANCES}
    method = ("any T: the chain rule through the unrolled graph composes the step lemma (" + step.method +
              "); each step's upstream is G_t plus the ∂L/∂h carried from step t+1, the shared W_xh, W_hh, b "
              "get the sum of the steps' gradients; the composition checked by exact SymPy on instances T = "
              f"{', '.join(map(str, INSTANCES))} (n = {ROWS}, d = {WIDTH}, m = {HIDDEN}), difference expanded to 0")
    gradients = []
    for name in ("dx", "dh", *(f"d{p}" for p in PARAMETERS)):
        bad = [steps for steps, names in wrong.items() if any(n == name or n.startswith(name + "_") for n in names)]
        gradients.append((name, Proof(True, method) if not bad else
                          Proof(False, f"BPTT's {name} differs from sympy.diff of Σ_t ⟨G_t, h_t⟩ at T = "
                                       f"{', '.join(map(str, bad))} (the step lemma holds: the composition is wrong)")))
    return LayerProof("rnn", tuple(gradients), time.perf_counter() - start, SIZES)


LAYER = Layer(
    name="rnn",
    summary="rnn(x_1..x_T) = (h_1..h_T), h_t = tanh(x_t W_xh + h_{t-1} W_hh + b), h_0 = 0; backward through time",
    matches="torch.nn.RNN(d, m, batch_first=True), 1 layer, tanh, h0 = 0: weight_ih_l0 = W_xhᵀ, "
            "weight_hh_l0 = W_hhᵀ, bias_ih_l0 + bias_hh_l0 = b",
    parameters=PARAMETERS,
    inputs=("x", "h"),
    shapes=lambda rows, cols: {"x": (rows, cols), "h": (rows, m), "W_xh": (cols, m), "W_hh": (m, m), "b": (1, m)},
    forward=rnn_cell.step_forward,
    backward=rnn_cell.backward_with(),
    prove=lambda backward=None: prove_bptt(backward),
    steps=(
        Step("h_t[r,c]", "tanh(Σ_i x_t[r,i] W_xh[i,c] + Σ_j h_{t-1}[r,j] W_hh[j,c] + b[c]),  h_0 = 0",
             "the cell at every step, the same parameters"),
        Step("G_t[r,c]", "∂L/∂h_t[r,c] from the layers above (direct)", "h_t also reaches L through h_{t+1}"),
        Step("δ_T[r,c]", "G_T[r,c] (1 - h_T[r,c]²)", "the last step: nothing carried"),
        Step("δ_t[r,c]", "(G_t[r,c] + Σ_k δ_{t+1}[r,k] W_hh[c,k]) (1 - h_t[r,c]²)",
             "chain rule: h_t enters h_{t+1} through W_hh (the carry), tanh' = 1 - h²"),
        Step("∂L/∂W_hh[a,b]", "Σ_t Σ_r h_{t-1}[r,a] δ_t[r,b]", "W_hh is shared: the steps' gradients add"),
        Step("∂L/∂W_xh[a,b]", "Σ_t Σ_r x_t[r,a] δ_t[r,b]", "shared, summed over t"),
        Step("∂L/∂b[b]", "Σ_t Σ_r δ_t[r,b]", "shared, summed over t"),
        Step("∂L/∂x_t[a,b]", "Σ_c δ_t[a,c] W_xh[b,c]", "x_t enters step t only"),
        Step("∂L/∂h_{t-1}[a,b]", "Σ_c δ_t[a,c] W_hh[b,c]", "carried into step t-1 (the step lemma's dh)"),
    ),
    notes=("the matrix form is one step t: x = x_t, h = h_{t-1}, G = G_t + δ_{t+1} W_hhᵀ, "
           "dh the gradient carried to step t-1",
           "the sum over t in ∂L/∂W_hh, ∂L/∂W_xh, ∂L/∂b: a shared parameter's gradients add"),
)
