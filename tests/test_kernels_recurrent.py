"""Recurrent kernels (rnn, lstm, gru and their cells): equal to the proved SymPy backward, to PyTorch
autograd (1e-10, float64) and to finite differences (1e-6); bad shapes and settings are one-line errors."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import sympy as sp

from backprop_derive.network.layers import gru_cell, lstm_cell, rnn
from backprop_derive.network.layers.gates import sigmoid
from backprop_derive.numeric.kernels import get_kernel
from backprop_derive.numeric.kernels import gru as gru_kernels
from backprop_derive.numeric.kernels import lstm as lstm_kernels
from backprop_derive.numeric.kernels import rnn as rnn_kernels

HAS_TORCH = importlib.util.find_spec("torch") is not None
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _params(name, D, H, rng):
    shapes = get_kernel(name).parameters((5, D), H)
    return [rng.uniform(-0.8, 0.8, shape) for shape in shapes.values()]


def _relative(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


def _numbers(matrix) -> np.ndarray:
    """An explicit SymPy matrix of numbers (σ kept by name) as floats."""
    unfolded = matrix.applyfunc(lambda e: e.replace(lambda a: isinstance(a, sigmoid),
                                                    lambda a: sigmoid.definition(a.args[0])))
    return np.array(unfolded.evalf(30), dtype=float)


def _sympy(array):
    return sp.Matrix(np.atleast_2d(array).tolist())


def _keep_into(saved):
    def keep(name, value):
        saved[name] = value
        return value
    return keep


def test_the_rnn_kernel_equals_the_proved_bptt_formulas():
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 3, 2, 3
    x, g = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    params = _params("rnn", D, H, rng)
    _, cache = rnn_kernels.rnn_forward(x, *params)
    kernel = rnn_kernels.rnn_backward(g, cache)
    proved = rnn.BPTT().gradients([_sympy(x[:, t]) for t in range(T)], [_sympy(g[:, t]) for t in range(T)],
                                  tuple(map(_sympy, params)))
    assert _relative(kernel[0], np.stack([_numbers(m) for m in proved["dx"]], axis=1)) < 1e-12
    for got, name in zip(kernel[1:], ("dW_xh", "dW_hh", "db"), strict=True):
        assert _relative(got, _numbers(proved[name]).reshape(got.shape)) < 1e-12, name


def _per_gate(params, gates, H):
    """The stacked (D, kH) / (H, kH) / (kH,) arrays cut into one block per gate, as SymPy matrices."""
    return [[_sympy(p[..., k * H:(k + 1) * H]) for p in params] for k in range(gates)]


def test_the_lstm_cell_kernel_equals_the_proved_formulas():
    rng = np.random.default_rng(1)
    N, D, H = 2, 2, 2
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    G_h, G_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    params = _params("lstm", D, H, rng)
    _, cache = lstm_kernels.lstm_cell_forward(x, h, c, *params)
    kernel = lstm_kernels.lstm_cell_backward((G_h, G_c), cache)
    blocks = [m for gate in _per_gate(params, 4, H) for m in gate]  # W_xk, W_hk, b_k per gate k
    saved = {}
    args = [_sympy(x), _sympy(h), _sympy(c), *blocks]
    lstm_cell.LAYER.forward(_keep_into(saved), *args)
    proved = lstm_cell.LAYER.backward(_keep_into({}), (_sympy(G_h), _sympy(G_c)), *args, saved=saved)
    for got, name in zip(kernel[:3], ("dx", "dh", "dc"), strict=True):
        assert _relative(got, _numbers(proved[name])) < 1e-12, name
    for got, kind in zip(kernel[3:], ("dW_x", "dW_h", "db_"), strict=True):
        stacked = np.concatenate([_numbers(proved[f"{kind}{k}"]) for k in "ifgo"], axis=1)
        assert _relative(got, stacked.reshape(got.shape)) < 1e-12, kind


def test_the_gru_cell_kernel_equals_the_proved_formulas():
    rng = np.random.default_rng(2)
    N, D, H = 2, 2, 2
    x, h, g = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    params = _params("gru", D, H, rng)
    _, cache = gru_kernels.gru_cell_forward(x, h, *params)
    dx, dh, dW_x, dW_h, db_x, db_h = gru_kernels.gru_cell_backward(g, cache)
    (Wxr, Whr, bxr, bhr), (Wxz, Whz, bxz, bhz), (Wxn, Whn, bxn, bhn) = _per_gate(params, 3, H)
    args = [_sympy(x), _sympy(h), Wxr, Whr, bxr + bhr, Wxz, Whz, bxz + bhz, Wxn, Whn, bxn, bhn]
    saved = {}
    gru_cell.LAYER.forward(_keep_into(saved), *args)
    p = {k: _numbers(v) for k, v in gru_cell.LAYER.backward(_keep_into({}), _sympy(g), *args, saved=saved).items()}
    assert _relative(dx, p["dx"]) < 1e-12 and _relative(dh, p["dh"]) < 1e-12
    assert _relative(dW_x, np.concatenate([p["dW_xr"], p["dW_xz"], p["dW_xn"]], axis=1)) < 1e-12
    assert _relative(dW_h, np.concatenate([p["dW_hr"], p["dW_hz"], p["dW_hn"]], axis=1)) < 1e-12
    assert _relative(db_x, np.concatenate([p["db_r"], p["db_z"], p["db_xn"]], axis=1).ravel()) < 1e-12
    assert _relative(db_h, np.concatenate([p["db_r"], p["db_z"], p["db_hn"]], axis=1).ravel()) < 1e-12


def _torch_gradients(name, arrays, g):
    import torch

    from backprop_derive.numeric.bindings import bound

    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = bound(name, "torch")(*tensors)
    outs, gs = (out, g) if isinstance(out, tuple) else ((out,), (g,))
    sum((o * torch.tensor(u)).sum() for o, u in zip(outs, gs, strict=True)).backward()
    return [t.grad.numpy() for t in tensors]


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(("N", "T", "D", "H"), [(3, 4, 5, 6), (1, 8, 2, 3)])
def test_the_sequence_kernels_equal_pytorch_autograd_in_float64(name, N, T, D, H):
    rng = np.random.default_rng(N * T + D)
    kernel = get_kernel(name)
    x, g = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    params = _params(name, D, H, rng)
    out, cache = kernel.forward(x, *params)
    assert out.shape == (N, *kernel.out_shape((T, D), H))
    torch_out = _torch_gradients(name, [x, *params], g)
    for got, want in zip(kernel.backward(g, cache), torch_out, strict=True):
        assert got.shape == want.shape and _relative(got, want) < 1e-10


CELLS = {"rnn_cell": (rnn_kernels.rnn_cell_forward, rnn_kernels.rnn_cell_backward, "rnn", 1),
         "lstm_cell": (lstm_kernels.lstm_cell_forward, lstm_kernels.lstm_cell_backward, "lstm", 2),
         "gru_cell": (gru_kernels.gru_cell_forward, gru_kernels.gru_cell_backward, "gru", 1)}


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
@pytest.mark.parametrize("name", CELLS)
def test_the_cells_equal_torchs_cells_in_float64(name):
    forward, backward, sequence, states = CELLS[name]
    rng = np.random.default_rng(3)
    N, D, H = 4, 3, 5
    inputs = [rng.standard_normal((N, D))] + [rng.standard_normal((N, H)) for _ in range(states)]
    params = _params(sequence, D, H, rng)
    _, cache = forward(*inputs, *params)
    g = tuple(rng.standard_normal((N, H)) for _ in range(states))
    got = backward(g if states > 1 else g[0], cache)
    want = _torch_gradients(name, [*inputs, *params], g if states > 1 else g[0])
    for a, b in zip(got, want, strict=True):
        assert _relative(a, b) < 1e-10


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_the_sequence_kernels_equal_finite_differences(name):
    rng = np.random.default_rng(4)
    N, T, D, H = 2, 3, 2, 2
    kernel = get_kernel(name)
    x, g = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    arrays = [x, *_params(name, D, H, rng)]
    grads = kernel.backward(g, kernel.forward(*arrays)[1])
    step = 1e-6
    for array, grad in zip(arrays, grads, strict=True):
        fd = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            keep = array[index]
            array[index] = keep + step
            up = np.sum(g * kernel.forward(*arrays)[0])
            array[index] = keep - step
            down = np.sum(g * kernel.forward(*arrays)[0])
            array[index] = keep
            fd[index] = (up - down) / (2 * step)
        assert _relative(grad, fd) < 1e-6


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_a_kernel_with_the_bptt_sum_cut_is_caught_by_the_pytorch_check():
    rng = np.random.default_rng(5)
    x, g = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3))
    params = _params("rnn", 3, 3, rng)
    _, (x_, W_xh, W_hh, hs) = rnn_kernels.rnn_forward(x, *params)
    cut = rnn_kernels.rnn_backward(g[:, -1:], (x_[:, -1:], W_xh, W_hh, hs[:, -1:]))  # the last t only
    want = _torch_gradients("rnn", [x, *params], g)
    assert _relative(cut[1], want[1]) > 1e-3


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_bad_shapes_and_settings_are_one_line_errors(name):
    kernel = get_kernel(name)
    for hidden in (0, -2, 2.5, None):
        with pytest.raises(ValueError, match="hidden size must be a positive integer") as err:
            kernel.parameters((4, 3), hidden)
        assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match=r"takes \(T, D\) per sample"):
        kernel.parameters((3,), 4)
    with pytest.raises(ValueError, match=r"must be \(N, T, D\)"):
        kernel.forward(np.zeros((4, 3)), *_params(name, 3, 2, np.random.default_rng(0)))
