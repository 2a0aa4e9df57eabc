"""Groups for 01_mlp (Nielsen BP2, index form) and 02_rnn (BPTT: KJO144 notes, scalar RNN notes)."""
from lib import *

G = []
D = "definition"

# ---------------------------------------------------------------- 01 MLP, Nielsen's BP2 (math.techqa.club mirror)
n = 3
zl = [R(f"zl{k}") for k in range(1, n + 1)]
Wn = [[R(f"w{j}{k}") for k in range(1, n + 1)] for j in range(1, n + 1)]   # w^{l+1}_{jk}: from k (layer l) to j (layer l+1)
bn = [R(f"b{j}") for j in range(1, n + 1)]
cn = [R(f"c{j}") for j in range(1, n + 1)]
Zs = [R(f"Z{k}") for k in range(1, n + 1)]
As = [R(f"A{k}") for k in range(1, n + 1)]
Cz = sum(cn[j] * sp.sin(Zs[j]) for j in range(n)) + Zs[0] * Zs[1]          # C as a function of z^{l+1}
z1_of_a = [sum(Wn[j][k] * As[k] for k in range(n)) + bn[j] for j in range(n)]
al = [sig(t) for t in zl]
z1 = [e.subs(dict(zip(As, al))) for e in z1_of_a]
C_of_zl = Cz.subs(dict(zip(Zs, z1)))
C_of_a = Cz.subs(dict(zip(Zs, z1_of_a)))
d1 = [sp.diff(Cz, Zs[k]).subs(dict(zip(Zs, z1))) for k in range(n)]      # delta^{l+1}_k
dl = [sp.diff(C_of_zl, zl[j]) for j in range(n)]                          # delta^l_j
sigp = lambda t: sig(t) * (1 - sig(t))
J = lambda e: e.j - 1
jenv = envs(3, ("j",))

NQ_PROVE = r"""\begin{eqnarray} \delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l) \nonumber\end{eqnarray}"""
NQ_41 = r"""\begin{eqnarray} \delta^l_j & = & \frac{\partial C}{\partial z^l_j} \tag{40}\\ & = & \sum_k \frac{\partial C}{\partial z^{l+1}_k} \frac{\partial z^{l+1}_k}{\partial z^l_j} \tag{41}\\ & = & \sum_k \frac{\partial z^{l+1}_k}{\partial z^l_j} \delta^{l+1}_k, \tag{42}\end{eqnarray}"""
NQ_OWN = r"""\begin{eqnarray} \delta^l_j & = & \frac{\partial C}{\partial z^l_j} \\ & = & \frac{\partial C}{\partial a^l_j}\frac{\partial a^l_j}{\partial z^l_j}\\ & = & \frac{\partial C}{\partial a^l_j}\sigma'(z^l_j)\end{eqnarray}"""
NQ_TEXT = ("I'm following along and trying to prove the 4 equations for back propagation in neural networks in chapter 2 of this book:\n\nProve:\n\n"
           + NQ_PROVE + "\n\nHowever, I'm stuck on the very first step of this one, in which $\\delta^l_j$ (error in activation of neuron $j$ in layer $l$) at a more advanced layer is related to the error in a previous layer:\n\n"
           + NQ_41 + "\n\nby definition, $C$ is a function of the activation $a^l_j = \\sigma(z^l_j)$ where $z^l_j$ is the linear combination of weights and biases $z^l_j=\\sum_k w^l_{jk}a^{l-1}_k + b_j$. So, by the chain rule, it's pretty trivial for me to say:\n\n"
           + NQ_OWN + "\n\nEdit in response to comment: I've written $z^{l+1}_j = \\sum_k w^{l+1}_{jk} \\sigma(z^l_k)+ b^{l+1}_j$, which is the only way I can see to write one in terms of the previous.")
vecm = lambda f: sp.Matrix([f(j) for j in range(n)])
G.append(dict(
    file="01_mlp", src="nielsen_q", title="BP2 in index form, math.SE 3689917 question (eqnarray with \\tag and \\nonumber, Nielsen's notation)",
    text=NQ_TEXT,
    mut_text=NQ_TEXT.replace(r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot", r"\delta^l = ((w^{l+1}) \delta^{l+1}) \odot")
    .replace(r"& = & \sum_k \frac{\partial z^{l+1}_k}{\partial z^l_j} \delta^{l+1}_k, \tag{42}", r"& = & \sum_k \frac{\partial z^{l+1}_j}{\partial z^l_k} \delta^{l+1}_k, \tag{42}")
    .replace(r"& = & \frac{\partial C}{\partial a^l_j}\sigma'(z^l_j)\end{eqnarray}", r"& = & \frac{\partial C}{\partial a^l_j}\sigma(z^l_j)\end{eqnarray}"),
    mutation="BP2: transpose dropped ((w^{l+1}) delta^{l+1}); (42): indices swapped in dz^{l+1}/dz^l; own derivation: sigma' written as sigma",
    chains=[
        dict(models=[lambda e: vecm(lambda j: dl[j]), lambda e: vecm(lambda j: sum(Wn[k][j] * d1[k] for k in range(n)) * sigp(zl[j]))], envs=[Env(3)]),
        dict(models=[lambda e: dl[J(e)], lambda e: sp.diff(C_of_zl, zl[J(e)]),
                     lambda e: sum(d1[k] * sp.diff(z1[k], zl[J(e)]) for k in range(n)),
                     lambda e: sum(sp.diff(z1[k], zl[J(e)]) * d1[k] for k in range(n))], envs=jenv),
        dict(models=[lambda e: dl[J(e)], lambda e: sp.diff(C_of_zl, zl[J(e)]),
                     lambda e: sp.diff(C_of_a, As[J(e)]).subs(dict(zip(As, al))) * sp.diff(al[J(e)], zl[J(e)]),
                     lambda e: sp.diff(C_of_a, As[J(e)]).subs(dict(zip(As, al))) * sigp(zl[J(e)])], envs=jenv),
    ],
    mut=[(0, 1, lambda e: vecm(lambda j: sum(Wn[j][k] * d1[k] for k in range(n)) * sigp(zl[j]))),
         (1, 3, lambda e: sum(sp.diff(z1[J(e)], zl[k]) * d1[k] for k in range(n))),
         (2, 3, lambda e: sp.diff(C_of_a, As[J(e)]).subs(dict(zip(As, al))) * sig(zl[J(e)]))],
))

# ---------------------------------------------------------------- 02 RNN, KJO144 notes (implicit sums), t = 3
H, O = 2, 3                       # hidden size, output size
T3 = 3
xs = [[R(f"x{t}{k}") for k in range(1, 3)] for t in range(T3 + 1)]
Uk = [[R(f"U{i}{k}") for k in range(1, 3)] for i in range(1, H + 1)]
Wk = [[R(f"W{i}{k}") for k in range(1, H + 1)] for i in range(1, H + 1)]
Vk = [[R(f"V{i}{k}") for k in range(1, H + 1)] for i in range(1, O + 1)]
bh = [R(f"bh{i}") for i in range(1, H + 1)]
by = [R(f"by{i}") for i in range(1, O + 1)]
h0 = [R(f"hz{i}") for i in range(1, H + 1)]
hs, ps = [h0], [None]
for t in range(1, T3 + 1):
    p = [sum(Uk[i][k] * xs[t][k] for k in range(2)) + sum(Wk[i][k] * hs[t - 1][k] for k in range(H)) + bh[i] for i in range(H)]
    ps.append(p)
    hs.append([sp.tanh(v) for v in p])
ht, hm1 = hs[T3], hs[T3 - 1]
q = [sum(Vk[l][m] * ht[m] for m in range(H)) + by[l] for l in range(O)]
Qs = [R(f"Q{l}") for l in range(1, O + 1)]
Ys = [R(f"Yh{l}") for l in range(1, O + 1)]
oo = 1                            # index of the one-hot target (y_t = e_2)
yv = [1 if l == oo else 0 for l in range(O)]
smx = [sp.exp(Qs[l]) / sum(sp.exp(t) for t in Qs) for l in range(O)]
yhat = [e.subs(dict(zip(Qs, q))) for e in smx]
E_of_Y = -sum(yv[l] * sp.log(Ys[l]) for l in range(O))
E_of_Q = E_of_Y.subs(dict(zip(Ys, smx)))
Et = E_of_Q.subs(dict(zip(Qs, q)))
dE_dY = [sp.diff(E_of_Y, Ys[k]).subs(dict(zip(Ys, yhat))) for k in range(O)]
dY_dQ = [[sp.diff(smx[k], Qs[l]).subs(dict(zip(Qs, q))) for l in range(O)] for k in range(O)]
Tm = lambda t: [[(1 - sp.tanh(ps[t][m]) ** 2) if m == k else 0 for k in range(H)] for m in range(H)]
T_t, T_t1, T_t2 = Tm(T3), Tm(T3 - 1), Tm(T3 - 2)
Wsym = [Wk[i][k] for i in range(H) for k in range(H)]
Vsym = [Vk[i][k] for i in range(O) for k in range(H)]
dd = lambda a, b: 1 if a == b else 0
e_ij_V = envs(3, ("i", "j"), cond=lambda d: d["j"] <= H)
for e in e_ij_V:
    e.K = O
e_ij_W = envs(2, ("i", "j"))
e_mij = envs(2, ("m", "i", "j"))
chain_VQ = lambda e: sum(dE_dY[k] * dY_dQ[k][l] * sp.diff(q[l], Vk[e.i - 1][e.j - 1]) for k in range(O) for l in range(O))
KJO_V1 = r"""$$
\frac{\partial E_t}{\partial V_{ij}} = \frac{\partial E_t}{ \partial \hat{y}_{t_k}} \frac{\partial \hat{y}_{t_k}}{\partial q_l} \frac{\partial q_l}{\partial V_{ij}}
$$"""
KJO_V2 = r"""$$
\hat{y}_{t_k} (\delta_{kl} - \hat{y}_{t_k}),
$$"""
KJO_V3 = r"""$$
\frac{\partial E_t}{ \partial \hat{y}_{t_k}} \frac{\partial \hat{y}_{t_k}}{\partial q_l} = (\hat{y}_t - y_t)_l
$$"""
KJO_V4 = r"""$$
\frac{\partial q_l}{\partial V_{ij}} = \frac{\partial}{\partial V_{ij}} (V_{lm} h_m + {b_y}_l) = \delta_{il} h_j.
$$"""
KJO_V5 = r"""$$
\frac{\partial E_t}{\partial V_{ij}} = ({\hat{y}_t}_i - {y_t}_i) {h_t}_j.
$$"""
KJO_V6 = r"""$$
\frac{\partial E_t}{\partial b_{y_i}} = {\hat{y}_t}_i - {y_t}_i.
$$"""
KJO_V_TEXT = ("Let's pick a time period $t$ and consider its contribution to the loss. As discussed above this is $E_t$. We would like to calculate derivatives of $E_t$ with respect to the parameters $U$, $W$, $V$, $b_h$ and $b_y$.\n\n"
              "Using the chain rule we write (note that $k$ and $l$ are summed-over vector indices, and we have introduced the variable $q = V h_t + b_y$)\n" + KJO_V1
              + "\nThe first term above is just $- y_t / \\hat{y}_t$ while the middle term is just the derivative of the softmax function, and evaluates to\n" + KJO_V2
              + "\nPutting these together and simplifying we get\n" + KJO_V3 + "\n\nThe last term is simply\n" + KJO_V4
              + "\nPutting these pieces together gives us\n" + KJO_V5 + "\n\nIn a very similar way we find\n" + KJO_V6)
G.append(dict(
    file="02_rnn", src="kjo", title="RNN output-layer gradients, KJO144/recurrent_neural_net notes.ipynb (implicit summation over repeated indices)",
    text=KJO_V_TEXT,
    mut_text=KJO_V_TEXT.replace(r"= ({\hat{y}_t}_i - {y_t}_i) {h_t}_j.", r"= ({y_t}_i - {\hat{y}_t}_i) {h_t}_j."),
    mutation="dE_t/dV_ij: sign flipped (y - yhat for yhat - y)",
    notes="Model: softmax output of size 3, cross-entropy E_t = -sum_k y_k log yhat_k with one-hot y, hidden size 2, t = 3; k, l, m summed as the notes say. The display 'yhat_{t_k}(delta_kl - yhat_{t_k})' has no '=' (and writes yhat_{t_k} for yhat_{t_l}); it is not a chain.",
    chains=[
        dict(models=[lambda e: sp.diff(Et, Vk[e.i - 1][e.j - 1]), chain_VQ], envs=e_ij_V),
        dict(models=[lambda e: sum(dE_dY[k] * dY_dQ[k][e.l - 1] for k in range(O)), lambda e: yhat[e.l - 1] - yv[e.l - 1]], envs=envs(3, ("l",))),
        dict(models=[lambda e: sp.diff(q[e.l - 1], Vk[e.i - 1][e.j - 1]), lambda e: sp.diff(q[e.l - 1], Vk[e.i - 1][e.j - 1]),
                     lambda e: dd(e.i, e.l) * ht[e.j - 1]], envs=envs(3, ("i", "j", "l"), cond=lambda d: d["j"] <= H)),
        dict(models=[lambda e: sp.diff(Et, Vk[e.i - 1][e.j - 1]), lambda e: (yhat[e.i - 1] - yv[e.i - 1]) * ht[e.j - 1]], envs=e_ij_V),
        dict(models=[lambda e: sp.diff(Et, by[e.i - 1]), lambda e: yhat[e.i - 1] - yv[e.i - 1]], envs=envs(3, ("i",))),
    ],
    mut=[(3, 1, lambda e: (yv[e.i - 1] - yhat[e.i - 1]) * ht[e.j - 1])],
))

# W part: dh_{t_m}/dW_ij with h_{t-1} depending on W
dh = lambda t, m, i, j: sp.diff(hs[t][m], Wk[i][j])
dp = lambda t, k, i, j: sp.diff(ps[t][k], Wk[i][j])
KJO_W1 = r"""$$
\begin{align}
\frac{\partial E_t}{\partial W_{ij}} &= \frac{\partial E_t}{ \partial \hat{y}_{t_k}} \frac{\partial \hat{y}_{t_k}}{\partial q_l} \frac{\partial q_l}{\partial h_{t_m}} \frac{\partial h_{t_m}}{\partial W_{ij}} \\
\end{align}
$$"""
KJO_W2 = r"""$$
\frac{\partial h_{t_m}}{\partial W_{ij}} = \frac{\partial h_{t_m}}{\partial p_{t_k}} \frac{\partial p_{t_k}}{\partial W_{ij}}.
$$"""
KJO_W3 = r"""$$
\frac{\partial h_{t_m}}{\partial p_{t_k}} = T^t_{mk}
$$"""
KJO_W4 = r"""$$
\begin{align}
\frac{\partial p_{t_k}}{\partial W_{ij}} &= \frac{\partial}{\partial W_{ij}} ( W_{kl} {h_{t-1}}_l )\\
&= \delta_{ik} {h_{t-1}}_j + W_{kl} \frac{\partial {h_{t-1}}_l}{\partial W_{ij}}
\end{align}.
$$"""
KJO_W5 = r"""$$
\begin{align}
\frac{\partial h_{t_m}}{\partial W_{ij}} &= T^t_{mi} {h_{t-1}}_j + T^t_{mk} W_{kl} \frac{\partial {h_{t-1}}_l}{\partial W_{ij}} \\
&= T^t_{mi} {h_{t-1}}_j + T^t_{mk} W_{kl} \big( T^{t-1}_{li} {h_{t-2}}_j + T^{t-1}_{ln} W_{np} \frac{\partial {h_{t-2}}_p}{\partial W_{ij}} \big)\\
&= T^t_{mi} {h_{t-1}}_j + (T^t W T^{t-1})_{mi} {h_{t-2}}_j + (T^t W T^{t-1}W)_{mk} \big( T^{t-2}_{ki} {h_{t-3}}_j + T^{t-2}_{kn} W_{np} \frac{\partial {h_{t-3}}_p}{\partial W_{ij}} \big) \\
&= T^t_{mi} {h_{t-1}}_j + (T^t W T^{t-1})_{mi} {h_{t-2}}_j + (T^t W T^{t-1}W T^{t-2})_{mi} {h_{t-3}}_j + \cdots
\end{align}
$$"""
KJO_W_TEXT = ("Taking the derivative wrt $W$ is complicated by the fact that $E_t$ depends on $W$ in two ways: via the explicit $W$ term in $h_t$, and also indirectly through $h_t$'s dependence on $h_{t-1}$, which of course also depends on $W$, and from there to hidden layer activations at all timesteps less than t.\n\nWe start by writing\n"
              + KJO_W1 + "\n\nWe have already calculated first two factors above - they simplify to $({\\hat{y}_t}_l - {y_t}_l)$, and the third term is just $V_{lm}$. The fun starts when we consider the last term, the derivative of the activation $h_t$ wrt $W$.\nWe define $p_t = U x_t + W h_{t-1} + b_h$ and write\n\n"
              + KJO_W2 + "\nThe first term is the derivative of the tanh, which is $1-\\textrm{tanh}^2$. We express this as\n" + KJO_W3
              + "\nwhere $T^t_{mk}$ is the diagonal matrix whose elements are $(1-\\textrm{tanh}^2)$ of the elements of $p_t$,\nand then\n" + KJO_W4
              + "\nso that\n\n" + KJO_W5 + "\n\nWe see that the derivative receives contributions from all timesteps.")
mm = lambda A, B: [[sum(A[r][k] * B[k][c] for k in range(len(B))) for c in range(len(B[0]))] for r in range(len(A))]
TW = mm(T_t, Wk)
TWT1 = mm(TW, T_t1)
TWT1W = mm(TWT1, Wk)
TWT1WT2 = mm(TWT1W, T_t2)
hm2, hm3 = hs[T3 - 2], hs[T3 - 3]
w_side = [
    lambda e: dh(T3, e.m - 1, e.i - 1, e.j - 1),
    lambda e: T_t[e.m - 1][e.i - 1] * hm1[e.j - 1] + sum(T_t[e.m - 1][k] * Wk[k][l] * dh(T3 - 1, l, e.i - 1, e.j - 1) for k in range(H) for l in range(H)),
    lambda e: T_t[e.m - 1][e.i - 1] * hm1[e.j - 1] + sum(T_t[e.m - 1][k] * Wk[k][l] * (T_t1[l][e.i - 1] * hm2[e.j - 1] + sum(T_t1[l][nn] * Wk[nn][pp] * dh(T3 - 2, pp, e.i - 1, e.j - 1) for nn in range(H) for pp in range(H))) for k in range(H) for l in range(H)),
    lambda e: T_t[e.m - 1][e.i - 1] * hm1[e.j - 1] + TWT1[e.m - 1][e.i - 1] * hm2[e.j - 1] + sum(TWT1W[e.m - 1][k] * (T_t2[k][e.i - 1] * hm3[e.j - 1] + sum(T_t2[k][nn] * Wk[nn][pp] * 0 for nn in range(H) for pp in range(H))) for k in range(H)),
    lambda e: T_t[e.m - 1][e.i - 1] * hm1[e.j - 1] + TWT1[e.m - 1][e.i - 1] * hm2[e.j - 1] + TWT1WT2[e.m - 1][e.i - 1] * hm3[e.j - 1],
]
G.append(dict(
    file="02_rnn", src="kjo", title="RNN hidden-weight gradient (BPTT unrolled), KJO144/recurrent_neural_net notes.ipynb (implicit sums, T^t diagonal)",
    text=KJO_W_TEXT,
    mut_text=KJO_W_TEXT.replace(r"&= \delta_{ik} {h_{t-1}}_j + W_{kl}", r"&= \delta_{jk} {h_{t-1}}_i + W_{kl}")
    .replace(r"&= T^t_{mi} {h_{t-1}}_j + T^t_{mk} W_{kl} \big( T^{t-1}_{li} {h_{t-2}}_j + T^{t-1}_{ln} W_{np} \frac{\partial {h_{t-2}}_p}{\partial W_{ij}} \big)\\", r"&= T^t_{mi} {h_{t-1}}_j + T^t_{mk} W_{kl} \big( T^{t-1}_{li} {h_{t-2}}_j + W_{lp} \frac{\partial {h_{t-2}}_p}{\partial W_{ij}} \big)\\"),
    mutation="dp/dW: indices swapped (delta_jk h_{t-1,i}); unrolled recursion: the tanh' factor T^{t-1} dropped in the inner term",
    notes="Model: t = 3 with a constant h_0, hidden size 2, softmax output size 3; the notes drop U x_t + b_h inside d/dW (constant in W). '+ cdots' is read as the rest of the unrolled sum, which ends at h_0 (no further terms at t = 3); the partial of h_{t-3} = h_0 is 0.",
    chains=[
        dict(models=[lambda e: sp.diff(Et, Wk[e.i - 1][e.j - 1]),
                     lambda e: sum(dE_dY[k] * dY_dQ[k][l] * Vk[l][m] * dh(T3, m, e.i - 1, e.j - 1) for k in range(O) for l in range(O) for m in range(H))], envs=e_ij_W),
        dict(models=[lambda e: dh(T3, e.m - 1, e.i - 1, e.j - 1),
                     lambda e: sum((1 - sp.tanh(ps[T3][e.m - 1]) ** 2) * dd(e.m - 1, k) * dp(T3, k, e.i - 1, e.j - 1) for k in range(H))], envs=e_mij),
        dict(models=[lambda e: (1 - sp.tanh(ps[T3][e.m - 1]) ** 2) * dd(e.m, e.k), lambda e: T_t[e.m - 1][e.k - 1]], envs=envs(2, ("m", "k"))),
        dict(models=[lambda e: dp(T3, e.k - 1, e.i - 1, e.j - 1),
                     lambda e: sum(sp.diff(Wk[e.k - 1][l] * hm1[l], Wk[e.i - 1][e.j - 1]) for l in range(H)),
                     lambda e: dd(e.i, e.k) * hm1[e.j - 1] + sum(Wk[e.k - 1][l] * dh(T3 - 1, l, e.i - 1, e.j - 1) for l in range(H))], envs=envs(2, ("k", "i", "j"))),
        dict(models=w_side, envs=e_mij),
    ],
    mut=[(3, 2, lambda e: dd(e.j, e.k) * hm1[e.i - 1] + sum(Wk[e.k - 1][l] * dh(T3 - 1, l, e.i - 1, e.j - 1) for l in range(H))),
         (4, 2, lambda e: T_t[e.m - 1][e.i - 1] * hm1[e.j - 1] + sum(T_t[e.m - 1][k] * Wk[k][l] * (T_t1[l][e.i - 1] * hm2[e.j - 1] + sum(Wk[l][pp] * dh(T3 - 2, pp, e.i - 1, e.j - 1) for pp in range(H))) for k in range(H) for l in range(H)))],
))

# ---------------------------------------------------------------- 02 RNN, scalar RNN with one hidden node (GitHub notes)
w_, v_, b_, u_, d_ = R("w"), R("v"), R("b"), R("u"), R("d")
TT = 2
xx = [R(f"x{t}") for t in range(TT + 1)]
yy = [R(f"y{t}") for t in range(TT + 1)]
aa, hh = [w_ * xx[0] + b_], []
hh.append(sig(aa[0]))
for t in range(1, TT + 1):
    aa.append(w_ * xx[t] + v_ * hh[t - 1] + b_)
    hh.append(sig(aa[t]))
yh = [u_ * hh[t] + d_ for t in range(TT + 1)]
Lt = [sp.Rational(1, 2) * (yy[t] - yh[t]) ** 2 for t in range(TT + 1)]
dLdyh = lambda t: -(yy[t] - yh[t])
sp_ = lambda t: sig(aa[t]) * (1 - sig(aa[t]))
tenv = envs(2, ("t",))
TT_ = lambda e: e.t
RNN_MODEL = r"""$$a^t = wx^t + vh^{t-1} + b$$
$$a^0 = wx^0 + b$$
$$h^t = \sigma(a^t),\\ \ \ \ \  \text{where}\ \sigma\ \text{is the sigmoid function}$$
$$\hat{y}^t = uh^t + d$$

## Loss

Loss is defined as the mean squared error over all time samples.

$$L = \frac{1}{T}\sum_{t=0}^TL^t$$
$$L^t = \frac{1}{2}(y^t - \hat{y}^t)^2$$"""
defs1 = dict(models=[None, None], envs=[Env()], defs={0})
G.append(dict(
    file="02_rnn", src="rnn1", title="Scalar RNN model and loss, GitHub notes 'Simple recurrent neural network, single hidden node' (one display per line)",
    text=RNN_MODEL,
    mut_text=RNN_MODEL.replace(r"$$L^t = \frac{1}{2}(y^t - \hat{y}^t)^2$$", r"$$L^t = \frac{1}{2}(y^t - \hat{y}^t)$$"),
    mutation="none that a checker can judge (definitions); the loss definition loses its square (changes the meaning, still a definition)",
    chains=[dict(defs1) for _ in range(6)],
    mut=[],
))
RNN_D = r"""$$\begin{aligned}
    \frac{\partial L^t}{\partial d} & = \frac{\partial L^t}{\partial \hat{y}^t} \cdot \frac{\partial \hat{y}^t}{\partial d} \\
    & = -(y^t - \hat{y}^t)
\end{aligned}$$

### $u$
<hr>

$$\begin{aligned}
    \frac{\partial L^t}{\partial u} & = \frac{\partial L^t}{\partial \hat{y}^t} \cdot \frac{\partial \hat{y}^t}{\partial u} \\
    & = -(y^t - \hat{y}^t) h^t
\end{aligned}$$"""
G.append(dict(
    file="02_rnn", src="rnn1", title="Scalar RNN, output-layer gradients d and u (aligned)",
    text=RNN_D,
    mut_text=RNN_D.replace("    & = -(y^t - \\hat{y}^t)\n\\end{aligned}$$\n\n### $u$", "    & = (y^t - \\hat{y}^t)\n\\end{aligned}$$\n\n### $u$"),
    mutation="dL/dd: the minus sign dropped",
    chains=[dict(models=[lambda e: sp.diff(Lt[e.t], d_), lambda e: dLdyh(e.t) * 1, lambda e: -(yy[e.t] - yh[e.t])], envs=tenv),
            dict(models=[lambda e: sp.diff(Lt[e.t], u_), lambda e: dLdyh(e.t) * hh[e.t], lambda e: -(yy[e.t] - yh[e.t]) * hh[e.t]], envs=tenv)],
    mut=[(0, 2, lambda e: (yy[e.t] - yh[e.t]))],
))
RNN_B = r"""$$\frac{\partial L^t}{\partial b} = \frac{\partial L^t}{\partial \hat{y}^t} \cdot \frac{\partial \hat{y}^t}{\partial h^t} \cdot \frac{\partial h^t}{\partial b}$$

$$\frac{\partial h^t}{\partial b} = \frac{\partial h^t}{\partial a^t} \cdot \frac{\partial a^t}{\partial b} $$

$a^t$ is dependent on $b$ both via $b$ itself as well as through $h^{t-1}$. Therefore:

$$\frac{\partial a^t}{\partial b} = v\frac{\partial h^{t-1}}{\partial b} + 1$$

Putting it together:
$$\frac{\partial L^t}{\partial b} = -(y^t - \hat{y}^t) u \cdot \frac{\partial h^t}{\partial b}$$
$$\frac{\partial h^t}{\partial b} = \sigma'(a^t) \left [ v\frac{\partial h^{t-1}}{\partial b} + 1 \right ]$$
$$\frac{\partial h^0}{\partial b} = \sigma'(a^0)$$"""
G.append(dict(
    file="02_rnn", src="rnn1", title="Scalar RNN, bias gradient through time (recursion in dh^t/db)",
    text=RNN_B,
    mut_text=RNN_B.replace(r"$$\frac{\partial h^t}{\partial b} = \sigma'(a^t) \left [ v\frac{\partial h^{t-1}}{\partial b} + 1 \right ]$$", r"$$\frac{\partial h^t}{\partial b} = v\frac{\partial h^{t-1}}{\partial b} + 1$$"),
    mutation="recursion for dh^t/db: the sigma'(a^t) factor dropped",
    notes="Model: T = 2, t in {1, 2}; partials of L^t, h^t, a^t with respect to b are total derivatives (h^{t-1} depends on b).",
    chains=[dict(models=[lambda e: sp.diff(Lt[e.t], b_), lambda e: dLdyh(e.t) * u_ * sp.diff(hh[e.t], b_)], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[e.t], b_), lambda e: sp_(e.t) * sp.diff(aa[e.t], b_)], envs=tenv),
            dict(models=[lambda e: sp.diff(aa[e.t], b_), lambda e: v_ * sp.diff(hh[e.t - 1], b_) + 1], envs=tenv),
            dict(models=[lambda e: sp.diff(Lt[e.t], b_), lambda e: -(yy[e.t] - yh[e.t]) * u_ * sp.diff(hh[e.t], b_)], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[e.t], b_), lambda e: sp_(e.t) * (v_ * sp.diff(hh[e.t - 1], b_) + 1)], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[0], b_), lambda e: sp_(0)], envs=[Env()])],
    mut=[(4, 1, lambda e: v_ * sp.diff(hh[e.t - 1], b_) + 1)],
))
RNN_W = r"""$$\frac{\partial L^t}{\partial w} = -(y^t - \hat{y}^t) u \cdot \frac{\partial h^t}{\partial w}$$
$$\frac{\partial h^t}{\partial w} = \sigma'(a^t) \left [ v\frac{\partial h^{t-1}}{\partial w} + x^t \right ]$$
$$\frac{\partial h^0}{\partial w} = \sigma'(a^0)x^t$$"""
G.append(dict(
    file="02_rnn", src="rnn1", title="Scalar RNN, input-weight gradient ('Analogously to b')",
    text="Analogously to $b$:\n" + RNN_W,
    mut_text="Analogously to $b$:\n" + RNN_W.replace(r"v\frac{\partial h^{t-1}}{\partial w} + x^t \right ]", r"v\frac{\partial h^{t-1}}{\partial w} + x^{t-1} \right ]"),
    mutation="recursion for dh^t/dw: x^{t-1} for x^t (time index shifted)",
    real_mistake="dh^0/dw = sigma'(a^0) x^0, since a^0 = w x^0 + b; the notes write x^t (t >= 1 elsewhere in the display group).",
    chains=[dict(models=[lambda e: sp.diff(Lt[e.t], w_), lambda e: -(yy[e.t] - yh[e.t]) * u_ * sp.diff(hh[e.t], w_)], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[e.t], w_), lambda e: sp_(e.t) * (v_ * sp.diff(hh[e.t - 1], w_) + xx[e.t])], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[0], w_), lambda e: sp_(0) * xx[e.t]], envs=tenv)],
    mut=[(1, 1, lambda e: sp_(e.t) * (v_ * sp.diff(hh[e.t - 1], w_) + xx[e.t - 1]))],
))
RNN_V = r"""$$\frac{\partial L^t}{\partial v} = \frac{\partial L^t}{\partial \hat{y}^t} \cdot \frac{\partial \hat{y}^t}{\partial h^t} \cdot \frac{\partial h^t}{\partial v}$$

$$\frac{\partial h^t}{\partial v} = \frac{\partial h^t}{\partial a^t} \cdot \frac{\partial a^t}{\partial v}$$

However calculation of $\frac{\partial a^t}{\partial v}$ now requires the product rule:

$$\begin{aligned}
    \frac{\partial a^t}{\partial v} = & v\frac{\partial h^{t-1}}{\partial v} + \frac{\partial v}{\partial v}h^{t-1} \\
    = & v\frac{\partial h^{t-1}}{\partial v} + h^{t-1} 
\end{aligned}$$

Together:
$$\frac{\partial L^t}{\partial v} = -(y^t - \hat{y}^t) u \cdot \frac{\partial h^t}{\partial v}$$
$$\frac{\partial h^t}{\partial v} = \sigma'(a^t) \left [ v\frac{\partial h^{t-1}}{\partial v} + h^{t-1} \right ]$$
$$\frac{\partial h^0}{\partial v} = 0$$"""
G.append(dict(
    file="02_rnn", src="rnn1", title="Scalar RNN, recurrent-weight gradient (product rule, aligned with '= &')",
    text="Analogously to $b$ and $w$:\n" + RNN_V,
    mut_text="Analogously to $b$ and $w$:\n" + RNN_V.replace(r"    = & v\frac{\partial h^{t-1}}{\partial v} + h^{t-1} ", r"    = & v\frac{\partial h^{t-1}}{\partial v} + h^{t} "),
    mutation="product rule: h^t for h^{t-1} in the last side",
    chains=[dict(models=[lambda e: sp.diff(Lt[e.t], v_), lambda e: dLdyh(e.t) * u_ * sp.diff(hh[e.t], v_)], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[e.t], v_), lambda e: sp_(e.t) * sp.diff(aa[e.t], v_)], envs=tenv),
            dict(models=[lambda e: sp.diff(aa[e.t], v_), lambda e: v_ * sp.diff(hh[e.t - 1], v_) + 1 * hh[e.t - 1], lambda e: v_ * sp.diff(hh[e.t - 1], v_) + hh[e.t - 1]], envs=tenv),
            dict(models=[lambda e: sp.diff(Lt[e.t], v_), lambda e: -(yy[e.t] - yh[e.t]) * u_ * sp.diff(hh[e.t], v_)], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[e.t], v_), lambda e: sp_(e.t) * (v_ * sp.diff(hh[e.t - 1], v_) + hh[e.t - 1])], envs=tenv),
            dict(models=[lambda e: sp.diff(hh[0], v_), lambda e: sp.Integer(0)], envs=[Env()])],
    mut=[(2, 2, lambda e: v_ * sp.diff(hh[e.t - 1], v_) + hh[e.t])],
))
