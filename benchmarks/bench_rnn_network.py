"""The character RNN: the generated backprop against a hand-written numpy BPTT.

One gradient evaluation (forward and backward, all five parameters) of one-hot characters
(N = 64, T = 8, V = 65) → rnn(hidden H = 128) → dense(V) on every step → softmax cross-entropy over
the N·T rows (mean), float64, one thread, the implementations taken in turns in one run
(``bench_network.seconds_per_call``):

* ``generated``: the module ``derive codegen --spec`` writes for this network (the spec is
  ``examples/networks/char_rnn.toml`` at these sizes, built with the Python builder);
* ``hand``: the network as a person writes it in numpy: x_t W_xh + b for every t in one product, the
  loop over t for h_t = tanh(… + h_{t-1} W_hh), the dense layer and the softmax on the (N·T, V) rows,
  then δ_t = (G_t + δ_{t+1} W_hhᵀ) ⊙ (1 − h_t²) back in time and each sum over t as one product.

Target (issue 19): generated <= 1.2 x hand.  Both sides are checked to agree before timing.

    python benchmarks/bench_rnn_network.py [--quick]
"""

from __future__ import annotations

import os

THREADS = os.environ.setdefault("BENCH_THREADS", "1")
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS  # before numpy loads its BLAS

import argparse  # noqa: E402 - after the thread settings
import platform  # noqa: E402

import numpy as np  # noqa: E402
from bench_network import seconds_per_call  # noqa: E402

from backprop_derive.numeric.sequential.gradients import parameters  # noqa: E402
from backprop_derive.numeric.sequential.program import compile_sequential  # noqa: E402
from backprop_derive.numeric.sequential.spec import Sequential, layer  # noqa: E402

BATCH, STEPS, VOCAB, HIDDEN = 64, 8, 65, 128
SPEC = Sequential("char_rnn", (STEPS, VOCAB), (layer("rnn", hidden=HIDDEN), layer("dense", out=VOCAB)))


def hand_gradients(params, X, Y):
    """The char-RNN's gradients by hand: forward over t, softmax cross-entropy (mean over N·T), BPTT."""
    W_xh, W_hh, b, W, c = params["W_xh1"], params["W_hh1"], params["b1"], params["W2"], params["b2"]
    N, T, V = X.shape
    H = W_hh.shape[0]
    xs = X.reshape(N * T, V)
    inputs = (xs @ W_xh + b).reshape(N, T, H)
    hs = np.empty((N, T, H))
    h = np.zeros((N, H))
    for t in range(T):
        h = np.tanh(inputs[:, t] + h @ W_hh)
        hs[:, t] = h
    rows = hs.reshape(N * T, H)
    z = rows @ W + c
    e = np.exp(z - z.max(axis=1, keepdims=True))
    dz = (e / e.sum(axis=1, keepdims=True) - Y.reshape(N * T, V)) / (N * T)
    G = (dz @ W.T).reshape(N, T, H)
    delta = np.empty((N, T, H))
    carried = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        d = (G[:, t] + carried) * (1 - hs[:, t] ** 2)
        delta[:, t] = d
        carried = d @ W_hh.T
    deltas = delta.reshape(N * T, H)
    previous = np.concatenate([np.zeros((N, 1, H)), hs[:, :-1]], axis=1).reshape(N * T, H)
    return {"W_xh1": xs.T @ deltas, "W_hh1": previous.T @ deltas, "b1": deltas.sum(axis=0),
            "W2": rows.T @ dz, "b2": dz.sum(axis=0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timing loops (noisier)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    params = parameters(SPEC, rng)
    X = np.eye(VOCAB)[rng.integers(0, VOCAB, (BATCH, STEPS))]  # one-hot characters
    Y = np.eye(VOCAB)[rng.integers(0, VOCAB, (BATCH, STEPS))]
    generated = compile_sequential(SPEC).gradients
    ours, hand = generated(params, X, Y), hand_gradients(params, X, Y)
    worst = max(float(np.abs(ours[k] - hand[k]).max() / np.abs(hand[k]).max()) for k in hand)
    if worst > 1e-10:
        raise SystemExit(f"generated and hand-written gradients differ: max rel {worst:.1e}")
    functions = {"generated": lambda: generated(params, X, Y), "hand": lambda: hand_gradients(params, X, Y)}
    times = seconds_per_call(functions, budget=1.0 if args.quick else 3.0)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPU(s), "
          f"{platform.machine()}, {THREADS} thread(s) per implementation")
    print(f"char-RNN ({SPEC.summary()}), batch {BATCH}, float64, one gradient evaluation; "
          f"generated vs hand max rel difference {worst:.1e}\n")
    print("| implementation | ms per call | generated / it |")
    print("|---|---:|---:|")
    for name, seconds in times.items():
        print(f"| {name} | {1e3 * seconds:.2f} | {times['generated'] / seconds:.2f} |")
    print(f"\n- generated / hand: {times['generated'] / times['hand']:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
