"""The note's network and two larger ones: generated backprop against hand-written numpy, PyTorch, autograd, JAX.

In one run, for 70-10-10-3 (batch 64), 784-256-256-10 (batch 256) and 784-1024-1024-10 (batch 1024),
ReLU, ReLU, softmax cross-entropy (mean), float64 and float32, times one gradient evaluation (forward
and backward) of:

* ``generated``: the module ``derive codegen`` writes (``backprop_derive.numeric.compile.compile_network``);
* ``hand``: the numpy backprop a person writes by hand (below);
* ``gemm``: only the eight matrix products any backprop of this network does (3 forward, 3 for the
  weights, 2 for the hidden layers) -- a floor;
* ``torch`` (eager, tensors prepared once), ``autograd`` and ``jax`` (jit) when installed.

and prints ratios.  Targets (issue 3): generated <= 1.1 x hand at every size, <= 0.5 x PyTorch eager on
the note's network, <= 1.3 x the GEMM-only time at the largest size.  The symbolic side: time to
derive and prove the default network, ``derive`` end to end, and ``derive show NAME`` per catalog entry
(whole processes).  Each time is the best of several timed loops, the implementations taken in turns.
Every implementation runs on BENCH_THREADS threads (default 1: BLAS, OpenMP and PyTorch alike), which
keeps the ratios steady on a machine shared with other jobs; set BENCH_THREADS to compare multi-threaded.

    python benchmarks/bench_network.py [--quick] [--no-show]
"""

from __future__ import annotations

import os

THREADS = os.environ.setdefault("BENCH_THREADS", "1")
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS  # before numpy loads its BLAS

import argparse  # noqa: E402 - after the thread settings
import importlib.util  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from functools import partial  # noqa: E402

import numpy as np  # noqa: E402
from wall_clock import wall  # noqa: E402

from backprop_derive.core.catalog import CATALOG  # noqa: E402
from backprop_derive.network.backprop import backprop  # noqa: E402
from backprop_derive.network.proof import prove_network  # noqa: E402
from backprop_derive.network.spec import NetworkSpec  # noqa: E402
from backprop_derive.numeric.compile import compile_network  # noqa: E402
from backprop_derive.numeric.points import sample_point  # noqa: E402
from backprop_derive.numeric.references import autograd_loss  # noqa: E402

SIZES = (((70, 10, 10, 3), 64), ((784, 256, 256, 10), 256), ((784, 1024, 1024, 10), 1024))


def seconds_per_call(functions: dict, budget: float = 0.5, repeats: int = 7) -> dict:
    """Seconds per call of each function: the best of ``repeats`` timed loops, taken in turns.

    Each loop lasts about ``budget / repeats`` s.  Taking the functions in turns, round after round,
    exposes them to the same background load; the minimum is the time with the least interference.
    """
    loops = {}
    for name, function in functions.items():
        start = time.perf_counter()
        function()
        loops[name] = max(1, int(budget / repeats / max(time.perf_counter() - start, 1e-7)))
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            for _ in range(loops[name]):
                function()
            best[name] = min(best[name], (time.perf_counter() - start) / loops[name])
    return best


def hand_backprop(params, X, Y):
    """What a person writes: ReLU, ReLU, softmax cross-entropy (mean), rows are samples."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    A2 = np.maximum(Z2, 0)
    Z3 = A2 @ W3 + b3
    E = np.exp(Z3 - Z3.max(axis=1, keepdims=True))
    d3 = (E / E.sum(axis=1, keepdims=True) - Y) / n
    d2 = (d3 @ W3.T) * (Z2 > 0)
    d1 = (d2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ d1, "b1": d1.sum(axis=0), "W2": A1.T @ d2, "b2": d2.sum(axis=0),
            "W3": A2.T @ d3, "b3": d3.sum(axis=0)}


def gemm_only(params, X, Y):
    """The eight matrix products of one forward and backward pass, nothing else."""
    W1, W2, W3 = params["W1"], params["W2"], params["W3"]
    A1 = X @ W1
    A2 = A1 @ W2
    Z3 = A2 @ W3
    d2 = Z3 @ W3.T
    d1 = d2 @ W2.T
    return X.T @ d1, A1.T @ d2, A2.T @ Z3


def torch_step(params, X, Y):
    import torch
    import torch.nn.functional as F  # noqa: N812

    torch.set_num_threads(int(THREADS))
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    inputs, labels = torch.tensor(X), torch.tensor(Y)

    def step():
        for t in tensors.values():
            t.grad = None
        a = F.relu(inputs @ tensors["W1"] + tensors["b1"])
        a = F.relu(a @ tensors["W2"] + tensors["b2"])
        F.cross_entropy(a @ tensors["W3"] + tensors["b3"], labels).backward()
        return {k: t.grad for k, t in tensors.items()}

    return step


def jax_step(spec, params, X, Y):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def loss(p, x, y):
        a = jax.nn.relu(x @ p["W1"] + p["b1"])
        a = jax.nn.relu(a @ p["W2"] + p["b2"])
        return -jnp.sum(y * jax.nn.log_softmax(a @ p["W3"] + p["b3"], axis=1)) / x.shape[0]

    gradient = jax.jit(jax.grad(loss))
    p, x, y = ({k: jnp.asarray(v) for k, v in params.items()}, jnp.asarray(X), jnp.asarray(Y))
    return lambda: jax.block_until_ready(gradient(p, x, y))


def network_rows(budget: float) -> list[dict]:
    from autograd import grad

    has_torch = importlib.util.find_spec("torch") is not None
    has_jax = importlib.util.find_spec("jax") is not None
    rows = []
    for layers, batch in SIZES:
        spec = NetworkSpec(layers, ("relu", "relu"), "softmax_cce", "mean")
        generated = compile_network(spec).gradients
        autograd_gradient = grad(autograd_loss(spec))
        for dtype in ("float64", "float32"):
            point = sample_point(spec, batch, seed=0, dtype=dtype, kink_margin=0)
            params, X, Y = point.params, point.X, point.Y
            mine, theirs = generated(params, X, Y), hand_backprop(params, X, Y)
            assert all(np.allclose(mine[k], theirs[k], rtol=1e-3, atol=1e-6) for k in mine), "hand != generated"
            row = {"network": "-".join(map(str, layers)), "batch": batch, "dtype": dtype}
            functions = {name: partial(function, params, X, Y) for name, function in (
                ("gemm", gemm_only), ("hand", hand_backprop), ("generated", generated),
                ("autograd", autograd_gradient))}
            if has_torch:
                functions["torch"] = torch_step(params, X, Y)
            if has_jax:
                functions["jax"] = jax_step(spec, params, X, Y)
            row.update({"torch": None, "jax": None, **seconds_per_call(functions, budget)})
            rows.append(row)
    return rows


def _ms(value) -> str:
    return "n/a" if value is None else f"{value * 1e3:.3f}"


def _ratio(a, b) -> str:
    return "n/a" if a is None or b is None else f"{a / b:.2f}"


def print_network_table(rows: list[dict]) -> None:
    print("| network | batch | dtype | GEMM only ms | hand numpy ms | generated ms | torch ms | autograd ms | jax ms "
          "| gen/hand | gen/torch | hand/torch | gen/GEMM |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['network']} | {r['batch']} | {r['dtype']} | {_ms(r['gemm'])} | {_ms(r['hand'])} | "
              f"{_ms(r['generated'])} | {_ms(r['torch'])} | {_ms(r['autograd'])} | {_ms(r['jax'])} | "
              f"{_ratio(r['generated'], r['hand'])} | {_ratio(r['generated'], r['torch'])} | "
              f"{_ratio(r['hand'], r['torch'])} | {_ratio(r['generated'], r['gemm'])} |")
    worst_hand = max(r["generated"] / r["hand"] for r in rows)
    print(f"\n- generated / hand, worst over sizes: {worst_hand:.2f} (target <= 1.1)")
    note = [r for r in rows if r["network"] == "70-10-10-3" and r["torch"]]
    if note:
        print("- generated / torch eager on the note's network: " + _per_dtype(note, "torch") + " (target <= 0.5)")
    largest = [r for r in rows if r["network"] == "784-1024-1024-10"]
    print("- generated / GEMM only at the largest size: " + _per_dtype(largest, "gemm") + " (target <= 1.3)")


def _per_dtype(rows: list[dict], against: str) -> str:
    return ", ".join("{} {:.2f}".format(r["dtype"], r["generated"] / r[against]) for r in rows)


def print_symbolic(show: bool) -> None:
    spec = NetworkSpec()
    start = time.perf_counter()
    backprop(spec)
    proof = prove_network(spec)
    derive_and_prove = time.perf_counter() - start
    print(f"- derive and prove the default network (in process, first call): {derive_and_prove:.2f} s "
          f"(proof {proof.seconds:.2f} s, target < 2 s; proved: {proof.proved})")
    end_to_end, _ = wall([sys.executable, "-m", "backprop_derive"])
    print(f"- `derive` end to end (whole process: equations, proof, autograd/torch/fd comparison): "
          f"{end_to_end:.2f} s (target < 10 s)")
    if show:
        times = {name: wall([sys.executable, "-m", "backprop_derive", "show", name])[0] for name in CATALOG}
        print("- `derive show NAME` (whole process, s): " + ", ".join(f"{k} {v:.2f}" for k, v in times.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timing loops (noisier)")
    parser.add_argument("--no-show", action="store_true", help="skip timing `derive show` per catalog entry")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPU(s), "
          f"{platform.machine()}, {THREADS} thread(s) per implementation")
    print("\nSymbolic side:")
    print_symbolic(not args.no_show)
    print("\nOne gradient evaluation (forward + backward), ReLU, ReLU, softmax_cce (mean):\n")
    print_network_table(network_rows(0.3 if args.quick else 1.0))


if __name__ == "__main__":
    main()
