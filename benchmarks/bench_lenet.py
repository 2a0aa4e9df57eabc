"""LeNet-5 (examples/networks/lenet5.toml): the generated backprop against hand-written numpy im2col and PyTorch eager.

One gradient evaluation (forward and backward, all ten parameters) at batch 64, float64, one thread
for every implementation, timed in one run with the implementations taken in turns
(``bench_network.seconds_per_call``):

* ``generated``: the module ``derive codegen --spec examples/networks/lenet5.toml`` writes;
* ``hand``: LeNet-5 as a person writes it in numpy, im2col by ``sliding_window_view`` and one matrix
  product per convolution, col2im by adds per kernel offset, 2×2 pooling by reshapes, no ∂L/∂X for
  the first convolution (nothing uses it);
* ``torch``: ``torch.nn.functional`` eager, tensors prepared once, ``torch.set_num_threads(1)``.

Targets (issue 19): generated <= 1.2 x hand and <= 2 x torch eager.  Both sides are checked to agree
before timing.

    python benchmarks/bench_lenet.py [--quick]
"""

from __future__ import annotations

import os

THREADS = os.environ.setdefault("BENCH_THREADS", "1")
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS  # before numpy loads its BLAS

import argparse  # noqa: E402 - after the thread settings
import importlib.util  # noqa: E402
import platform  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from bench_network import seconds_per_call  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

from backprop_derive.numeric.sequential.gradients import parameters  # noqa: E402
from backprop_derive.numeric.sequential.program import compile_sequential  # noqa: E402
from backprop_derive.numeric.sequential.spec import load  # noqa: E402

SPEC = Path(__file__).resolve().parent.parent / "examples" / "networks" / "lenet5.toml"
BATCH = 64


def _conv(x, W, b, pad):
    """y = conv2d(x, W) + b by im2col; returns y and the columns (N·H'·W', C·k·k)."""
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out, channels, k, _ = W.shape
    windows = sliding_window_view(x, (k, k), axis=(2, 3))  # N, C, H', W', k, k
    n, _, h, w = windows.shape[:4]
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, channels * k * k)
    y = (cols @ W.reshape(out, -1).T + b).reshape(n, h, w, out).transpose(0, 3, 1, 2)
    return y, cols


def _conv_back(g, cols, W, x_shape, pad, need_dx=True):
    """dW, db and (col2im) dx of a stride-1 convolution."""
    out, channels, k, _ = W.shape
    n, _, h, w = g.shape
    rows = g.transpose(0, 2, 3, 1).reshape(-1, out)
    dW = (rows.T @ cols).reshape(W.shape)
    db = rows.sum(axis=0)
    if not need_dx:
        return None, dW, db
    dcols = (rows @ W.reshape(out, -1)).reshape(n, h, w, channels, k, k)
    dx = np.zeros((n, channels, x_shape[2] + 2 * pad, x_shape[3] + 2 * pad))
    for i in range(k):
        for j in range(k):
            dx[:, :, i:i + h, j:j + w] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return (dx[:, :, pad:-pad, pad:-pad] if pad else dx), dW, db


def _pool(a):
    """2×2 max-pooling by reshapes; returns y and the first argmax of each window (0..3, row-major)."""
    n, c, h, w = a.shape
    windows = a.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
    where = windows.argmax(axis=-1)
    return np.take_along_axis(windows, where[..., None], axis=-1)[..., 0], where


def _pool_back(g, where):
    n, c, h, w = g.shape
    dwindows = np.zeros((n, c, h, w, 4))
    np.put_along_axis(dwindows, where[..., None], g[..., None], axis=-1)
    return dwindows.reshape(n, c, h, w, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, 2 * h, 2 * w)


def hand_gradients(params, X, Y):
    """LeNet-5, ReLU, max-pooling, softmax cross-entropy (mean), written by hand with im2col."""
    p = params
    z1, cols1 = _conv(X, p["W1"], p["b1"], 2)
    a1 = np.maximum(z1, 0)
    s2, mask2 = _pool(a1)
    z3, cols3 = _conv(s2, p["W4"], p["b4"], 0)
    a3 = np.maximum(z3, 0)
    s4, mask4 = _pool(a3)
    f = s4.reshape(len(X), -1)
    z5 = f @ p["W8"] + p["b8"]
    a5 = np.maximum(z5, 0)
    z6 = a5 @ p["W10"] + p["b10"]
    a6 = np.maximum(z6, 0)
    z7 = a6 @ p["W12"] + p["b12"]
    e = np.exp(z7 - z7.max(axis=1, keepdims=True))
    d7 = (e / e.sum(axis=1, keepdims=True) - Y) / len(X)
    d6 = (d7 @ p["W12"].T) * (z6 > 0)
    d5 = (d6 @ p["W10"].T) * (z5 > 0)
    df = (d5 @ p["W8"].T).reshape(s4.shape)
    d3 = _pool_back(df, mask4) * (z3 > 0)
    ds2, dW4, db4 = _conv_back(d3, cols3, p["W4"], s2.shape, 0)
    d1 = _pool_back(ds2, mask2) * (z1 > 0)
    _, dW1, db1 = _conv_back(d1, cols1, p["W1"], X.shape, 2, need_dx=False)
    return {"W1": dW1, "b1": db1, "W4": dW4, "b4": db4, "W8": f.T @ d5, "b8": d5.sum(axis=0),
            "W10": a5.T @ d6, "b10": d6.sum(axis=0), "W12": a6.T @ d7, "b12": d7.sum(axis=0)}


def torch_step(params, X, Y):
    import torch
    import torch.nn.functional as F  # noqa: N812

    torch.set_num_threads(int(THREADS))
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    inputs, labels = torch.tensor(X), torch.tensor(Y)

    def step():
        for value in t.values():
            value.grad = None
        a = F.max_pool2d(F.relu(F.conv2d(inputs, t["W1"], t["b1"], padding=2)), 2)
        a = F.max_pool2d(F.relu(F.conv2d(a, t["W4"], t["b4"])), 2).flatten(1)
        a = F.relu(a @ t["W8"] + t["b8"])
        a = F.relu(a @ t["W10"] + t["b10"])
        F.cross_entropy(a @ t["W12"] + t["b12"], labels).backward()
        return {k: v.grad for k, v in t.items()}

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timing loops (noisier)")
    args = parser.parse_args()
    spec = load(SPEC)
    rng = np.random.default_rng(0)
    params = parameters(spec, rng)
    X = rng.standard_normal((BATCH, *spec.input))
    Y = np.eye(spec.outputs)[rng.integers(0, spec.outputs, BATCH)]
    generated = compile_sequential(spec).gradients
    ours, hand = generated(params, X, Y), hand_gradients(params, X, Y)
    worst = max(float(np.abs(ours[k] - hand[k]).max() / np.abs(hand[k]).max()) for k in hand)
    functions = {"generated": lambda: generated(params, X, Y), "hand": lambda: hand_gradients(params, X, Y)}
    if importlib.util.find_spec("torch"):
        functions["torch"] = torch_step(params, X, Y)
    times = seconds_per_call(functions, budget=1.0 if args.quick else 3.0)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPU(s), "
          f"{platform.machine()}, {THREADS} thread(s) per implementation")
    print(f"LeNet-5 ({spec.summary()}), batch {BATCH}, float64, one gradient evaluation; "
          f"generated vs hand max rel difference {worst:.1e}\n")
    print("| implementation | ms per call | generated / it |")
    print("|---|---:|---:|")
    for name, seconds in times.items():
        print(f"| {name} | {1e3 * seconds:.2f} | {times['generated'] / seconds:.2f} |")
    print(f"\n- generated / hand: {times['generated'] / times['hand']:.2f} (target <= 1.2)")
    if "torch" in times:
        print(f"- generated / torch eager: {times['generated'] / times['torch']:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
