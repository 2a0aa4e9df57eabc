"""Independent checker for the layers corpus (does not import the project; copied from the networks corpus lib).

Each side of a chain is modelled by hand as a SymPy expression of an environment ``E``
(concrete index values, concrete vector lengths). A step is equal when the two models agree to
1e-25 (relative) at random points, at 40 digits, for every index assignment allowed for it.
"""
from __future__ import annotations

import itertools
import random

import mpmath
import sympy as sp

mpmath.mp.dps = 50


def R(name):
    return sp.Symbol(name, real=True)


def vec(name, n):
    return [R(f"{name}{k}") for k in range(1, n + 1)]


exp, log, sqrt = sp.exp, sp.log, sp.sqrt


def sig(t):
    return 1 / (1 + sp.exp(-t))


class Env:
    """Concrete instance: K classes (1-based indices i, j, k...), vectors as symbol lists."""

    def __init__(self, K=4, **idx):
        self.K = K
        for k, v in idx.items():
            setattr(self, k, v)
        self.idx = idx
        self._vectors = {}
        self.constraints = {}

    def v(self, name, n=None):
        n = n or self.K
        key = (name, n)
        if key not in self._vectors:
            self._vectors[key] = vec(name, n)
        return self._vectors[key]

    def el(self, name, i, n=None):
        return self.v(name, n)[i - 1]

    def softmax(self, name, i, n=None):
        zs = self.v(name, n)
        return sp.exp(zs[i - 1]) / sum(sp.exp(t) for t in zs)

    def S(self, name, n=None):
        return sum(sp.exp(t) for t in self.v(name, n))

    def __repr__(self):
        return f"Env(K={self.K}, {self.idx})"


def envs(K=4, names=(), cond=None):
    """All index assignments of ``names`` in 1..K satisfying cond(dict)."""
    out = []
    for values in itertools.product(range(1, K + 1), repeat=len(names)):
        d = dict(zip(names, values))
        if cond is None or cond(d):
            out.append(Env(K, **d))
    if not names:
        out = [Env(K)]
    return out


def _sample(sym, rng):
    n = sym.name
    if n.startswith(("s2", "var")):
        return mpmath.mpf(rng.uniform(0.5, 2.0))
    if n.startswith("eps"):
        return mpmath.mpf(rng.uniform(0.01, 0.2))
    if n.startswith(("p", "yhat", "t")) and not n.startswith("tau"):
        return mpmath.mpf(rng.uniform(0.05, 0.95))
    return mpmath.mpf(rng.uniform(-1.5, 1.5))


def evaluate(expr, point):
    expr = sp.sympify(expr)
    if expr.has(sp.Derivative):
        expr = expr.doit()
    val = expr.xreplace({k: sp.Float(str(v), 60) for k, v in point.items()}).evalf(45)
    return complex(val) if not val.is_real else val


def compare(a, b, env, points=6, seed=0, constrain=None):
    """'equal' or 'not_equal' (with a sample difference)."""
    rng = random.Random(seed)
    a = sp.sympify(a)
    b = sp.sympify(b)
    if a.has(sp.Derivative):
        a = a.doit()
    if b.has(sp.Derivative):
        b = b.doit()
    diff = a - b
    free = sorted(diff.free_symbols | a.free_symbols | b.free_symbols, key=lambda s: s.name)
    worst = 0
    for _ in range(points):
        point = {s: _sample(s, rng) for s in free}
        if constrain is not None:
            point = constrain(point, env)
        subs = {k: sp.Float(str(v), 60) for k, v in point.items()}
        va = a.xreplace(subs).evalf(45)
        vb = b.xreplace(subs).evalf(45)
        d = abs(sp.N(va - vb, 45))
        scale = max(1, abs(sp.N(va, 45)), abs(sp.N(vb, 45)))
        rel = d / scale
        if rel > worst:
            worst = rel
    return ("equal" if worst < 1e-25 else "not_equal"), float(worst)


def step_verdict(models, s, env_list, constrain=None):
    """Verdict for step s (models[s] = models[s+1]) over all envs: not_equal if any env differs."""
    worst = 0.0
    for env in env_list:
        a = models[s](env)
        b = models[s + 1](env)
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            A = a if isinstance(a, sp.MatrixBase) else sp.Matrix([[a]])
            B = b if isinstance(b, sp.MatrixBase) else sp.Matrix([[b]])
            if A.shape != B.shape:
                # sides of different shapes (a vector said to equal a matrix): never equal
                worst = max(worst, 1.0)
                continue
            results = [compare(A[r, c], B[r, c], env, constrain=constrain) for r in range(A.rows) for c in range(A.cols)]
            v = max(r[1] for r in results)
        else:
            v = compare(a, b, env, constrain=constrain)[1]
        worst = max(worst, v)
    return ("equal" if worst < 1e-25 else "not_equal"), worst


def sum_to_one(prefix):
    """Constrain: the env's vector ``prefix`` (all K entries, positive) sums to 1."""

    def c(point, env):
        keys = env.v(prefix)
        vals = [abs(point.get(k, mpmath.mpf("0.3"))) + mpmath.mpf("0.05") for k in keys]
        total = sum(vals)
        for k, v in zip(keys, vals):
            point[k] = v / total
        return point

    return c
