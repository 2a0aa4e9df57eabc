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
(:mod:`backprop_derive.network.layers.rnn_cell`) sharing :math:`W_{xh}, W_{hh}, b`.  (1) The step lemma: the cell's
VJP, with upstream :math:`\bar G_t = G_t + \partial L/\partial h_t|_{\text{through } h_{t+1}}`, is proved
for symbolic sizes.  (2) The chain rule through the unrolled graph: L depends on :math:`h_t` through
itself and :math:`h_{t+1}` only, so :math:`\bar G_t = G_t + \delta_{t+1} W_{hh}^T` (step t+1's ∂L/∂h,
the carry; :math:`\bar G_T = G_T`), and a parameter used by every step gets the sum of the steps'
gradients (the total derivative of a shared variable).  Induction on t from T down gives every
:math:`\delta_t`, hence the sums, for every T.  (3) The composition itself is tested: exact SymPy on
instances T = 1, 2, 3 (n = 1, d = 2, m = 2, every entry a symbol), ``sympy.diff`` of
:math:`\sum_t \langle G_t, h_t\rangle` against the BPTT recursion, difference expanded to 0.  The
machinery is :mod:`backprop_derive.network.layers.bptt`, shared with the LSTM and the GRU.
"""

from __future__ import annotations

from backprop_derive.network.layers import bptt, rnn_cell
from backprop_derive.network.layers.base import Layer, Step

#: The instances the composition is checked on exactly: T steps at n samples, d inputs, m hidden.
INSTANCES = bptt.INSTANCES
CHECKS = bptt.CHECKS
SIZES = bptt.sizes_text(CHECKS)
PARAMETERS = rnn_cell.LAYER.parameters


def BPTT(step=None, carry: bool = True, sum_over_t: bool = True) -> bptt.BPTT:
    """The shared BPTT (:class:`backprop_derive.network.layers.bptt.BPTT`) for the RNN cell; the switches plant the
    classic
    mistakes: ``step`` a wrong cell backward, ``carry=False`` forgets the gradient carried back through
    :math:`W_{hh}` (δ_t = G_t ⊙ (1 − h_t²)), ``sum_over_t=False`` keeps only the last step's parameter
    gradients (the sum cut at one step)."""
    return bptt.BPTT(rnn_cell.LAYER, step or rnn_cell.backward_with(), () if carry else ("h",), sum_over_t)


def composition_errors(plan: bptt.BPTT, steps: int) -> list[str]:
    """The gradients of BPTT that differ from ``sympy.diff`` of Σ_t ⟨G_t, h_t⟩ at T = ``steps`` (exact)."""
    return bptt.composition_errors(plan, CHECKS[INSTANCES.index(steps)])


def prove_bptt(plan: bptt.BPTT | None = None):
    """The step lemma for symbolic sizes, then the composition on the instances; see the module docstring."""
    return bptt.prover("rnn", rnn_cell.LAYER, CHECKS)(plan)


LAYER = Layer(
    name="rnn",
    summary="rnn(x_1..x_T) = (h_1..h_T), h_t = tanh(x_t W_xh + h_{t-1} W_hh + b), h_0 = 0; backward through time",
    matches="torch.nn.RNN(d, m, batch_first=True), 1 layer, tanh, h0 = 0: weight_ih_l0 = W_xhᵀ, "
            "weight_hh_l0 = W_hhᵀ, bias_ih_l0 + bias_hh_l0 = b",
    parameters=PARAMETERS,
    inputs=("x", "h"),
    shapes=rnn_cell.LAYER.shapes,
    forward=rnn_cell.step_forward,
    backward=rnn_cell.backward_with(),
    prove=bptt.prover("rnn", rnn_cell.LAYER, CHECKS),
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
