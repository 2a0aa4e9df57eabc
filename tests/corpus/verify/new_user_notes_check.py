"""Independent check of new_user_notes.md: each step encoded by hand in plain SymPy (no project code), decided by
simplification to 0 and by mpmath at 50 digits at random points; exit 1 where an ``expect`` comment disagrees.

    python tests/corpus/verify/new_user_notes_check.py
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import mpmath
import sympy as sp

NOTES = Path(__file__).with_name("new_user_notes.md")
x, w, b, u = sp.symbols("x w b u", real=True)
o1, o2, o3, y1, y2 = sp.symbols("o1 o2 o3 y1 y2", real=True)
y3 = 1 - y1 - y2  # one-hot labels: y1 + y2 + y3 = 1


def sigma(v):
    return 1 / (1 + sp.exp(-v))


z = w * x + b
a = sigma(z)
s = sp.Symbol("s", real=True)
dsigma = sp.diff(sigma(s), s)  # sigma'(s), then evaluated at the argument
exps = [sp.exp(o1), sp.exp(o2), sp.exp(o3)]
p = [e / sum(exps) for e in exps]
L = -(y1 * sp.log(p[0]) + y2 * sp.log(p[1]) + y3 * sp.log(p[2]))
relu = sp.Piecewise((0, u <= 0), (u, True))

#: Each display block of the notes: its steps as (left, right) pairs, in order.
BLOCKS = [
    [(sp.diff(a, w), dsigma.subs(s, z) * sp.diff(z, w)), (dsigma.subs(s, z) * sp.diff(z, w), a * (1 - a) * x)],
    [(sp.diff(a, b), dsigma.subs(s, z) * sp.diff(z, b)), (dsigma.subs(s, z) * sp.diff(z, b), a - a**2)],
    [(sp.diff(a, w), dsigma.subs(s, z))],  # slip: the inner derivative x dropped
    [(dsigma.subs(s, u), sigma(u) * (1 - sigma(u)))],
    [(sp.diff(sp.tanh(u), u), 1 - sp.tanh(u) ** 2), (1 - sp.tanh(u) ** 2, 4 / (sp.exp(u) + sp.exp(-u)) ** 2)],
    [(sp.diff(sp.tanh(u), u), 1 - sp.tanh(u) ** 2)],
    [(sp.diff(relu, u), sp.Piecewise((1, u > 0), (0, True)))],
    [(sp.diff(L, o2), -(y1 / p[0] * sp.diff(p[0], o2) + y2 / p[1] * sp.diff(p[1], o2) + y3 / p[2] * sp.diff(p[2], o2))),
     (-(y1 / p[0] * sp.diff(p[0], o2) + y2 / p[1] * sp.diff(p[1], o2) + y3 / p[2] * sp.diff(p[2], o2)), p[1] - y2)],
    [(sp.diff(L, o2), y2 - p[1])],  # slip: the sign
]


def decide(lhs: sp.Expr, rhs: sp.Expr, rng: random.Random) -> str:
    """``equal`` when lhs - rhs simplifies to 0 and is 0 at 20 random points (50 digits); else ``not_equal``."""
    difference = lhs - rhs
    variables = sorted(difference.free_symbols, key=str)
    numeric = sp.lambdify(variables, difference, "mpmath")
    mpmath.mp.dps = 50
    for _ in range(20):
        point = [mpmath.mpf(rng.uniform(-3, 3)) for _ in variables]
        if abs(numeric(*point)) > mpmath.mpf(10) ** -30:
            return "not_equal"
    return "equal" if sp.simplify(sp.piecewise_fold(difference)) == 0 else "not_equal"


def expected() -> list[list[str]]:
    text = NOTES.read_text(encoding="utf-8")
    return [m.group(1).split() for m in re.finditer(r"<!-- expect: (.*?) -->", text)]


def main() -> int:
    rng = random.Random(9)
    got = [[decide(lhs, rhs, rng) for lhs, rhs in block] for block in BLOCKS]
    want = expected()
    for n, (g, e) in enumerate(zip(got, want, strict=False)):
        print(f"block {n + 1}: {' '.join(g):<24} {'' if g == e else '<-- expect says ' + ' '.join(e)}")
    if len(got) != len(want):
        print(f"{len(want)} expect comments, {len(got)} blocks encoded")
    return 0 if got == want else 1


if __name__ == "__main__":
    sys.exit(main())
