"""How long `derive verify FILE` takes on a file of 20 claims, whole process.

Target (issue 4): under 10 s.  The file mixes true and false claims across the catalog: derivatives
of activations, identities, near-misses off by 1e-9, softmax and cross-entropy for a symbolic K and
for K = 3.  Times are medians of a few runs; the ratio to a bare `python -c "import sympy"` says how
much is our own work rather than start-up.

    python benchmarks/bench_verify.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from wall_clock import wall

CLAIMS = [
    r"\frac{d}{dx}\sigma(x) = \sigma(x)\left(1-\sigma(x)\right)",
    r"\frac{d}{dx}\sigma(x) = \sigma(x)\cdot\sigma(x)",
    r"\frac{d}{dx}\tanh(x) = \frac{4}{(e^{x}+e^{-x})^{2}}",
    r"\frac{d}{dx}\tanh x = \frac{1}{(e^{x}+e^{-x})^{2}}",
    r"\frac{d}{dx}\max(0, x) = \begin{cases} 0 & x < 0 \\ 1 & x > 0 \end{cases}",
    r"\frac{d}{dx}\operatorname{softplus}(x) = \frac{e^{x}}{1+e^{x}}",
    r"\frac{d}{dx}\operatorname{SiLU}(x) = \sigma(x)\left(1 + x(1-\sigma(x))\right)",
    r"\frac{d}{dx}\operatorname{GELU}(x) = \Phi(x) + x\,\varphi(x)",
    r"\frac{d}{dx}\operatorname{ELU}(x) = \begin{cases} e^{x} & x < 0 \\ 1 & x > 0 \end{cases}",
    r"\frac{d^2}{dx^2}\sigma(x) = \sigma(x)(1-\sigma(x))(1-2\sigma(x))",
    r"\tanh(x) = 2\sigma(2x) - 1",
    r"\log(1+e^{x}) = x + \log(1+e^{-x})",
    r"\frac{d}{dx}\sigma(x) = \sigma(x)(1-\sigma(x)) + 0.000000001",
    r"\frac{1}{(e^{x} + e^{-x})^{2}} = \frac{1}{(e^{x} + e^{x})^{2}}",
    r"\frac{\partial}{\partial z_k} \log \sum_{j=1}^{K} e^{z_j} = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}",
    r"\frac{\partial}{\partial z_k} \operatorname{softmax}(z)_i = \operatorname{softmax}(z)_i \left(\delta_{ik} - "
    r"\operatorname{softmax}(z)_k\right)",
    r"\frac{\partial}{\partial z_k} \left(-\sum_{i=1}^{K} y_i \log \operatorname{softmax}(z)_i\right) = "
    r"\operatorname{softmax}(z)_k \sum_{i=1}^{K} y_i - y_k",
    r"\frac{\partial}{\partial z_2} \log \sum_{j=1}^{3} e^{z_j} = \frac{e^{z_1}}{e^{z_1}+e^{z_2}+e^{z_3}}",
    r"\frac{\partial}{\partial z_k} \frac{1}{K}\sum_{i=1}^{K} (z_i - y_i)^2 = \frac{2}{K}(z_k - y_k)",
    r"\frac{d}{dz}\left(-\left(y \log\sigma(z) + (1-y)\log(1-\sigma(z))\right)\right) = \sigma(z) - y",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assert len(CLAIMS) == 20
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.md"
        path.write_text("\n\n".join(f"$${claim}$$" for claim in CLAIMS) + "\n")
        baseline, _ = wall([sys.executable, "-c", "import sympy"], args.repeat)
        argv = [sys.executable, "-m", "backprop_derive", "verify", str(path), "--json"]
        seconds, done = wall(argv, args.repeat, check=False)
    summary = json.loads(done.stdout)["summary"]
    steps = sum(summary.values())
    print(f"{'run':<34} {'seconds':>8} {'x import sympy':>15}")
    print(f"{'(import sympy)':<34} {baseline:8.3f} {1.0:15.2f}")
    print(f"{'derive verify, 20 claims':<34} {seconds:8.3f} {seconds / baseline:15.2f}")
    print(f"steps: {steps}, verdicts: {summary}, exit code {done.returncode}")
    print(f"per step: {seconds / steps:.3f} s; target < 10 s for the file: {'met' if seconds < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
