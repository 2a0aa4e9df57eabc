"""The recurrent cells and sequences in every framework, in the kernels' layouts (``backprop_derive/numeric/kernels/``).

numpy, autograd and JAX run the same hand-written step (a Python loop over t, states stacked on
axis 1, σ as 1/(1 + e^{-u})); PyTorch runs its own modules -- ``nn.RNNCell``/``LSTMCell``/``GRUCell``
and ``nn.RNN``/``LSTM``/``GRU`` (``batch_first=True``, one layer) -- through ``torch.func.functional_call``
with their weights set from the arrays, so autograd reaches the arrays:

* rnn: ``weight_ih = W_xhᵀ``, ``weight_hh = W_hhᵀ``, ``bias_ih = b``, ``bias_hh = 0``;
* lstm: ``weight_ih = W_xᵀ`` (gates i, f, g, o stacked), ``weight_hh = W_hᵀ``, ``bias_ih = b``, ``bias_hh = 0``;
* gru: ``weight_ih = W_xᵀ`` (r, z, n), ``weight_hh = W_hᵀ``, ``bias_ih = b_x``, ``bias_hh = b_h``.

Each table maps a name (``rnn_cell``, ``lstm_cell``, ``gru_cell``, ``rnn``, ``lstm``, ``gru``) to
``f(x, [h, [c,]] *params)``; the modules ``backprop_derive/numeric/bindings/<name>.py`` pick their entry.
"""

from __future__ import annotations

import numpy as np

from backprop_derive.numeric.bindings.frameworks import autograd_numpy, jax_modules


def numpy_like(xnp) -> dict:
    def sigmoid(u):
        return 1 / (1 + xnp.exp(-u))

    def rnn_cell(x, h, W_xh, W_hh, b):
        return xnp.tanh(xnp.dot(x, W_xh) + xnp.dot(h, W_hh) + b)

    def lstm_cell(x, h, c, W_x, W_h, b):
        H = h.shape[1]
        u = xnp.dot(x, W_x) + xnp.dot(h, W_h) + b
        i, f, g, o = sigmoid(u[:, :H]), sigmoid(u[:, H:2 * H]), xnp.tanh(u[:, 2 * H:3 * H]), sigmoid(u[:, 3 * H:])
        c_new = f * c + i * g
        return o * xnp.tanh(c_new), c_new

    def gru_cell(x, h, W_x, W_h, b_x, b_h):
        H = h.shape[1]
        a, q = xnp.dot(x, W_x) + b_x, xnp.dot(h, W_h) + b_h
        r, z = sigmoid(a[:, :H] + q[:, :H]), sigmoid(a[:, H:2 * H] + q[:, H:2 * H])
        n = xnp.tanh(a[:, 2 * H:] + r * q[:, 2 * H:])
        return (1 - z) * n + z * h

    def sequence(step, states):
        def run(x, W_x, W_h, *biases):
            carry = [xnp.zeros((x.shape[0], W_h.shape[0])) for _ in range(states)]
            out = []
            for t in range(x.shape[1]):
                new = step(x[:, t], *carry, W_x, W_h, *biases)
                carry = list(new) if states > 1 else [new]
                out.append(carry[0])
            return xnp.stack(out, axis=1)

        return run

    return {"rnn_cell": rnn_cell, "lstm_cell": lstm_cell, "gru_cell": gru_cell,
            "rnn": sequence(rnn_cell, 1), "lstm": sequence(lstm_cell, 2), "gru": sequence(gru_cell, 1)}


def _torch() -> dict:
    import torch
    from torch.func import functional_call

    def weights(W_x, W_h, b_x, b_h, suffix=""):
        return {f"weight_ih{suffix}": W_x.T, f"weight_hh{suffix}": W_h.T,
                f"bias_ih{suffix}": b_x, f"bias_hh{suffix}": torch.zeros_like(b_x) if b_h is None else b_h}

    def module(kind, W_x, W_h, sequence):
        size = (W_x.shape[0], W_h.shape[0])
        options = {"batch_first": True} if sequence else {}
        return getattr(torch.nn, kind)(*size, dtype=W_x.dtype, **options)

    def cell(kind, x, state, W_x, W_h, b_x, b_h=None):
        return functional_call(module(kind, W_x, W_h, False), weights(W_x, W_h, b_x, b_h), (x, state))

    def sequence(kind, x, W_x, W_h, b_x, b_h=None):
        return functional_call(module(kind, W_x, W_h, True), weights(W_x, W_h, b_x, b_h, "_l0"), (x,))[0]

    return {"rnn_cell": lambda x, h, *p: cell("RNNCell", x, h, *p),
            "lstm_cell": lambda x, h, c, *p: cell("LSTMCell", x, (h, c), *p),
            "gru_cell": lambda x, h, *p: cell("GRUCell", x, h, *p),
            "rnn": lambda x, *p: sequence("RNN", x, *p),
            "lstm": lambda x, *p: sequence("LSTM", x, *p),
            "gru": lambda x, *p: sequence("GRU", x, *p)}


def _jax() -> dict:
    _, jnp = jax_modules()
    return numpy_like(jnp)


def bindings(name: str) -> dict:
    """The ``BINDINGS`` table of one recurrent name: framework -> builder of its forward."""
    return {"numpy": lambda: numpy_like(np)[name], "autograd": lambda: numpy_like(autograd_numpy())[name],
            "torch": lambda: _torch()[name], "jax": lambda: _jax()[name]}
