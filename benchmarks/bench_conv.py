"""conv2d kernels and a LeNet-5 built from them, against a hand-written numpy im2col and PyTorch eager.

Times one forward + backward, float64, batch 64, of:

* ``kernel``: ``backprop_derive/numeric/kernels`` (conv2d, maxpool2d, flatten, dense), the code ``derive codegen``
copies;
* ``hand``: the numpy im2col convolution a person writes (below, written apart from the kernels:
  ``as_strided`` windows, one row per output pixel, col2im by a loop over the kernel offsets);
* ``torch``: PyTorch eager, ``torch.set_num_threads(1)``, tensors prepared once.

Rows: each LeNet-5 convolution alone (conv 1→6 k5 pad 2 on 28×28, conv 6→16 k5 on 14×14; dx,
dW, db on every side), and the whole LeNet-5 (conv, ReLU, max-pool, conv, ReLU, max-pool, flatten,
dense 400→120→84→10, softmax cross-entropy, mean), where hand and torch skip ∂L/∂x of the first
convolution (the image) and the kernels compute it (their contract returns dx).
The sides are checked to agree before any timing.  Interleaved rounds, the order reversed every
other round; the table gives the best loop and the median over rounds of each round's ratio.
Targets (issue 19): LeNet-5 ≤ 1.2 × hand numpy, ≤ 2 × PyTorch eager on one thread.

Every implementation runs on one thread (BLAS, OpenMP and PyTorch), and glibc's mmap threshold is
pinned (``MALLOC_MMAP_THRESHOLD_``, set by re-executing this script if it is unset) so that large
arrays come from the same heap on every call instead of a threshold that moves while it runs.

    python benchmarks/bench_conv.py [--quick] [--rounds N]
"""

from __future__ import annotations

import os
import sys

#: glibc's mmap threshold, pinned: 64 MiB, above every array here (the dynamic default moves with frees).
MMAP_THRESHOLD = str(64 * 1024 * 1024)
if os.environ.get("MALLOC_MMAP_THRESHOLD_") is None:  # the allocator reads it at start: re-execute
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD})
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # before numpy loads its BLAS

import argparse  # noqa: E402 - after the environment settings
import platform  # noqa: E402
import statistics  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's kernels, not an installed copy
from bench_layers import interleaved  # noqa: E402

from backprop_derive.numeric.kernels.conv2d import conv2d_backward, conv2d_forward  # noqa: E402
from backprop_derive.numeric.kernels.dense import dense_backward, dense_forward  # noqa: E402
from backprop_derive.numeric.kernels.flatten import flatten_backward, flatten_forward  # noqa: E402
from backprop_derive.numeric.kernels.maxpool2d import maxpool2d_backward, maxpool2d_forward  # noqa: E402

BATCH = 64
#: (name, in channels, out channels, image size, padding): LeNet-5's two convolutions, kernel 5.
CONVS = (("conv1 1→6 k5 pad2 28×28", 1, 6, 28, 2), ("conv2 6→16 k5 14×14", 6, 16, 14, 0))


# ------------------------------------------------------------------------- hand-written numpy


def hand_conv_forward(x, w, b, pad):
    """im2col as people write it: as_strided windows, one row per output pixel, a matrix product."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - k + 1, wd + 2 * pad - k + 1
    s = xp.strides
    win = np.lib.stride_tricks.as_strided(xp, (n, ho, wo, c, k, k), (s[0], s[2], s[3], s[1], s[2], s[3]))
    rows = win.reshape(n * ho * wo, c * k * k)
    out = rows @ w.reshape(f, -1).T + b
    return out.reshape(n, ho, wo, f).transpose(0, 3, 1, 2), (rows, xp.shape)


def hand_conv_backward(dout, w, saved, pad, need_dx=True):
    rows, padded = saved
    n, f, ho, wo = dout.shape
    _, c, k, _ = w.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, f)
    dw = (d.T @ rows).reshape(w.shape)
    db = d.sum(axis=0)
    if not need_dx:
        return None, dw, db
    drows = (d @ w.reshape(f, -1)).reshape(n, ho, wo, c, k, k)
    dxp = np.zeros(padded)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + ho, j:j + wo] += drows[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dxp[:, :, pad:padded[2] - pad, pad:padded[3] - pad], dw, db


def hand_pool_forward(x):
    """2×2, stride 2: each window's max and its first argmax (row-major, as torch)."""
    n, c, h, w = x.shape
    flat = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
    first = flat.argmax(axis=-1)
    return np.take_along_axis(flat, first[..., None], axis=-1)[..., 0], (first, x.shape)


def hand_pool_backward(dout, saved):
    first, shape = saved
    n, c, ho, wo = dout.shape
    d = np.zeros((n, c, ho, wo, 4))
    np.put_along_axis(d, first[..., None], dout[..., None], axis=-1)
    return d.reshape(n, c, ho, wo, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(shape)


def hand_lenet(params, x, y):
    """LeNet-5 forward and backward by hand; the image's own gradient is not computed."""
    z1, s1 = hand_conv_forward(x, params["W1"], params["b1"], 2)
    a1 = np.maximum(z1, 0)
    p1, q1 = hand_pool_forward(a1)
    z2, s2 = hand_conv_forward(p1, params["W2"], params["b2"], 0)
    a2 = np.maximum(z2, 0)
    p2, q2 = hand_pool_forward(a2)
    f = p2.reshape(len(x), -1)
    h3 = np.maximum(f @ params["W3"] + params["b3"], 0)
    h4 = np.maximum(h3 @ params["W4"] + params["b4"], 0)
    logits = h4 @ params["W5"] + params["b5"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    d5 = (e / e.sum(axis=1, keepdims=True) - y) / len(x)
    g = {"W5": h4.T @ d5, "b5": d5.sum(axis=0)}
    d4 = (d5 @ params["W5"].T) * (h4 > 0)
    g["W4"], g["b4"] = h3.T @ d4, d4.sum(axis=0)
    d3 = (d4 @ params["W4"].T) * (h3 > 0)
    g["W3"], g["b3"] = f.T @ d3, d3.sum(axis=0)
    dp2 = (d3 @ params["W3"].T).reshape(p2.shape)
    dz2 = hand_pool_backward(dp2, q2) * (z2 > 0)
    dp1, g["W2"], g["b2"] = hand_conv_backward(dz2, params["W2"], s2, 0)
    dz1 = hand_pool_backward(dp1, q1) * (z1 > 0)
    _, g["W1"], g["b1"] = hand_conv_backward(dz1, params["W1"], s1, 2, need_dx=False)
    return g


# ------------------------------------------------------------------------------ the kernels


def kernel_lenet(params, x, y):
    """LeNet-5 composed from backprop_derive/numeric/kernels, as generated code would call them."""
    z1, c1 = conv2d_forward(x, params["W1"], params["b1"], padding=2)
    p1, q1 = maxpool2d_forward(np.maximum(z1, 0), kernel=2)
    z2, c2 = conv2d_forward(p1, params["W2"], params["b2"])
    p2, q2 = maxpool2d_forward(np.maximum(z2, 0), kernel=2)
    f, cf = flatten_forward(p2)
    z3, c3 = dense_forward(f, params["W3"], params["b3"])
    a3 = np.maximum(z3, 0)
    z4, c4 = dense_forward(a3, params["W4"], params["b4"])
    logits, c5 = dense_forward(np.maximum(z4, 0), params["W5"], params["b5"])
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    delta = (e / e.sum(axis=1, keepdims=True) - y) / len(x)
    g = {}
    da, g["W5"], g["b5"] = dense_backward(delta, c5)
    da, g["W4"], g["b4"] = dense_backward(da * (z4 > 0), c4)
    da, g["W3"], g["b3"] = dense_backward(da * (z3 > 0), c3)
    (da,) = flatten_backward(da, cf)
    (da,) = maxpool2d_backward(da, q2)
    da, g["W2"], g["b2"] = conv2d_backward(da * (z2 > 0), c2)
    (da,) = maxpool2d_backward(da, q1)
    _, g["W1"], g["b1"] = conv2d_backward(da * (z1 > 0), c1)
    return g


def torch_lenet(params, x, y):
    import torch
    import torch.nn.functional as F  # noqa: N812

    torch.set_num_threads(1)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    images, labels = torch.tensor(x), torch.tensor(y)

    def step():
        for v in t.values():
            v.grad = None
        a = F.max_pool2d(F.relu(F.conv2d(images, t["W1"], t["b1"], padding=2)), 2)
        a = torch.flatten(F.max_pool2d(F.relu(F.conv2d(a, t["W2"], t["b2"])), 2), 1)
        a = F.relu(F.relu(a @ t["W3"] + t["b3"]) @ t["W4"] + t["b4"])
        F.cross_entropy(a @ t["W5"] + t["b5"], labels).backward()
        return {k: v.grad for k, v in t.items()}

    return step


def lenet_point(seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"W1": (6, 1, 5, 5), "b1": (6,), "W2": (16, 6, 5, 5), "b2": (16,), "W3": (400, 120), "b3": (120,),
              "W4": (120, 84), "b4": (84,), "W5": (84, 10), "b5": (10,)}
    params = {k: rng.standard_normal(s) * (0.3 if k.startswith("W") else 0.1) for k, s in shapes.items()}
    x = rng.standard_normal((BATCH, 1, 28, 28))
    y = np.eye(10)[rng.integers(0, 10, BATCH)]
    return params, x, y


def _agree(mine, theirs, what):
    for key, value in mine.items():
        other = np.asarray(theirs[key])
        if not np.allclose(value, other, rtol=1e-9, atol=1e-12):
            raise SystemExit(f"{what}: {key} differs by {np.max(np.abs(value - other)):.3g}")


def _row(name, functions, rounds, budget):
    per_round = interleaved(functions, rounds, budget)
    row = {"what": name, **{side: min(times) for side, times in per_round.items()}}
    for other in ("hand", "torch"):
        row[f"kernel/{other}"] = statistics.median(
            k / o for k, o in zip(per_round["kernel"], per_round[other], strict=True))
    return row


def conv_rows(rounds, budget):
    import torch
    import torch.nn.functional as F  # noqa: N812

    torch.set_num_threads(1)
    rows = []
    for name, cin, cout, size, pad in CONVS:
        rng = np.random.default_rng(1)
        x, w, b = rng.standard_normal((BATCH, cin, size, size)), rng.standard_normal((cout, cin, 5, 5)), \
            rng.standard_normal(cout)
        g = rng.standard_normal((BATCH, cout, size + 2 * pad - 4, size + 2 * pad - 4))
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        tg = torch.tensor(g)

        def kernel(x=x, w=w, b=b, g=g, pad=pad):
            return conv2d_backward(g, conv2d_forward(x, w, b, padding=pad)[1])

        def hand(x=x, w=w, b=b, g=g, pad=pad):
            return hand_conv_backward(g, w, hand_conv_forward(x, w, b, pad)[1], pad)

        def eager(tx=tx, tw=tw, tb=tb, tg=tg, pad=pad):
            for t in (tx, tw, tb):
                t.grad = None
            F.conv2d(tx, tw, tb, padding=pad).backward(tg)
            return tx.grad, tw.grad, tb.grad

        names = ("dx", "dW", "db")
        _agree(dict(zip(names, kernel(), strict=True)), dict(zip(names, hand(), strict=True)), f"{name}: hand")
        _agree(dict(zip(names, kernel(), strict=True)), {k: t.numpy() for k, t in zip(names, eager(), strict=True)},
               f"{name}: torch")
        rows.append(_row(name, {"kernel": kernel, "hand": hand, "torch": eager}, rounds, budget))
    return rows


def lenet_row(rounds, budget):
    params, x, y = lenet_point()
    eager = torch_lenet(params, x, y)
    mine = kernel_lenet(params, x, y)
    _agree(mine, hand_lenet(params, x, y), "LeNet-5: hand")
    _agree(mine, {k: v.numpy() for k, v in eager().items()}, "LeNet-5: torch")
    return _row("LeNet-5 (whole network)", {"kernel": partial(kernel_lenet, params, x, y),
                                            "hand": partial(hand_lenet, params, x, y), "torch": eager},
                rounds, budget)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timing loops (noisier)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPU(s), "
          f"{platform.machine()}, 1 thread per implementation, MALLOC_MMAP_THRESHOLD_="
          f"{os.environ['MALLOC_MMAP_THRESHOLD_']}")
    budget = 0.5 if args.quick else 2.0
    rows = [*conv_rows(args.rounds, budget), lenet_row(args.rounds, budget)]
    print(f"\nOne forward + backward, float64, batch {BATCH}:\n")
    print("| what | kernel ms | hand numpy ms | torch eager ms | kernel/hand | kernel/torch |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['what']} | {r['kernel'] * 1e3:.2f} | {r['hand'] * 1e3:.2f} | {r['torch'] * 1e3:.2f} | "
              f"{r['kernel/hand']:.2f} | {r['kernel/torch']:.2f} |")
    lenet = rows[-1]
    print(f"\n- LeNet-5: kernels / hand numpy {lenet['kernel/hand']:.2f} (target <= 1.2), "
          f"kernels / torch eager {lenet['kernel/torch']:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
