"""Hand encodings of ``redteam_prose.md``, ``redteam_misread.md`` and ``redteam_relations.md``.

Prose: every block is decided without the premise the trick tries to smuggle in (the claim in general), but
the three asserted controls at the end, decided under what they assert.  Misreadings: a derivative of order
above 4 is an error by design; a claim under a product condition is unknown by design, and it is checked here
that the claim is false on the condition's other branch (so "equal" would be wrong); the author's δ is
substituted by its definition.  Relations: each region is an error by design, and the claim it writes is
checked to be false (so a silent pass would hide a wrong step).
"""

from __future__ import annotations

import sympy as sp
from redteam_check import Design, Eq, claim

x, y, z = sp.symbols("x y z", real=True)
(al, be, ga, th, la, mu, rho, tau, eta, ka, xi, ze, psi, chi, om, phi, nu, vphi, vth, eps, veps, a, b, c) = sp.symbols(
    "alpha beta gamma theta lambda mu rho tau eta kappa xi zeta psi chi omega phi nu varphi vartheta epsilon "
    "varepsilon a b c", real=True)
K = 3
p = sp.symbols("p1:4", real=True)
q = sp.symbols("q1:4", real=True)
d = sp.diff

PROSE = [
    claim(r"\alpha^2 + \alpha = 0", Eq(al**2 + al, 0)),
    claim(r"\beta^2 = \beta", Eq(be**2, be)),
    claim(r"\gamma \theta + \gamma = 0", Eq(ga * th + ga, 0)),
    claim(r"2 \sum_{k=1}^{K} p_k = 2", Eq(2 * sum(p), 2)),
    claim(r"\lambda^3 = \lambda^2", Eq(la**3, la**2)),
    claim(r"\mu^2 + \mu = 0", Eq(mu**2 + mu, 0)),
    claim(r"\rho^3 + \rho = 0", Eq(rho**3 + rho, 0)),
    claim(r"\tau^2 = 3\tau", Eq(tau**2, 3 * tau)),
    claim(r"\eta^2 + 2\eta = 0", Eq(eta**2 + 2 * eta, 0)),
    claim(r"\kappa^3 + 4\kappa = 0", Eq(ka**3 + 4 * ka, 0)),
    claim(r"\xi^2 + 5\xi = 0", Eq(xi**2 + 5 * xi, 0)),
    claim(r"\zeta^2 + 6\zeta = 0", Eq(ze**2 + 6 * ze, 0)),
    claim(r"\psi^2 + 7\psi = 0", Eq(psi**2 + 7 * psi, 0)),
    claim(r"\chi^2 + 8\chi = 0", Eq(chi**2 + 8 * chi, 0)),
    claim(r"\omega^2 + \omega = 6", Eq(om**2 + om, 6)),
    claim(r"\phi^2 = \phi", Eq(phi**2, phi)),
    claim(r"\nu^2 + 9\nu = 0", Eq(nu**2 + 9 * nu, 0)),
    claim(r"\varphi^2 + 10\varphi = 0", Eq(vphi**2 + 10 * vphi, 0)),
    claim(r"\vartheta^2 = \vartheta", Eq(vth**2, vth)),
    claim(r"3 \sum_{k=1}^{K} q_k = 3", Eq(3 * sum(q), 3)),
    claim(r"\epsilon^2 = \epsilon", Eq(eps**2, eps)),
    claim(r"\varepsilon^2 + 11\varepsilon = 0", Eq(veps**2 + 11 * veps, 0)),
    claim(r"a^2 + 12a = 0", Eq((a**2 + 12 * a).subs(a, 0), 0)),  # "We assume $a = 0$"
    claim(r"b^2 = b", Eq(sp.Integer(1) ** 2, 1)),  # "Let $b = 1$"
    claim(r"c^2 + 13c = 0", Eq((c**2 + 13 * c).subs(c, 0), 0)),  # "If $c = 0$:"
]


def on_branch(lhs: sp.Expr, rhs: sp.Expr, branch: dict) -> Design:
    """A claim under a product condition: unknown by design; it must fail on ``branch`` (the other factor 0)."""
    outcome = Eq(lhs.subs(branch), rhs.subs(branch)).decide()
    assert outcome.verdict == "not_equal", (lhs, rhs, branch, outcome)
    return Design("unknown", f"product condition left unsolved; the claim fails where {branch}: {outcome.why[:60]}")


w, xx, aa, bb, pp, qq, r, s, t, u, v, g, h, m1, m2, cc, dd, yy, zz, ss, k, ll = sp.symbols(
    "w x a b p q r s t u v g h m1 m2 c d y z s2 k l", real=True)
ai = sp.symbols("a1:4", real=True)
bj = sp.symbols("b1:4", real=True)
xj = sp.symbols("x1:4", real=True)


def own_delta(i, j):
    return ai[i - 1] * bj[j - 1]


MISREAD = [
    claim(r"\frac{d^{10}}{dx^{10}} x^3 = 3x^2", Design("error", "order 10 > 4; read as order 1 it would be 'equal'")),
    claim(r"\frac{d^{11}}{dx^{11}} x^3 = 3x^2", Design("error", "order 11 > 4")),
    claim(r"\frac{d^{12}}{dx^{12}} x^4 = 4x^3", Design("error", "order 12 > 4")),
    claim(r"\frac{d^{20}}{dx^{20}} x^3 = 6x", Design("error", "order 20 > 4; read as order 2 it would be 'equal'")),
    claim(r"\frac{d^{13}}{dx^{13}} x^5 = 20x^3", Design("error", "order 13 > 4")),
    claim(r"\frac{d^{10} y}{dx^{10}} = 0", Design("error", "order 10 > 4")),
    claim(r"\frac{\partial^{10}}{\partial x^{10}} x^3 = 3x^2", Design("error", "order 10 > 4")),
    claim(r"\frac{d^{21}}{dx^{21}} \sin x = \cos x", Design("error", "order 21 > 4")),
    claim(r"\frac{d^{10}}{dx^{10}} e^{2x} = 2 e^{2x}", Design("error", "order 10 > 4")),
    claim(r"\frac{d^{14}}{dx^{14}} x^5 = 5 x^4", Design("error", "order 14 > 4")),
    claim(r"\frac{d^{2}}{dx^{2}} x^3 = 6x", Eq(d(x**3, x, 2), 6 * x)),
    claim(r"w^2 + w = 0", on_branch(w**2 + w, sp.Integer(0), {xx: 0, w: 1})),
    claim(r"b^2 + b = 0", on_branch(bb**2 + bb, sp.Integer(0), {aa: 0, bb: 1})),
    claim(r"q^2 = q", on_branch(qq**2, qq, {pp: 0, qq: 2})),
    claim(r"r^2 + 3r = 0", on_branch(r**2 + 3 * r, sp.Integer(0), {s: 0, r: 1})),
    claim(r"u^3 = 2u", on_branch(u**3, 2 * u, {v: 0, u: 1})),
    claim(r"h^2 + 2h = 0", on_branch(h**2 + 2 * h, sp.Integer(0), {g: 0, h: 1})),
    claim(r"m_1^2 + m_1 = 0", on_branch(m1**2 + m1, sp.Integer(0), {m2: 0, m1: 1})),
    claim(r"c^2 = c", on_branch(cc**2, cc, {dd: 0, cc: 2})),
    claim(r"y^2 + 5y = 0", on_branch(yy**2 + 5 * yy, sp.Integer(0), {ss: 0, yy: 1})),
    claim(r"k^3 + k = 0", on_branch(k**3 + k, sp.Integer(0), {ll: 0, k: 1})),
    claim(r"\delta_{ii} = 1", Eq(own_delta(2, 2), 1)),
    claim(r"\sum_{j=1}^{3} \delta_{ij} x_j = x_i", Eq(sum(own_delta(1, j) * xj[j - 1] for j in (1, 2, 3)), xj[0])),
    claim(r"\delta_{12} = 0", Eq(own_delta(1, 2), 0)),
    claim(r"\delta_{ij} \delta_{jk} = \delta_{ik}", Eq(own_delta(1, 2) * own_delta(2, 3), own_delta(1, 3))),
    claim(r"\delta_{ij} = a_i b_j", Eq(own_delta(1, 2), ai[0] * bj[1])),
]


def unjudged(snippet: str, lhs: sp.Expr, rhs: sp.Expr) -> object:
    """A relation verify does not judge: an error by design; the claim itself is false (a silent pass hides it)."""
    outcome = Eq(lhs, rhs).decide()
    assert outcome.verdict == "not_equal", (snippet, outcome)
    return Design("error", f"relation not judged; read as '=' the claim is false ({outcome.why[:60]})")


RELATIONS = [
    claim(r"x^2 \text{=} 2x", unjudged("text", x**2, 2 * x)),
    claim(r"x^2 \mbox{=} 2x", unjudged("mbox", x**2, 2 * x)),
    claim(r"x^2 \textrm{=} 3x", unjudged("textrm", x**2, 3 * x)),
    claim(r"\frac{d}{dx} x^3 \to 3x", unjudged("to", d(x**3, x), 3 * x)),
    claim(r"\frac{d}{dx} x^3 \Rightarrow 3x", unjudged("Rightarrow", d(x**3, x), 3 * x)),
    claim(r"e^{2x} \doteq 2 e^{x}", unjudged("doteq", sp.exp(2 * x), 2 * sp.exp(x))),
    claim(r"e^{2x} \approxeq 2 e^{x}", unjudged("approxeq", sp.exp(2 * x), 2 * sp.exp(x))),
    claim("\\sin(2x) \uff1d 2 \\sin x", unjudged("full-width", sp.sin(2 * x), 2 * sp.sin(x))),
    claim(r"x^2 \mapsto 2x", unjudged("mapsto", x**2, 2 * x)),
    claim(r"x^2 \eqqcolon 2x", unjudged("eqqcolon", x**2, 2 * x)),
    claim(r"x^2 \longrightarrow 2x", unjudged("longrightarrow", x**2, 2 * x)),
    claim(r"x^2 \cong 2x", unjudged("cong", x**2, 2 * x)),
    claim(r"x^2 \stackrel{?}{=} 2x", unjudged("stackrel", x**2, 2 * x)),
    claim("x^2 \u2261 2x", unjudged("U+2261", x**2, 2 * x)),
    claim("x^2 \u21d2 2x", unjudged("U+21D2", x**2, 2 * x)),
    claim(r"x^2 &\to 2x", Eq((x + 1) ** 2, x**2 + 2 * x + 1), unjudged("to in align", x**2, 2 * x)),
]

TABLES = {"redteam_prose.md": PROSE, "redteam_misread.md": MISREAD, "redteam_relations.md": RELATIONS}
