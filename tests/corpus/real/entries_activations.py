"""Sigmoid, tanh, swish, GELU, ReLU and binary cross-entropy derivations, encoded by hand."""

from __future__ import annotations

import sympy as sp
from core import D, block, chain, d, derivation, eq, pick, sigmoid

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
u = sp.Symbol("u", real=True)
z = sp.Symbol("z", real=True)
zp = sp.Symbol("z_pos", positive=True)  # an input with z > 0
zn = sp.Symbol("z_neg", negative=True)  # an input with z < 0
E, Em = sp.exp(x), sp.exp(-x)


def tanh_ratio(v):
    return (sp.exp(v) - sp.exp(-v)) / (sp.exp(v) + sp.exp(-v))


def Phi(v):
    return (1 + sp.erf(v / sp.sqrt(2))) / 2


def phi(v):
    return sp.exp(-(v**2) / 2) / sp.sqrt(2 * sp.pi)


def relu(v):
    return sp.Piecewise((0, v < 0), (v, True))


def _sigmoid_steps(wrong, cut):
    """The nine steps of the classic sigmoid derivation (notesonai and math.SE 78575 share them)."""
    s = 1 / (1 + Em)
    exprs = [
        d(sigmoid(x), x),
        d(1 / (1 + Em), x),
        d((1 + Em) ** -1, x),
        -((1 + Em) ** -2) * (-Em),
        Em / (1 + Em) ** 2,
        s * Em / (1 + Em),
        s * ((1 + Em) - 1) / (1 + Em),
        s * ((1 + Em) / (1 + Em) - 1 / (1 + Em)),
        s * (1 - 1 / (1 + Em)),
        sigmoid(x) * (1 - sigmoid(x)),
    ]
    if wrong:
        exprs[cut] = pick(wrong, exprs[cut], -((1 + Em) ** -2) * Em)
    return chain(*exprs)


@derivation("notesonai-sigmoid")
def _notesonai(wrong):
    return [block(_sigmoid_steps(wrong, 3))]


@derivation("newbedev-sigmoid-align")
def _newbedev_align(wrong):
    s = 1 / (1 + Em)
    steps = _sigmoid_steps(False, 0)
    if wrong:  # the last line: sigma(x) * sigma(x)
        steps[-1] = eq(s * (1 - 1 / (1 + Em)), sigmoid(x) * sigmoid(x))
    return [block(steps)]


@derivation("newbedev-sigmoid-reciprocal")
def _newbedev_reciprocal(wrong):
    f = 1 / sigmoid(x)
    ds = d(sigmoid(x), x)
    return [
        block(D(), eq(1 / sigmoid(x), 1 + Em)),
        block(chain(d(f, x), d(1 / sigmoid(x), x), pick(wrong, -ds / sigmoid(x) ** 2, -ds / sigmoid(x)))),
        block(chain(d(f, x), d(1 + Em, x), -Em, 1 - f, 1 - 1 / sigmoid(x), (sigmoid(x) - 1) / sigmoid(x))),
    ]


@derivation("mikel-sigmoid")
def _mikel(wrong):
    s = sigmoid(x)
    q = 1 / (1 + Em)
    return [
        block(D()),
        block(eq(d(s, x), s * (1 - s))),
        block(
            D(),
            chain(
                d(s, x),
                d(1 / (1 + Em), x),
                d((1 + Em) ** -1, x),
                (-1) * (1 + Em) ** -2 * d(1 + Em, x),
                (-1) * (1 + Em) ** -2 * pick(wrong, -Em, Em),
                Em / (1 + Em) ** 2,
                q * Em / (1 + Em),
                s * Em / (1 + Em),
                s * (1 + Em - 1) / (1 + Em),
                s * ((1 + Em) / (1 + Em) - q),
                s * (1 - s),
            ),
            chains=2,
        ),
    ]


@derivation("heaton-sigmoid")
def _heaton(wrong):
    s = 1 / (Em + 1)
    ds = d(sigmoid(x), x)
    third = pick(wrong, -(Em * d(-x, x)) / (Em + 1) ** 2, -(Em * d(x, x)) / (Em + 1) ** 2)
    return [
        block(chain(ds, d(s, x), -d(Em + 1, x) / (Em + 1) ** 2)),
        block(eq(-d(Em + 1, x) / (Em + 1) ** 2, -d(Em, x) / (Em + 1) ** 2)),
        block(eq(-d(Em, x) / (Em + 1) ** 2, third)),
        block(eq(third, -sp.Integer(-1) * Em / (Em + 1) ** 2)),
        block(eq(-sp.Integer(-1) * Em / (Em + 1) ** 2, Em / (Em + 1) ** 2)),
        block(eq(Em / (Em + 1) ** 2, s * (-Em / (Em + 1)))),
        block(eq(ds, sigmoid(x) * (1 - sigmoid(x)))),
    ]


@derivation("maizer2-sigmoid")
def _maizer2(wrong):
    y = 1 / (1 + Em)
    return [block(D(), eq(d(y, x), pick(wrong, y * (1 - y), y * (1 + y))))]


@derivation("gmse-activations")
def _gmse(wrong):
    th = 1 - 2 / (sp.exp(2 * x) + 1)
    sig = 1 / (1 + Em)
    return [
        block(eq(sp.tanh(x), th), eq(th, tanh_ratio(x))),  # Tanh is the catalog's tanh: a claim about it
        block(chain(d(th, x), pick(wrong, (2 / (E + Em)) ** 2, (1 / (E + Em)) ** 2), 1 - th**2)),
        block(D()),
        block(eq(d(sig, x), sig * (1 - sig))),
    ]


@derivation("dlai-tanh")
def _dlai(wrong):
    y = sp.tanh(x)
    dy = d(y, x)
    uu, vv, du, dv = E, Em, E, -Em
    quot = (vv * du - uu * dv) / (vv + uu) ** 2
    return [
        block(eq(sp.tanh(x), tanh_ratio(x))),
        block(eq(y, tanh_ratio(x))),
        block(eq(y, (uu - vv) / (uu + vv))),
        block(eq(dy, quot)),
        block(eq(d(uu, x), E)),
        block(eq(d(vv, x), pick(wrong, -Em, Em))),
        block(eq(dy, (Em * E - E * (-Em)) / (Em + E) ** 2)),
        block(eq(dy, (sp.exp(x - x) + sp.exp(x - x)) / (E + Em) ** 2)),
        block(eq(dy, (1 + 1) / (E + Em) ** 2)),
        block(eq(dy, 2 / (E + Em) ** 2)),
        block(eq(dy, 2 / (2 * sp.cosh(x)) ** 2)),
        block(eq(dy, 1 / sp.cosh(x) ** 2)),
        block(eq(dy, sp.sech(x) ** 2)),
    ]


@derivation("questionai-tanh")
def _questionai(wrong):
    dy = d(sp.tanh(x), x)
    first = ((E + Em) * (E + Em) - (E - Em) * pick(wrong, E - Em, E + Em)) / (E + Em) ** 2
    return [block(eq(dy, first)), block(eq(dy, 4 * E / (E + Em) ** 2))]


@derivation("sfwiki-tanh")
def _sfwiki(wrong):
    z_ = sp.Symbol("z", real=True)
    dt = d(sp.tanh(z_), z_)
    return [
        block(eq(dt, sp.sech(z_) ** 2)),
        block(eq(sp.tanh(z_), sp.sinh(z_) / sp.cosh(z_))),
        block(chain(dt, d(sp.sinh(z_) / sp.cosh(z_), z_),
                    (sp.cosh(z_) ** 2 - sp.sinh(z_) ** 2) / sp.cosh(z_) ** 2,
                    1 / sp.cosh(z_) ** pick(wrong, 2, 1), sp.sech(z_) ** 2)),
    ]


@derivation("mathse4227931-bce")
def _bce(wrong):
    p = sp.Symbol("p", positive=True)
    L = -p * sp.log(sigmoid(u)) - (1 - p) * sp.log(1 - sigmoid(u))
    second = -p * sp.log(sp.exp(u) / (1 + sp.exp(u))) - (1 - p) * sp.log(1 / (1 + sp.exp(u)))
    return [
        block(ranges={p: (0, 1)}),
        block(D(), chain(L, second, -p * u + sp.log(1 + sp.exp(u)))),
        block(eq(d(L, u), pick(wrong, sigmoid(u) - p, p - sigmoid(u)))),
    ]


@derivation("sefiks-swish")
def _sefiks(wrong):
    f, g = sp.Function("f"), sp.Function("g")
    funcs = {f: sp.Lambda(t, sp.sin(t) + t), g: sp.Lambda(t, sp.exp(t / 2))}
    s = sigmoid(x)
    y = x * s
    dy = d(y, x)
    return [
        block(D()),
        block(eq(y, x * (1 / (1 + Em)))),
        block(eq(d(f(x) * g(x), x), d(f(x), x) * g(x) + f(x) * d(g(x), x)), funcs=funcs),
        block(eq(dy, d(x, x) * s + x * d(s, x))),
        block(eq(s, 1 / (1 + Em))),
        block(eq(d(s, x), s * (1 - s))),
        block(chain(dy, s + x * s * (1 - s), s + x * s - pick(wrong, x * s**2, x * s)), ),
        block(chain(dy, x * s + s - x * s**2, y + s - x * s**2)),
        block(eq(dy, y + s * (1 - x * s))),
        block(eq(dy, y + s * (1 - y))),
    ]


@derivation("click4ai-swish")
def _click4ai(wrong):
    b = sp.Symbol("beta", positive=True)
    s = sigmoid(b * x)
    sw = x * s
    return [
        # swish is the catalog's x·σ(x): the author's swish with a β is another function, marked not equal
        block(eq(x * sigmoid(x), sw), ranges={b: (1.5, 2.5)}),
        block(chain(d(sw, x), pick(wrong, b * x, x) * s * (1 - s) + s, sw + s * (b - b * sw)),
              ranges={b: (1.5, 2.5)}),
    ]


@derivation("trevor-gelu")
def _trevor(wrong):
    integral = sp.integrate(sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi), (t, -sp.oo, x))
    gelu = x * Phi(x)
    return [
        block(eq(gelu, x * Phi(x))),  # GELU(x) = xΦ(x) names the catalog's GELU: a claim about it, true
        block(eq(Phi(x), integral)),
        block(),
        block(eq(d(gelu, x), Phi(x) + pick(wrong, x * phi(x), phi(x)))),
    ]


@derivation("notion-gelu")
def _notion(wrong):
    a = sp.Symbol("a", real=True)
    approx = sp.Rational(1, 2) * x * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + sp.Rational(44715, 10**6) * x**3)))
    third = x * sp.Rational(1, 2) * (a + sp.erf(x / sp.sqrt(2)))
    second = pick(wrong, x * Phi(x), Phi(x))
    return [block(D(), chain(x * Phi(x), second, third, approx), ranges={a: (2, 3)})]


@derivation("amanai-relu")
def _amanai(wrong):
    both = [zp, zn]
    return [
        block(eq(sp.Matrix([d(relu(v), x) for v in both]), sp.Matrix([1, 0]))),
        block(eq(sp.Matrix([relu(v) for v in both]), sp.Matrix([zp, 0]))),  # the catalog's ReLU written out
        block(eq(sp.Matrix([relu(v) for v in both]), sp.Matrix([sp.Max(0, v) for v in both]))),
        block(eq(sp.Matrix([d(relu(v), v) for v in both]), pick(wrong, sp.Matrix([1, 0]), sp.Matrix([0, 1])))),
    ]


@derivation("egtry-relu")
def _egtry(wrong):
    def drelu(v):
        return sp.diff(relu(z), z).subs(z, v)

    return [
        block(eq(sp.Matrix([drelu(zp), drelu(zn)]), sp.Matrix([pick(wrong, 1, zp), 0]))),
        block(eq(drelu(2), 1), eq(drelu(-1), 0), chains=2),
    ]


@derivation("keras-gelu")
def _keras(wrong):
    return [block(D()), block(eq(x * Phi(x), sp.Rational(1, 2) * x * (1 + sp.erf(x / pick(wrong, sp.sqrt(2), 2)))))]


@derivation("sefiks-tanh")
def _sefiks_tanh(wrong):
    f, g = sp.Function("f"), sp.Function("g")
    funcs = {f: sp.Lambda(t, sp.sin(t) + t**2), g: sp.Lambda(t, 2 + sp.cos(t))}
    sh, ch = sp.sinh(x), sp.cosh(x)
    quotient = (d(f(x), x) * g(x) - d(g(x), x) * f(x)) / g(x) ** 2
    half = sp.Rational(1, 2)
    return [
        block(D()),
        block(eq(d(f(x) / g(x), x), quotient), funcs=funcs),
        block(eq(d(f(x) / g(x), x), quotient), funcs=funcs),
        block(eq(sp.tanh(x), sh / ch)),
        block(eq(d(sp.tanh(x), x), (d(sh, x) * ch - d(ch, x) * sh) / ch**2)),
        block(eq(sh, (E - Em) / 2)),
        block(eq(ch, (E + Em) / 2)),
        block(chain(d(sh, x), d((E - Em) / 2, x), d(E / 2 - Em / 2, x), d(E / 2, x) - d(Em / 2, x),
                    half * d(E, x) - half * d(Em, x), half * E - half * Em * (-1), half * E + half * Em,
                    (E + Em) / 2, ch)),
        block(chain(d(ch, x), d((E + Em) / 2, x), d(E / 2 + Em / 2, x), d(E / 2, x) + d(Em / 2, x),
                    half * d(E, x) + half * d(Em, x), half * E + half * Em * pick(wrong, -1, 1), half * E - half * Em,
                    (E - Em) / 2, sh)),
    ]
