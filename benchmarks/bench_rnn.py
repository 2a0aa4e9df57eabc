"""The RNN kernel (``backprop_derive/numeric/kernels/rnn.py``) against a hand-written numpy BPTT, forward + backward.

A character-level RNN's recurrent layer: batch N = 64, T = 8 steps, one-hot-sized inputs D = V = 65,
H = 128 hidden.  Times one forward and backward (upstream G given) of:

* ``kernel``: ``rnn_forward`` + ``rnn_backward`` (x W_xh for every t at once, δ carried back, the sums
  over t as one product each);
* ``hand``: what a person writes (below): a loop over t forward, a loop back in time with each
  step's ``dW_hh += h_{t-1}ᵀ δ_t`` inside it.

The two are checked to agree before any timing.  Timing is in interleaved rounds (each round one loop
of each side, the order reversed every other round, so background load falls on both alike); the
table gives the best per call and the median over rounds of each round's ratio kernel / hand.
Target (issue 19): ratio <= 1.2.  One thread (BLAS, OpenMP), and glibc's mmap threshold pinned
(``MALLOC_MMAP_THRESHOLD_``, as in ``bench_layers.py``) so arrays of (N, T, H) come from the heap on
every call instead of fresh pages on some calls.

    python benchmarks/bench_rnn.py [--rounds N] [--budget S]
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
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from backprop_derive.numeric.kernels.rnn import rnn_backward, rnn_forward  # noqa: E402

N, T, D, H = 64, 8, 65, 128
TARGET = 1.2


def hand_rnn(x, W_xh, W_hh, b, G):
    """A hand-written vanilla RNN forward and BPTT (h_0 = 0): returns dx, dW_xh, dW_hh, db."""
    n, steps, _ = x.shape
    hs = [np.zeros((n, W_hh.shape[0]))]
    for t in range(steps):
        hs.append(np.tanh(x[:, t] @ W_xh + hs[-1] @ W_hh + b))
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b)
    dx = np.zeros_like(x)
    dh_next = np.zeros_like(hs[0])
    for t in reversed(range(steps)):
        dh = G[:, t] + dh_next
        draw = dh * (1 - hs[t + 1] ** 2)
        dW_xh += x[:, t].T @ draw
        dW_hh += hs[t].T @ draw
        db += draw.sum(axis=0)
        dx[:, t] = draw @ W_xh.T
        dh_next = draw @ W_hh.T
    return dx, dW_xh, dW_hh, db


def kernel_rnn(x, W_xh, W_hh, b, G):
    _, cache = rnn_forward(x, W_xh, W_hh, b)
    return rnn_backward(G, cache)


def interleaved(functions: dict, rounds: int, budget: float) -> dict:
    """Per implementation, every round's seconds per call; rounds alternate the order."""
    loops = {}
    for name, function in functions.items():
        function()  # warm up
        start = time.perf_counter()
        function()
        loops[name] = max(1, int(budget / rounds / max(time.perf_counter() - start, 1e-7)))
    per_round = {name: [] for name in functions}
    order = list(functions)
    for turn in range(rounds):
        for name in order if turn % 2 == 0 else reversed(order):
            function, count = functions[name], loops[name]
            start = time.perf_counter()
            for _ in range(count):
                function()
            per_round[name].append((time.perf_counter() - start) / count)
    return per_round


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--budget", type=float, default=4.0, help="seconds per side, all rounds together")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = np.eye(D)[rng.integers(0, D, (N, T))]  # one-hot characters
    arrays = (x, rng.standard_normal((D, H)) * 0.1, rng.standard_normal((H, H)) * 0.1, np.zeros(H),
              rng.standard_normal((N, T, H)))
    for mine, theirs in zip(kernel_rnn(*arrays), hand_rnn(*arrays), strict=True):
        assert np.allclose(mine, theirs, rtol=1e-12, atol=1e-12), "kernel and hand-written BPTT disagree"
    times = interleaved({"kernel": lambda: kernel_rnn(*arrays), "hand": lambda: hand_rnn(*arrays)},
                        args.rounds, args.budget)
    ratio = statistics.median(k / h for k, h in zip(times["kernel"], times["hand"], strict=True))
    print(f"RNN forward + backward, N = {N}, T = {T}, D = {D}, H = {H}, one thread, {args.rounds} rounds")
    print(f"  kernel  best {min(times['kernel']) * 1e6:8.1f} µs")
    print(f"  hand    best {min(times['hand']) * 1e6:8.1f} µs")
    print(f"  kernel / hand (median of rounds): {ratio:.2f}  (target <= {TARGET})")


if __name__ == "__main__":
    main()
