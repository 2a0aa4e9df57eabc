"""Groups for 04_attention (attention, matmul backprop) and 05_layers (convolution, dropout)."""
from lib import *

G = []
dd = lambda a, b: 1 if a == b else 0
T2, dk, dv = 2, 2, 2
Qm = [[R(f"Q{i}{k}") for k in range(1, dk + 1)] for i in range(1, T2 + 1)]
Km = [[R(f"K{i}{k}") for k in range(1, dk + 1)] for i in range(1, T2 + 1)]
Vm = [[R(f"V{i}{k}") for k in range(1, dv + 1)] for i in range(1, T2 + 1)]
Sm = [[sum(Qm[i][k] * Km[j][k] for k in range(dk)) / sp.sqrt(dk) for j in range(T2)] for i in range(T2)]
Am = [[sp.exp(Sm[i][j]) / sum(sp.exp(Sm[i][l]) for l in range(T2)) for j in range(T2)] for i in range(T2)]
Om = [[sum(Am[i][j] * Vm[j][p] for j in range(T2)) for p in range(dv)] for i in range(T2)]
Osym = [[R(f"Os{i}{p}") for p in range(1, dv + 1)] for i in range(1, T2 + 1)]
gc = [[R(f"g{i}{p}") for p in range(1, dv + 1)] for i in range(1, T2 + 1)]
L_of_O = sum(gc[a][b] * sp.sin(Osym[a][b]) for a in range(T2) for b in range(dv)) + Osym[0][0] * Osym[1][1]
subsO = lambda: {Osym[a][b]: Om[a][b] for a in range(T2) for b in range(dv)}
Lfull = L_of_O.xreplace(subsO())
Gm = [[sp.diff(L_of_O, Osym[a][b]).xreplace(subsO()) for b in range(dv)] for a in range(T2)]
rng = range(T2)

# ---------------------------------------------------------------- Willetts, attention backward pass (step 1)
WL_F = r"""\[S_{ij} = \frac{1}{\sqrt{d}}\sum_k Q_{ik} K_{jk}, \quad A_{ij} = \frac{\exp S_{ij}}{\sum_l \exp S_{il}}, \quad O_{ip} = \sum_j A_{ij} V_{jp}.\]"""
WL_1 = r"""\[\frac{\partial L}{\partial V_{jp}} = \sum_{a, b}\frac{\partial L}{\partial O_{ab}}\frac{\partial O_{ab}}{\partial V_{jp}} = \sum_{a, b} G_{ab}\frac{\partial O_{ab}}{\partial V_{jp}}.\]"""
WL_2 = r"""\[O_{ab} = \sum_c A_{ac} V_{cb}.\]"""
WL_3 = r"""\[\frac{\partial O_{ab}}{\partial V_{jp}} = \frac{\partial}{\partial V_{jp}}\!\left[\sum_c A_{ac}\,V_{cb}\right] = \sum_c A_{ac}\,\frac{\partial V_{cb}}{\partial V_{jp}}.\]"""
WL_TEXT = ("Let \\(i, j \\in [T]\\) be sequence positions (query and key), \\(k \\in [d]\\) the head dimension, \\(p \\in [d_v]\\) the value dimension. Inputs \\(Q, K \\in \\mathbb{R}^{T \\times d}\\), \\(V \\in \\mathbb{R}^{T \\times d_v}\\). Given: \\(G_{ip} := \\partial L / \\partial O_{ip}\\).\n\nForward.\n\n" + WL_F
           + "\n\nStep 1 — \\(\\partial L / \\partial V\\) (brute force)\n\n\\(L\\) depends on \\(V_{jp}\\) only through \\(O\\). Write the full chain rule with dummy indices \\(a\\) (output position) and \\(b\\) (output dimension):\n\n" + WL_1
           + "\n\nNow the forward equation, with its own dummy summation index \\(c\\):\n\n" + WL_2
           + "\n\nTo compute \\(\\partial O_{ab}/\\partial V_{jp}\\), two sub-steps. First, pull the derivative inside the sum. Since \\(A\\) depends only on \\(Q\\) and \\(K\\) (not on \\(V\\)), the factors \\(A_{ac}\\) are constants w.r.t. \\(V\\):\n\n" + WL_3)
jp = envs(2, ("j", "p"))
G.append(dict(
    file="04_attention", src="willetts", title="Attention backward, dL/dV by brute force, Matthew Willetts notes (index notation, explicit sums, \\( \\) inline math, \\! spacing)",
    text=WL_TEXT,
    mut_text=WL_TEXT.replace(r"= \sum_{a, b} G_{ab}\frac{\partial O_{ab}}{\partial V_{jp}}.\]", r"= \sum_{a, b} G_{ba}\frac{\partial O_{ab}}{\partial V_{jp}}.\]")
    .replace(r"= \sum_c A_{ac}\,\frac{\partial V_{cb}}{\partial V_{jp}}.\]", r"= \sum_c A_{ca}\,\frac{\partial V_{cb}}{\partial V_{jp}}.\]"),
    mutation="chain rule: G_{ba} for G_{ab}; pulling d/dV inside: A_{ca} for A_{ac} (transposed)",
    notes="Model: T = d = d_v = 2, L a fixed nonlinear function of O. The forward display holds three definitions separated by \\quad; the reader's top-level '=' split makes one chain of three definition steps.",
    chains=[
        dict(models=[None, None, None, None], envs=[Env()], defs={0, 1, 2}),
        dict(models=[lambda e: sp.diff(Lfull, Vm[e.j - 1][e.p - 1]),
                     lambda e: sum(Gm[a][b] * sp.diff(Om[a][b], Vm[e.j - 1][e.p - 1]) for a in rng for b in range(dv)),
                     lambda e: sum(Gm[a][b] * sp.diff(Om[a][b], Vm[e.j - 1][e.p - 1]) for a in rng for b in range(dv))], envs=jp),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[lambda e: sp.diff(Om[e.a - 1][e.b - 1], Vm[e.j - 1][e.p - 1]),
                     lambda e: sp.diff(sum(Am[e.a - 1][c] * Vm[c][e.b - 1] for c in rng), Vm[e.j - 1][e.p - 1]),
                     lambda e: sum(Am[e.a - 1][c] * dd(c, e.j - 1) * dd(e.b, e.p) for c in rng)], envs=envs(2, ("a", "b", "j", "p"))),
    ],
    mut=[(1, 2, lambda e: sum(Gm[b][a] * sp.diff(Om[a][b], Vm[e.j - 1][e.p - 1]) for a in rng for b in range(dv))),
         (3, 2, lambda e: sum(Am[c][e.a - 1] * dd(c, e.j - 1) * dd(e.b, e.p) for c in rng))],
))

# ---------------------------------------------------------------- planckeon, attention gradients (Einstein summation)
Asym = [[R(f"As{i}{j}") for j in range(1, T2 + 1)] for i in range(1, T2 + 1)]
L_of_A = Lfull.xreplace({}) if False else None
O_of_A = [[sum(Asym[i][j] * Vm[j][p] for j in rng) for p in range(dv)] for i in rng]
LA = L_of_O.xreplace({Osym[a][b]: O_of_A[a][b] for a in rng for b in range(dv)})       # L with A independent
dLdO_A = [[sp.diff(L_of_O, Osym[a][b]).xreplace({Osym[x][y]: O_of_A[x][y] for x in rng for y in range(dv)}) for b in range(dv)] for a in rng]
Ssym = [[R(f"Ss{i}{j}") for j in range(1, T2 + 1)] for i in range(1, T2 + 1)]
A_of_S = [[sp.exp(Ssym[i][j]) / sum(sp.exp(Ssym[i][l]) for l in rng) for j in rng] for i in rng]
subA = {Asym[i][j]: A_of_S[i][j] for i in rng for j in rng}
LS = LA.xreplace(subA)
dLdA_S = [[sp.diff(LA, Asym[i][j]).xreplace(subA) for j in rng] for i in rng]
# generic chain rule display: y = y(x), L = L(y)
xg = [R(f"xg{k}") for k in (1, 2)]
yg = [sp.sin(xg[0]) * xg[1], xg[0] ** 2 + sp.exp(xg[1])]
Ys = [R(f"yg{k}") for k in (1, 2)]
Lg = Ys[0] * Ys[1] + sp.cos(Ys[0])
PL_0 = r"""$$\frac{\partial L}{\partial x^j} = \frac{\partial L}{\partial y^i} \frac{\partial y^i}{\partial x^j}$$"""
PL_F = r"""$$S^{ij} = \frac{1}{\sqrt{d_k}} Q^{ia} K^{ja}$$ $$A^{ij} = \text{softmax}_j(S^{ij})$$ $$O^{ib} = A^{ij} V^{jb}$$"""
PL_V1 = r"""$$\frac{\partial O^{ib}}{\partial V^{mn}} = A^{ij} \delta^j_m \delta^b_n = A^{im} \delta^b_n$$"""
PL_V2 = r"""$$\frac{\partial L}{\partial V^{mn}} = \frac{\partial L}{\partial O^{ib}} A^{im} \delta^b_n = A^{im} \frac{\partial L}{\partial O^{in}}$$"""
PL_A1 = r"""$$\frac{\partial O^{ib}}{\partial A^{mn}} = \delta^i_m V^{nb}$$"""
PL_A2 = r"""$$\frac{\partial L}{\partial A^{mn}} = \frac{\partial L}{\partial O^{mb}} V^{nb}$$"""
PL_S1 = r"""$$\frac{\partial A^{ij}}{\partial S^{mn}} = \delta^i_m A^{ij} (\delta^j_n - A^{in})$$"""
PL_S2 = r"""$$\frac{\partial L}{\partial S^{ij}} = A^{ij} \left( \frac{\partial L}{\partial A^{ij}} - \sum_{j'} A^{ij'} \frac{\partial L}{\partial A^{ij'}} \right)$$"""
PL_Q1 = r"""$$\frac{\partial S^{ij}}{\partial Q^{kl}} = \frac{1}{\sqrt{d_k}} \delta^i_k \delta^a_l K^{ja} = \frac{1}{\sqrt{d_k}} \delta^i_k K^{jl}$$"""
PL_TEXT = ("Using the chain rule:\n\n" + PL_0 + "\n\nNote the sum over the intermediate index $i$.\n\nThe attention forward pass is:\n\n" + PL_F
           + "\n\nFor the backward pass, we propagate gradients in reverse order.\n\nGradient w.r.t. Values\n\nGiven: $O^{ib} = A^{ij} V^{jb}$\n\n" + PL_V1 + "\n\nTherefore:\n\n" + PL_V2
           + "\n\nMatrix form: $\\frac{\\partial L}{\\partial V} = A^T \\frac{\\partial L}{\\partial O}$\n\nGradient w.r.t. Attention Weights\n\n" + PL_A1 + "\n\nTherefore:\n\n" + PL_A2
           + "\n\nMatrix form: $\\frac{\\partial L}{\\partial A} = \\frac{\\partial L}{\\partial O} V^T$\n\nGradient Through Softmax\n\nThis is the trickiest part. For softmax $A^{ij} = \\text{softmax}_j(S^{ij})$:\n\n" + PL_S1
           + "\n\nChain rule gives:\n\n" + PL_S2 + "\n\nGradient w.r.t. Queries\n\nGiven: $S^{ij} = \\frac{1}{\\sqrt{d_k}} Q^{ia} K^{ja}$\n\n" + PL_Q1)
Sq = [[sum(Qm[i][a] * Km[j][a] for a in range(dk)) / sp.sqrt(dk) for j in rng] for i in rng]
G.append(dict(
    file="04_attention", src="planckeon", title="Attention gradients in Einstein notation, planckeon 'attn-as-bilinear-form' (implicit sums, upper indices, delta^j_m)",
    text=PL_TEXT,
    mut_text=PL_TEXT.replace(r"= A^{im} \frac{\partial L}{\partial O^{in}}$$", r"= A^{mi} \frac{\partial L}{\partial O^{in}}$$")
    .replace(r"= \delta^i_m A^{ij} (\delta^j_n - A^{in})$$", r"= \delta^i_m A^{ij} (A^{in} - \delta^j_n)$$")
    .replace(r"= \frac{1}{\sqrt{d_k}} \delta^i_k K^{jl}$$", r"= \delta^i_k K^{jl}$$"),
    mutation="dL/dV: A^{mi} for A^{im} (transposed); softmax Jacobian: sign flipped; dS/dQ: 1/sqrt(d_k) dropped in the last side",
    notes="Model: T = d_k = d_v = 2, repeated indices summed (Einstein convention, as the page says); L a fixed nonlinear function of O; for dL/dA and dL/dS, A is treated as the variable (L through O = A V), as the page does.",
    chains=[
        dict(models=[lambda e: sp.diff(Lg.xreplace(dict(zip(Ys, yg))), xg[e.j - 1]),
                     lambda e: sum(sp.diff(Lg, Ys[i]).xreplace(dict(zip(Ys, yg))) * sp.diff(yg[i], xg[e.j - 1]) for i in (0, 1))], envs=envs(2, ("j",))),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[lambda e: sp.diff(O_of_A[e.i - 1][e.b - 1], Vm[e.m - 1][e.n - 1]),
                     lambda e: sum(Asym[e.i - 1][j] * dd(j, e.m - 1) * dd(e.b, e.n) for j in rng),
                     lambda e: Asym[e.i - 1][e.m - 1] * dd(e.b, e.n)], envs=envs(2, ("i", "b", "m", "n"))),
        dict(models=[lambda e: sp.diff(LA, Vm[e.m - 1][e.n - 1]),
                     lambda e: sum(dLdO_A[i][b] * Asym[i][e.m - 1] * dd(b, e.n - 1) for i in rng for b in range(dv)),
                     lambda e: sum(Asym[i][e.m - 1] * dLdO_A[i][e.n - 1] for i in rng)], envs=envs(2, ("m", "n"))),
        dict(models=[lambda e: sp.diff(O_of_A[e.i - 1][e.b - 1], Asym[e.m - 1][e.n - 1]), lambda e: dd(e.i, e.m) * Vm[e.n - 1][e.b - 1]], envs=envs(2, ("i", "b", "m", "n"))),
        dict(models=[lambda e: sp.diff(LA, Asym[e.m - 1][e.n - 1]), lambda e: sum(dLdO_A[e.m - 1][b] * Vm[e.n - 1][b] for b in range(dv))], envs=envs(2, ("m", "n"))),
        dict(models=[lambda e: sp.diff(A_of_S[e.i - 1][e.j - 1], Ssym[e.m - 1][e.n - 1]),
                     lambda e: dd(e.i, e.m) * A_of_S[e.i - 1][e.j - 1] * (dd(e.j, e.n) - A_of_S[e.i - 1][e.n - 1])], envs=envs(2, ("i", "j", "m", "n"))),
        dict(models=[lambda e: sp.diff(LS, Ssym[e.i - 1][e.j - 1]),
                     lambda e: A_of_S[e.i - 1][e.j - 1] * (dLdA_S[e.i - 1][e.j - 1] - sum(A_of_S[e.i - 1][jp] * dLdA_S[e.i - 1][jp] for jp in rng))], envs=envs(2, ("i", "j"))),
        dict(models=[lambda e: sp.diff(Sq[e.i - 1][e.j - 1], Qm[e.k - 1][e.l - 1]),
                     lambda e: sum(dd(e.i, e.k) * dd(a, e.l - 1) * Km[e.j - 1][a] for a in range(dk)) / sp.sqrt(dk),
                     lambda e: dd(e.i, e.k) * Km[e.j - 1][e.l - 1] / sp.sqrt(dk)], envs=envs(2, ("i", "j", "k", "l"))),
    ],
    mut=[(5, 2, lambda e: sum(Asym[e.m - 1][i] * dLdO_A[i][e.n - 1] for i in rng)),
         (8, 1, lambda e: dd(e.i, e.m) * A_of_S[e.i - 1][e.j - 1] * (A_of_S[e.i - 1][e.n - 1] - dd(e.j, e.n))),
         (10, 2, lambda e: dd(e.i, e.k) * Km[e.j - 1][e.l - 1])],
))

# ---------------------------------------------------------------- annp0/Triton-Kernels, matmul backprop
Wt = [[R(f"w{i}{a}") for a in (1, 2)] for i in (1, 2)]
Xt = [[R(f"x{a}{j}") for j in (1, 2)] for a in (1, 2)]
Yt = [[sum(Wt[i][a] * Xt[a][j] for a in rng) for j in rng] for i in rng]
Ysy = [[R(f"Y{i}{j}") for j in (1, 2)] for i in (1, 2)]
cy = [[R(f"cy{i}{j}") for j in (1, 2)] for i in (1, 2)]
L_of_Y = sum(cy[i][j] * sp.sin(Ysy[i][j]) for i in rng for j in rng) + Ysy[0][0] * Ysy[1][1]
subY = {Ysy[i][j]: Yt[i][j] for i in rng for j in rng}
LY = L_of_Y.xreplace(subY)
gY = sp.Matrix(2, 2, lambda i, j: sp.diff(L_of_Y, Ysy[i][j]).xreplace(subY))
WM, XM = sp.Matrix(Wt), sp.Matrix(Xt)
AN_0 = r"""$$
Y = WX, \quad y_{ij} = \sum_a w_{ia}x_{aj}
$$"""
AN_1 = r"""$$
\begin{align*}
\dfrac{\partial y_{ij}}{\partial x_{mn}}&=\dfrac{\partial}{\partial x_{mn}}\left(\sum_aw_{ia}x_{aj}\right)\\
&=\sum_a\dfrac{\partial}{\partial x_{mn}}w_{ia}x_{aj}\\
&=\sum_a w_{ia}\delta_{m,a}\delta_{n,j}\\
&=w_{im}\delta_{n,j}
\end{align*}
$$"""
AN_2 = r"""$$
\begin{align*}
\dfrac{\partial L}{\partial x_{mn}}&=\sum_{ij}\dfrac{\partial L}{\partial y_{ij}}\dfrac{\partial y_{ij}}{\partial x_{mn}}\\
&=\sum_{ij}\dfrac{\partial L}{\partial y_{ij}}w_{im}\delta_{n,j}\\
&=\sum_{i}\dfrac{\partial L}{\partial y_{in}}w_{im}
\end{align*}
$$"""
AN_3 = r"""$$
\left(\dfrac{\partial L}{\partial X}\right)=W^T\left(\dfrac{\partial L}{\partial Y}\right)
$$"""
AN_4 = r"""$$
\dfrac{\partial L}{\partial W}=\dfrac{\partial L}{\partial Y} X^T
$$"""
AN_TEXT = "Given\n\n" + AN_0 + "\n\nNote that\n\n" + AN_1 + "\n\nthus\n\n" + AN_2 + "\n\ntherefore\n\n" + AN_3 + "\n\nand similarly,\n\n" + AN_4
G.append(dict(
    file="04_attention", src="annp0", title="Back prop for matmul, annp0/Triton-Kernels attention notebook (align* in double-dollar display, \\dfrac, \\delta_{m,a})",
    text=AN_TEXT,
    mut_text=AN_TEXT.replace(r"&=\sum_{i}\dfrac{\partial L}{\partial y_{in}}w_{im}", r"&=\sum_{i}\dfrac{\partial L}{\partial y_{in}}w_{mi}")
    .replace(r"\right)=W^T\left(\dfrac{\partial L}{\partial Y}\right)", r"\right)=W\left(\dfrac{\partial L}{\partial Y}\right)"),
    mutation="index form: w_{mi} for w_{im}; matrix form: transpose dropped (W for W^T)",
    notes="Model: W, X 2x2, L a fixed nonlinear function of Y; m, n, i, j over 1..2.",
    chains=[
        dict(models=[None, None, None], envs=[Env()], defs={0, 1}),
        dict(models=[lambda e: sp.diff(Yt[e.i - 1][e.j - 1], Xt[e.m - 1][e.n - 1])] * 3
             + [lambda e: sum(Wt[e.i - 1][a] * dd(e.m - 1, a) * dd(e.n, e.j) for a in rng), lambda e: Wt[e.i - 1][e.m - 1] * dd(e.n, e.j)], envs=envs(2, ("i", "j", "m", "n"))),
        dict(models=[lambda e: sp.diff(LY, Xt[e.m - 1][e.n - 1]),
                     lambda e: sum(gY[i, j] * sp.diff(Yt[i][j], Xt[e.m - 1][e.n - 1]) for i in rng for j in rng),
                     lambda e: sum(gY[i, j] * Wt[i][e.m - 1] * dd(e.n - 1, j) for i in rng for j in rng),
                     lambda e: sum(gY[i, e.n - 1] * Wt[i][e.m - 1] for i in rng)], envs=envs(2, ("m", "n"))),
        dict(models=[lambda e: sp.Matrix(2, 2, lambda a, j: sp.diff(LY, Xt[a][j])), lambda e: WM.T * gY], envs=[Env()]),
        dict(models=[lambda e: sp.Matrix(2, 2, lambda i, a: sp.diff(LY, Wt[i][a])), lambda e: gY * XM.T], envs=[Env()]),
    ],
    mut=[(2, 3, lambda e: sum(gY[i, e.n - 1] * Wt[e.m - 1][i] for i in rng)), (3, 1, lambda e: WM * gY)],
))

# ---------------------------------------------------------------- 05 layers: dropout (Cross Validated 207481, answer)
a_, mk, p_ = R("a"), R("mk"), R("p")
DR = r"""If we rewrite code as $$b = a*mask / (1-p)$$, the derivatives for backpropagation $$\frac{\partial b}{\partial a}=mask / (1-p),$$ which should be 0s and 2s.

I think it might be more helpful to not see it as a = a * (dropout_mask/(1-p)) (applying the scaling to the mask), but as a = (a*dropout_mask) / (1-p) (applying the scaling to the masked input).

Then this should be something like $$c = a*mask, b= c / (1-p)$$, and we have $$\frac{\partial b}{\partial a}=\frac{\partial b}{\partial c}\frac{\partial c}{\partial a}=\frac{1}{1-p}mask,$$ which is actually the same but maybe this way we can worry less about the value of the masks."""
G.append(dict(
    file="05_layers", src="dropout", title="Inverted dropout backward, Cross Validated 207481 answer (displays inside sentences, 'mask' as a word, '*' for a product)",
    text=DR,
    mut_text=DR.replace(r"$$\frac{\partial b}{\partial a}=mask / (1-p),$$", r"$$\frac{\partial b}{\partial a}=mask / p,$$")
    .replace(r"=\frac{1}{1-p}mask,$$", r"=\frac{1}{1+p}mask,$$"),
    mutation="mask/p for mask/(1-p); 1/(1+p) for 1/(1-p)",
    notes="Model: elementwise, b = a mask/(1-p), mask a free scalar (0 or 2 in practice), p in (0, 1).",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[lambda e: sp.diff(a_ * mk / (1 - p_), a_), lambda e: mk / (1 - p_)], envs=[Env()]),
        dict(models=[None, None, None], envs=[Env()], defs={0, 1}),
        dict(models=[lambda e: sp.diff(a_ * mk / (1 - p_), a_), lambda e: 1 / (1 - p_) * mk, lambda e: mk / (1 - p_)], envs=[Env()]),
    ],
    mut=[(1, 1, lambda e: mk / p_), (3, 2, lambda e: mk / (1 + p_))],
))

# ---------------------------------------------------------------- 05 layers: 1-D convolution (marmaralectures)
Wf = 2
Ll = 4                                  # layer l has L = 4 entries, layer l+1 has L - W + 1 = 3
zm1 = [R(f"zp{i}") for i in range(Ll + Wf - 1)]          # z^{l-1}, 5 entries
wl = [R(f"wa{m}") for m in range(Wf)]                    # w^l
wl1 = [R(f"wb{m}") for m in range(Wf)]                   # w^{l+1}
bl_, bl1 = R("bA"), R("bB")
f = sp.tanh
am1 = [f(t) for t in zm1]
zl = [sum(wl[m] * am1[i + m] for m in range(Wf)) + bl_ for i in range(Ll)]
ZL = [R(f"zl{i}") for i in range(Ll)]
AL = [R(f"al{i}") for i in range(Ll)]
z1_of_a = [sum(wl1[m] * AL[i + m] for m in range(Wf)) + bl1 for i in range(Ll - Wf + 1)]
Z1 = [R(f"Zn{i}") for i in range(Ll - Wf + 1)]
ck = [R(f"ck{i}") for i in range(Ll - Wf + 1)]
C_of_Z1 = sum(ck[i] * sp.sin(Z1[i]) for i in range(len(Z1))) + Z1[0] * Z1[1]
sub_a = {AL[i]: f(ZL[i]) for i in range(Ll)}
z1_of_z = [e.xreplace(sub_a) for e in z1_of_a]
C_of_zl = C_of_Z1.xreplace(dict(zip(Z1, z1_of_z)))
sub_zl = dict(zip(ZL, zl))
C_full = C_of_zl.xreplace(sub_zl)
Gam1 = [sp.diff(C_of_Z1, Z1[m]).xreplace(dict(zip(Z1, z1_of_z))).xreplace(sub_zl) for m in range(len(Z1))]
lo = lambda i: max(i - Wf + 1, 0)
hi = lambda i: min(i, Ll - Wf)
MR_F = r"""\begin{eqnarray}
z^l_i = \sum_{m=0}^{W-1} w^{l}_{m}a^{l-1}_{i+m} + b^l
\end{eqnarray}"""
MR_G = r"""\begin{eqnarray}
\Gamma^l_i = \frac{\partial C}{\partial z^l_i}
\end{eqnarray}"""
MR_R = r"""\begin{eqnarray}
\max (i-W+1,0), \ldots , \min(i, L-W)
\end{eqnarray}"""
MR_B = r"""\begin{eqnarray}
\Gamma^{l-1}_i &=& \frac{\partial C}{\partial z^{l-1}_i}\\
&=& \sum_{m=\max (i-W+1,0)}^{\min(i, L-W)} \frac{\partial C}{\partial z^{l+1}_m} \frac{\partial z^{l+1}_m}{\partial z^l_i}\\
&=& \sum_{m=\max (i-W+1,0)}^{\min(i, L-W)} \frac{\partial C}{\partial z^{l+1}_m} \frac{\partial z^{l+1}_m}{\partial a^l_i} \frac{\partial a^l_i}{\partial z^l_i}\\
&=& \sum_{m=\max (i-W+1,0)}^{\min(i, L-W)} \Gamma^{l+1}_m w_{i-m}^{l+1} \frac{\partial a^l_i}{\partial z^l_i}\\
\end{eqnarray}"""
MR_TEXT = ("Consider the following situation\n- layer $l$ has dimension L, indexed as $0 \\ldots L-1$. It has a single channel.\n- The filter has width $W$. As Layer $l$ has a single channel, the filter also has a single channel,\n- Layer $l+1$ has dimension $L-W+1$, indexed as $0, \\ldots, L-W$. It also has a single channel.\nThe forward equation is\n"
           + MR_F + "\nNote that:\n- Even though the operation above is named as “convolution”, we didn’t flip the filter as we had flipped in our signals and systems classes. So the operation we are doing is more akin to correlation than convolution, despite the name.\n- A single bias is associated with the filter.\nLet us derive the reverse equations. Define $\\Gamma$’ as.\n"
           + MR_G + "\nNote that the output of the neuron $i$ in layer $l$ affects neurons\n" + MR_R + "\nin the layer $l+1$. Therefore we can write the backward equation for $\\Gamma$ as\n" + MR_B)
dC_dz1 = lambda m: sp.diff(C_of_Z1, Z1[m]).xreplace(dict(zip(Z1, z1_of_z))).xreplace(sub_zl)
G.append(dict(
    file="05_layers", src="marmara", title="1-D convolution backward, marmaralectures 'Convolutional neural nets' (eqnarray, sums with max/min limits, a trailing \\\\)",
    text=MR_TEXT,
    mut_text=MR_TEXT.replace(r"\Gamma^{l+1}_m w_{i-m}^{l+1} \frac{\partial a^l_i}{\partial z^l_i}\\", r"\Gamma^{l+1}_m w_{m-i}^{l+1} \frac{\partial a^l_i}{\partial z^l_i}\\"),
    mutation="filter index swapped: w_{m-i} for w_{i-m}",
    real_mistake="The chain starts at layer l-1 (Gamma^{l-1}_i = dC/dz^{l-1}_i) and continues with the layer-l quantity sum_m dC/dz^{l+1}_m dz^{l+1}_m/dz^l_i = dC/dz^l_i: the layer superscripts do not match (the rest is right for layer l).",
    notes="Model: three layers z^{l-1} (5) -> z^l (4) -> z^{l+1} (3), W = 2, L = 4, a = tanh(z), the notes' forward equation for each layer; i in 0..3 (layer l). w_{i-m} is zero outside 0..W-1 (never reached inside the limits).",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[lambda e: sp.diff(C_full, zm1[e.i]), lambda e: sp.diff(C_full, zm1[e.i]),
                     lambda e: sum(dC_dz1(m) * sp.diff(z1_of_z[m], ZL[e.i]).xreplace(sub_zl) for m in range(lo(e.i), hi(e.i) + 1)),
                     lambda e: sum(dC_dz1(m) * sp.diff(z1_of_a[m], AL[e.i]) * sp.diff(f(ZL[e.i]), ZL[e.i]).xreplace(sub_zl) for m in range(lo(e.i), hi(e.i) + 1)),
                     lambda e: sum(Gam1[m] * wl1[e.i - m] * sp.diff(f(ZL[e.i]), ZL[e.i]).xreplace(sub_zl) for m in range(lo(e.i), hi(e.i) + 1))],
             envs=[Env(4, i=i) for i in range(Ll)]),
    ],
    mut=[(2, 4, lambda e: sum(Gam1[m] * (wl1[m - e.i] if 0 <= m - e.i < Wf else 0) * sp.diff(f(ZL[e.i]), ZL[e.i]).xreplace(sub_zl) for m in range(lo(e.i), hi(e.i) + 1)))],
))
