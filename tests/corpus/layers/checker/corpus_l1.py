"""Groups for 01_conv (2-D convolution: flip, delta, kernel and bias gradients, stride) and 02_pool (average pooling)."""
import itertools

from lib import *

G = []


def grid(**ranges):
    """Every index assignment: one Env per point of the product of the given ranges."""
    names = list(ranges)
    out = []
    for vals in itertools.product(*(ranges[n] for n in names)):
        out.append(Env(4, **dict(zip(names, vals))))
    return out


def node_grad(loss, nodes):
    """d loss / d node for each symbol in the dict ``nodes`` {key: symbol}."""
    return {k: sp.diff(loss, s) for k, s in nodes.items()}


# ---------------------------------------------------------------- loliot.net, Convolution 2D
LO_FLIP = r"""$$\begin{aligned} ( I * K )_{ij} &= \sum_m \sum_n {I(i+m, j+n)K(M-1-m, N-1-n)} \\ &= \sum_m \sum_n {I(i+m, j+n)K'(m, n)} &= (I \otimes K')_{ij} \end{aligned}$$"""
LO_DELTA = r"""$$\begin{aligned} \delta^l_{i,j} = \frac{\partial Loss}{\partial z^l_{i,j}} &= \sum_x \sum_y { \frac { \partial Loss } { \partial z^{l+1}_{x,y} } \frac { \partial z^{l+1}_{x,y} } { \partial z^l_{i,j} } } \\ &= \sum_x \sum_y { \delta^{l+1}_{x,y} (\omega')^{l+1}_{i-x,j-y} \sigma' (z^l_{i,j}) } \\ &= \sum_m \sum_n { \delta^{l+1}_{i-m,j-n} (\omega')^{l+1}_{m,n} \sigma' (z^l_{i,j}) } \end{aligned}$$"""
LO_DW = r"""$$\begin{aligned} \frac {\partial Loss} {\partial (\omega')^l_{m,n}} &= \sum_i \sum_j { \frac { \partial Loss } { \partial z^{l}_{i,j} } \frac { \partial z^{l}_{i,j} } { \partial ( \omega' )^l_{m,n} } } \\ &= \sum_i \sum_j { \delta^l_{i,j} a^{l-1}_{i+m, j+n} } \end{aligned}$$"""
LO_DB = r"""$$\begin{aligned} \frac {\partial Loss} {\partial b^l_{i,j}} &= \sum_x \sum_y { \frac { \partial Loss } { \partial z^{l}_{x,y} } \frac { \partial z^{l}_{x,y} } { \partial b^l_{i,j} } } \\ & = \delta^l_{i,j} \end{aligned}$$"""
LO_TEXT = ("Convolution 2D $z^l_{i,j} = \\sum_m \\sum_n{a^{l-1}_{i+m,j+n} (\\omega')^l_{m,n} + b^l_{i,j}}$\n$A^l = \\sigma (Z^l) = \\sigma ( A^{l-1} * W^l + B^l )$\n\n"
           "Convolution $K, K' \\isin \\R^{M \\times N} \\quad K(m, n) = K'(M-1-m, N-1-n)$\n\n" + LO_FLIP
           + "\n\nIn the CNN description, most of the picture representing convolution seem to the cross-correlation using $K'$.\n\n"
           "$\\delta^l_{i,j} \\equiv \\frac{\\partial Loss}{\\partial z^l_{i,j}}$\n\n" + LO_DELTA + "\n\n" + LO_DW + "\n\n" + LO_DB)

M2 = N2 = 2
Iimg = [[R(f"I{r}{c}") for c in range(3)] for r in range(3)]
Kp = [[R(f"Kp{m}{n}") for n in range(N2)] for m in range(M2)]


def Kflip(m, n):
    """K(m, n) = K'(M-1-m, N-1-n), as the page defines K from K'."""
    return Kp[M2 - 1 - m][N2 - 1 - n]


# layer l (3x3, pre-activations z^l) -> a^l = sigma(z^l) -> layer l+1 (2x2): z^{l+1}_{x,y} = sum_mn a^l_{x+m,y+n} w'_{m,n} + b_{x,y}
zl = [[R(f"z{r}{c}") for c in range(3)] for r in range(3)]
wp = [[R(f"w{m}{n}") for n in range(2)] for m in range(2)]
bq = [[R(f"b{x}{y}") for y in range(2)] for x in range(2)]
gq = [[R(f"g{x}{y}") for y in range(2)] for x in range(2)]
Zn = [[R(f"Zn{x}{y}") for y in range(2)] for x in range(2)]          # z^{l+1} as free symbols
Loss_of_Zn = sum(gq[x][y] * sp.sin(Zn[x][y]) for x in range(2) for y in range(2)) + Zn[0][0] * Zn[1][1]
zn_val = [[sum(sig(zl[x + m][y + n]) * wp[m][n] for m in range(2) for n in range(2)) + bq[x][y] for y in range(2)] for x in range(2)]
sub_n = {Zn[x][y]: zn_val[x][y] for x in range(2) for y in range(2)}
Loss_l = Loss_of_Zn.xreplace(sub_n)
delta_n = [[sp.diff(Loss_of_Zn, Zn[x][y]).xreplace(sub_n) for y in range(2)] for x in range(2)]


def w_at(m, n):
    """omega' outside its support 0..1 is 0 (the sums over x, y run over every output position)."""
    return wp[m][n] if 0 <= m < 2 and 0 <= n < 2 else 0


def d_at(x, y):
    return delta_n[x][y] if 0 <= x < 2 and 0 <= y < 2 else 0


dsig = lambda t: sig(t) * (1 - sig(t))

# layer l-1 (3x3 activations a) -> z^l (2x2) for the kernel and bias gradients
aprev = [[R(f"a{r}{c}") for c in range(3)] for r in range(3)]
Zl = [[R(f"Zl{x}{y}") for y in range(2)] for x in range(2)]
Loss_of_Zl = sum(gq[x][y] * sp.sin(Zl[x][y]) for x in range(2) for y in range(2)) + Zl[0][0] * Zl[1][1]
zl_val = [[sum(aprev[x + m][y + n] * wp[m][n] for m in range(2) for n in range(2)) + bq[x][y] for y in range(2)] for x in range(2)]
sub_l = {Zl[x][y]: zl_val[x][y] for x in range(2) for y in range(2)}
Loss_w = Loss_of_Zl.xreplace(sub_l)
delta_l = [[sp.diff(Loss_of_Zl, Zl[x][y]).xreplace(sub_l) for y in range(2)] for x in range(2)]
r2 = range(2)

G.append(dict(
    file="01_conv", src="loliot", title="Convolution 2D: the flip, the delta recursion, kernel and bias gradients, loliot.net (aligned, sums with shifted indices i+m, i-x, primes)",
    text=LO_TEXT,
    mut_text=LO_TEXT.replace(r"&= \sum_m \sum_n {I(i+m, j+n)K'(m, n)}", r"&= \sum_m \sum_n {I(i+m, j+n)K'(M-1-m, N-1-n)}")
    .replace(r"&= \sum_m \sum_n { \delta^{l+1}_{i-m,j-n} (\omega')^{l+1}_{m,n}", r"&= \sum_m \sum_n { \delta^{l+1}_{i+m,j+n} (\omega')^{l+1}_{m,n}")
    .replace(r"&= \sum_i \sum_j { \delta^l_{i,j} a^{l-1}_{i+m, j+n} }", r"&= \sum_i \sum_j { \delta^l_{i,j} a^{l-1}_{i-m, j-n} }"),
    mutation="flip: K'(M-1-m, N-1-n) for K'(m, n) (kernel flipped twice); delta: delta^{l+1}_{i+m,j+n} for delta^{l+1}_{i-m,j-n} (kernel not flipped); kernel gradient: a^{l-1}_{i-m,j-n} for a^{l-1}_{i+m,j+n}",
    notes="Display delimiters: the stored page shows each \\begin{aligned} block bare; each is wrapped in $$ here. The page's kernel example and forward-propagation parameter list (no equations) are left out. Model: M = N = 2, input 3x3, i, j in 0..2 (output 2x2 for the flip: i, j in 0..1); omega' and delta^{l+1} outside their index ranges are 0 (the sums over x, y run over every output position); Loss a fixed nonlinear function of z^{l+1}; a^l = sigma(z^l). (I * K) and (I otimes K') are named by the chain itself (definitions).",
    chains=[
        dict(models=[None,
                     lambda e: sum(Iimg[e.i + m][e.j + n] * Kflip(M2 - 1 - m, N2 - 1 - n) for m in r2 for n in r2),
                     lambda e: sum(Iimg[e.i + m][e.j + n] * Kp[m][n] for m in r2 for n in r2),
                     None], envs=grid(i=r2, j=r2), defs={0, 2}),
        dict(models=[lambda e: sp.diff(Loss_l, zl[e.i][e.j]),
                     lambda e: sp.diff(Loss_l, zl[e.i][e.j]),
                     lambda e: sum(delta_n[x][y] * sp.diff(zn_val[x][y], zl[e.i][e.j]) for x in r2 for y in r2),
                     lambda e: sum(delta_n[x][y] * w_at(e.i - x, e.j - y) * dsig(zl[e.i][e.j]) for x in r2 for y in r2),
                     lambda e: sum(d_at(e.i - m, e.j - n) * wp[m][n] * dsig(zl[e.i][e.j]) for m in r2 for n in r2)],
             envs=grid(i=range(3), j=range(3)), defs={0}),
        dict(models=[lambda e: sp.diff(Loss_w, wp[e.m][e.n]),
                     lambda e: sum(delta_l[i][j] * sp.diff(zl_val[i][j], wp[e.m][e.n]) for i in r2 for j in r2),
                     lambda e: sum(delta_l[i][j] * aprev[i + e.m][j + e.n] for i in r2 for j in r2)], envs=grid(m=r2, n=r2)),
        dict(models=[lambda e: sp.diff(Loss_w, bq[e.i][e.j]),
                     lambda e: sum(delta_l[x][y] * sp.diff(zl_val[x][y], bq[e.i][e.j]) for x in r2 for y in r2),
                     lambda e: delta_l[e.i][e.j]], envs=grid(i=r2, j=r2)),
    ],
    mut=[(0, 2, lambda e: sum(Iimg[e.i + m][e.j + n] * Kp[M2 - 1 - m][N2 - 1 - n] for m in r2 for n in r2)),
         (1, 4, lambda e: sum(d_at(e.i + m, e.j + n) * wp[m][n] * dsig(zl[e.i][e.j]) for m in r2 for n in r2)),
         (2, 2, lambda e: sum(delta_l[i][j] * (aprev[i - e.m][j - e.n] if i - e.m >= 0 and j - e.n >= 0 else 0) for i in r2 for j in r2))],
))

# ---------------------------------------------------------------- convolution notes with stride (align*)
ST_1 = r"""$$
\begin{align*}
&\text{Let's setup some variables: }\\
&\text{s - stride, p - padding}\\
&I - \text{input image with shape: }(H, W, C)\\
&W - \text{convoluiton weights with shape: }(HH, WW, F)\\
&b - \text{bias vector with shape: }(F) \\
&O - \text{output tensor with shape: }(H', W', F)\\
\\
&\text{The output results will have the following shape:} \\
&\text{where } H' = \frac{H + 2p - HH}{s} + 1&\\
&\text{where } W' = \frac{W + 2p - WW}{s} + 1&\\
\\
&\text{Final tensor could be obtained by the following multiplication:}\\
&O_{i,j,f} = \sum_{c=0}^{C}\sum_{\hat{j}=0}^{WW}\sum_{\hat{i} = 0}^{HH}\hat{I}_{is + \hat{i}, js + \hat{j}, c} \odot W_{\hat{i}, \hat{j}, f} + b_{f},\\
&\text{where } \hat{I} \text{ is a padded image}
\end{align*}
$$"""
ST_2 = r"""$$
\begin{align*}
&\text{With the use of above notation:} \\
&\dfrac{\partial L}{\partial W_{k,l,f}} = \dfrac{\partial L}{\partial O_{i, j, f}}\dfrac{\partial O_{i, j, f}}{\partial W_{k,l,f}} \\
\\
& \text{First derivative } -  \dfrac{\partial L}{\partial O_{i, j, f}}\text{ depends only on further loss function.} \\
&\text{Let's concentrate on the second: } \\
& \dfrac{\partial O_{i, j, f}}{\partial W_{k,l,f}}  = \dfrac{\partial}{\partial W_{k,l,f}}\sum_{c=0}^{C}\sum_{\hat{j}=0}^{WW}\sum_{\hat{i} = 0}^{HH}\hat{I}_{is + \hat{i}, js + \hat{j}, c}\odot W_{\hat{i}, \hat{j}, f}\\


\end{align*}
$$"""
ST_TEXT = "### Implementation\n" + ST_1 + "\n\n### Backpropagation\n" + ST_2
S_, HHk, Cc = 2, 1, 1                                  # stride 2; sums run 0..HH = 0..1 and 0..C = 0..1 as written
Ipad = [[[R(f"P{r}{c}{ch}") for ch in range(Cc + 1)] for c in range(4)] for r in range(4)]
Wk = [[R(f"W{a}{b}") for b in range(HHk + 1)] for a in range(HHk + 1)]
bf = R("bf")
Ost = [[sum(Ipad[i * S_ + a][j * S_ + b][c] * Wk[a][b] for c in range(Cc + 1) for b in range(HHk + 1) for a in range(HHk + 1)) + bf for j in r2] for i in r2]
Osym = [[R(f"Os{i}{j}") for j in r2] for i in r2]
hq = [[R(f"h{i}{j}") for j in r2] for i in r2]
L_of_O = sum(hq[i][j] * sp.sin(Osym[i][j]) for i in r2 for j in r2) + Osym[0][0] * Osym[1][1]
subO = {Osym[i][j]: Ost[i][j] for i in r2 for j in r2}
Lst = L_of_O.xreplace(subO)
dLdO = [[sp.diff(L_of_O, Osym[i][j]).xreplace(subO) for j in r2] for i in r2]
G.append(dict(
    file="01_conv", src="stride", title="Convolution with stride s, kernel gradient, personal notes (align* with \\text rows, \\dfrac, \\hat{I}_{is + \\hat{i}, js + \\hat{j}, c}, \\odot for a product)",
    text=ST_TEXT,
    mut_text=ST_TEXT.replace(r"\dfrac{\partial}{\partial W_{k,l,f}}\sum_{c=0}^{C}\sum_{\hat{j}=0}^{WW}\sum_{\hat{i} = 0}^{HH}\hat{I}_{is + \hat{i}, js + \hat{j}, c}",
                             r"\dfrac{\partial}{\partial W_{k,l,f}}\sum_{c=0}^{C}\sum_{\hat{j}=0}^{WW}\sum_{\hat{i} = 0}^{HH}\hat{I}_{i + \hat{i}, j + \hat{j}, c}"),
    mutation="dO/dW: the stride dropped inside the derivative (I_{i + i^, j + j^, c} for I_{is + i^, js + j^, c})",
    real_mistake="dL/dW_{k,l,f} = dL/dO_{i,j,f} dO_{i,j,f}/dW_{k,l,f}: the sum over the output positions i, j is not written (the right side has free indices i, j the left side lacks; no summation convention is stated)",
    notes="Model: stride s = 2, one filter f, kernel indices 0..HH = 0..1 and channels 0..C = 0..1 (the sums' upper limits as written), padded input 4x4x2, output 2x2, W_{i^,j^,f} without a channel index as written; L a fixed nonlinear function of O. \\odot between scalars read as the product. The first block's H', W', O lines are definitions.",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[lambda e: sp.diff(Lst, Wk[e.k][e.l]),
                     lambda e: dLdO[e.i][e.j] * sp.diff(Ost[e.i][e.j], Wk[e.k][e.l])], envs=grid(i=r2, j=r2, k=r2, l=r2)),
        dict(models=[lambda e: sp.diff(Ost[e.i][e.j], Wk[e.k][e.l]),
                     lambda e: sp.diff(sum(Ipad[e.i * S_ + a][e.j * S_ + b][c] * Wk[a][b] for c in range(Cc + 1) for b in range(HHk + 1) for a in range(HHk + 1)), Wk[e.k][e.l])],
             envs=grid(i=r2, j=r2, k=r2, l=r2), same=True),
    ],
    mut=[(4, 1, lambda e: sp.diff(sum(Ipad[e.i + a][e.j + b][c] * Wk[a][b] for c in range(Cc + 1) for b in range(HHk + 1) for a in range(HHk + 1)), Wk[e.k][e.l]))],
))

# ---------------------------------------------------------------- hifreedo/up9rade, 'Convolution in forward and backward' (first display)
UP = r"""$$ x = \begin{bmatrix}
x_1, x_2, x_3
\end{bmatrix}
\quad
w = \begin{bmatrix}
w_1 \\ w_2 \\ w_3
\end{bmatrix}
\\
y = xw = x_1w_1 + x_2w_2 + x_3w_3
\\
\frac{\partial y}{\partial w} = \begin{bmatrix}
\frac{\partial y}{\partial w_1} \\ \frac{\partial y}{\partial w_2} \\ \frac{\partial y}{\partial w_3}
\end{bmatrix} = \begin{bmatrix}
x_1 \\ x_2 \\ x_3
\end{bmatrix}
= x^T
$$"""
UP_TEXT = "# Convolution in forward and backward\n\n" + UP
xr = sp.Matrix([[R("x1"), R("x2"), R("x3")]])
wc = sp.Matrix([R("w1"), R("w2"), R("w3")])
yv = (xr * wc)[0]
G.append(dict(
    file="01_conv", src="up9rade", title="Convolution in forward and backward, the dot product of one output, hifreedo/up9rade post (one display block, \\\\ rows, bmatrix, x^T)",
    text=UP_TEXT,
    mut_text=UP_TEXT.replace("\n= x^T\n$$", "\n= x\n$$"),
    mutation="the transpose dropped: = x for = x^T (a row for a column)",
    notes="Model: x a 1x3 row (the bmatrix 'x_1, x_2, x_3'), w a 3x1 column, dy/dw the 3x1 column of partials. The first row ('x = ... \\quad w = ...') only names x and w (definitions).",
    chains=[
        dict(models=[None, None, None], envs=[Env()], defs={0, 1}),
        dict(models=[None, lambda e: yv, lambda e: R("x1") * R("w1") + R("x2") * R("w2") + R("x3") * R("w3")], envs=[Env()], defs={0}, same=True),
        dict(models=[lambda e: sp.Matrix([sp.diff(yv, w) for w in wc]), lambda e: sp.Matrix([sp.diff(yv, w) for w in wc]),
                     lambda e: sp.Matrix([R("x1"), R("x2"), R("x3")]), lambda e: xr.T], envs=[Env()], same=True),
    ],
    mut=[(2, 3, lambda e: xr)],
))

# ---------------------------------------------------------------- Cross Validated 565032, average pooling (question, first display)
AP = r"""$$A^{[l]} = \begin{bmatrix} a_{11} & a_{12} & a_{13} \\ a_{21} & a_{22} & a_{23} \\ a_{31} & a_{32} & a_{33} \\ \end{bmatrix}; \quad P^{[l]} = \begin{bmatrix} p_{11} & p_{12} \\ p_{21} & p_{22} \\ \end{bmatrix} = \begin{bmatrix} \frac{a_{11} + a_{12} + a_{21} + a_{22}}{4} & \frac{a_{12} + a_{13} + a_{22} + a_{23}}{4} \\ \frac{a_{21} + a_{22} + a_{31} + a_{32}}{4} & \frac{a_{22} + a_{23} + a_{32} + a_{33}}{4} \\ \end{bmatrix} \\ \frac{\mathrm{d}J}{\mathrm{d}P^{[l]}} = \begin{bmatrix} \frac{\mathrm{d}J}{\mathrm{d}p_{11}} & \frac{\mathrm{d}J}{\mathrm{d}p_{12}} \\ \frac{\mathrm{d}J}{\mathrm{d}p_{21}} & \frac{\mathrm{d}J}{\mathrm{d}p_{22}} \\ \end{bmatrix}$$"""
AP_TEXT = ("How to up-sample gradients, during back-propagation, across an average-pooling layer?\n\nFor this purpose, let\n\n" + AP
           + "\n\nwhere, $$A^{[l]}$$ is the activation of layer-$$l$$ , and $$P^{[l]}$$ is the matrix obtained after average-pooling $$A^{[l]}$$ using a $$2 \\times 2$$ pooling window, and $$J$$ is the cost function.")
am = [[R(f"a{r}{c}") for c in (1, 2, 3)] for r in (1, 2, 3)]
pool = sp.Matrix(2, 2, lambda i, j: sum(am[i + u][j + v] for u in r2 for v in r2) / 4)
Pq = [[R(f"Pq{i}{j}") for j in r2] for i in r2]
J_of_P = sum(hq[i][j] * sp.exp(Pq[i][j]) for i in r2 for j in r2) + Pq[0][1] * Pq[1][0]
G.append(dict(
    file="02_pool", src="cv565032", title="Average pooling 2x2, stride 1, over a 3x3 activation, Cross Validated 565032 question (bmatrix, \\mathrm{d}, ; \\quad)",
    text=AP_TEXT,
    mut_text=AP_TEXT.replace(r"\frac{a_{22} + a_{23} + a_{32} + a_{33}}{4}", r"\frac{a_{22} + a_{23} + a_{32} + a_{33}}{2}"),
    mutation="one window's average divided by 2 instead of 4",
    notes="The page's prose uses $$...$$ inline; those spans (A^{[l]}, layer-l, P^{[l]}, 2 x 2, J) hold no '=' and are no chains. Model: P^{[l]} is the 2x2 average pool with stride 1 of the 3x3 A^{[l]} (as the prose and the matrix say), J a fixed nonlinear function of P; the reader's top-level split of the block is its own business, the expected chains are: A = [a] (definition); P = [p] (names p) = [window means] (equal: average pooling as the prose defines it); dJ/dP = [dJ/dp_ij] (equal).",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, lambda e: pool, lambda e: sp.Matrix(2, 2, lambda i, j: (am[i][j] + am[i][j + 1] + am[i + 1][j] + am[i + 1][j + 1]) / 4)],
             envs=[Env()], defs={0}, same=True),
        dict(models=[lambda e: sp.Matrix(2, 2, lambda i, j: sp.diff(J_of_P, Pq[i][j])), lambda e: sp.Matrix(2, 2, lambda i, j: sp.diff(J_of_P, Pq[i][j]))],
             envs=[Env()], same=True),
    ],
    mut=[(1, 2, lambda e: sp.Matrix(2, 2, lambda i, j: (am[i][j] + am[i][j + 1] + am[i + 1][j] + am[i + 1][j + 1]) / (2 if (i, j) == (1, 1) else 4)))],
))
