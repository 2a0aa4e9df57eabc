"""Groups for 03_word2vec (naive softmax, negative sampling, skip-gram and CBOW)."""
from lib import *

G = []
Dd = 2       # embedding dimension
NV = 3       # vocabulary size
vc = sp.Matrix([R(f"vc{k}") for k in range(1, Dd + 1)])
uu = [sp.Matrix([R(f"u{w}{k}") for k in range(1, Dd + 1)]) for w in range(1, NV + 1)]
dot = lambda a, b: (a.T * b)[0, 0]
S = sum(sp.exp(dot(uu[w], vc)) for w in range(NV))
yh = [sp.exp(dot(uu[w], vc)) / S for w in range(NV)]
grad = lambda f, v: sp.Matrix([sp.diff(f, t) for t in v])
o = 1                       # target word index (0-based), word 2
Jsm = -sp.log(yh[o])

# ---------------------------------------------------------------- Rockung/ml, softmax word2vec
ROCK_SM = r"""\begin{align}
\hat y_{o} =p(o|c) & = \frac {e^{u_{o}^\top v_{c}}} {\sum_{w=1}^{V} e^{u_{w}^\top v_{c}}} \\
J_{softmax-CE}(o, v_{c}, U) & = CE(y_{o},\hat y_{o}) = -y_{o} \log \hat y_{o} \\
& = -\log e^{u_{o}^\top v_{c}} + \log \sum_{w=1}^{V} e^{u_{w}^\top v_{c}} \\
& = -u_{o}^\top v_{c}  + \log \sum_{w=1}^{V} e^{u_{w}^\top v_{c}} \\
\frac {\partial{J}} {\partial{v_{c}}} & = -u_{o} + \sum_{w=1}^{V} \hat y_{w} u_{w} \\
\frac {\partial{J}} {\partial{u_{o}}} & = (\hat y_{w} -1) v_{c} \\
\frac {\partial{J}} {\partial{u_{w}}} & = \hat y_{w} v_{c}, \quad \text {for all}\; w \neq o
\end{align}"""
PRE_SM = "Compute cost, gradients for softmax in word2vec model\n* parameters: predicted, outputVectors, target\n\n"
POST_SM = "\n\nIn the following code, **predicted** is vector $v_{c}$, **outputVectors** is matrix $U$, **target** is subscript $o$, **cost** is $J_{softmax-CE}(o, v_{c}, U)$, **gradPred** is $\\frac {\\partial{J}} {\\partial{v_{c}}}$, and **grad** are $\\frac {\\partial{J}} {\\partial{u_{o}}}$ and $\\frac {\\partial{J}} {\\partial{u_{w}}}$ ."
G.append(dict(
    file="03_word2vec", src="rock_sm", title="Softmax word2vec cost and gradients, Rockung/ml notebook (align, several = per row, \\quad \\text{for all})",
    text=PRE_SM + ROCK_SM + POST_SM,
    mut_text=PRE_SM + ROCK_SM.replace(r"& = -u_{o} + \sum_{w=1}^{V} \hat y_{w} u_{w} \\", r"& = u_{o} + \sum_{w=1}^{V} \hat y_{w} u_{w} \\")
    .replace(r"& = \hat y_{w} v_{c}, \quad", r"& = \hat y_{o} v_{c}, \quad") + POST_SM,
    mutation="dJ/dv_c: sign of u_o flipped; dJ/du_w: yhat_o for yhat_w (index)",
    real_mistake="dJ/du_o = (yhat_o - 1) v_c; the notebook writes yhat_w (w unbound on that row; not equal for w != o).",
    notes="Model: vocabulary 3, embedding 2, o = 2, y one-hot at o (y_o = 1, the target word). Row 1 defines yhat_o and p(o|c): definitions.",
    chains=[
        dict(models=[None, None, None], envs=[Env()], defs={0, 1}),
        dict(same=True, models=[lambda e: Jsm, lambda e: -1 * sp.log(yh[o]), lambda e: -1 * sp.log(yh[o]),
                     lambda e: -sp.log(sp.exp(dot(uu[o], vc))) + sp.log(S), lambda e: -dot(uu[o], vc) + sp.log(S)], envs=[Env()]),
        dict(same=True, models=[lambda e: grad(Jsm, vc), lambda e: -uu[o] + sum((yh[w] * uu[w] for w in range(NV)), sp.zeros(Dd, 1))], envs=[Env()]),
        dict(same=True, models=[lambda e: grad(Jsm, uu[o]), lambda e: (yh[e.w - 1] - 1) * vc], envs=envs(3, ("w",))),
        dict(same=True, models=[lambda e: grad(Jsm, uu[e.w - 1]), lambda e: yh[e.w - 1] * vc], envs=envs(3, ("w",), cond=lambda d: d["w"] != o + 1)),
    ],
    mut=[(2, 1, lambda e: uu[o] + sum((yh[w] * uu[w] for w in range(NV)), sp.zeros(Dd, 1))),
         (4, 1, lambda e: yh[o] * vc)],
))

# ---------------------------------------------------------------- Rockung/ml, negative sampling
KK = 2
un = [sp.Matrix([R(f"n{k}{d}") for d in range(1, Dd + 1)]) for k in range(1, KK + 1)]   # u_k, negatives
uo = uu[o]
Jns = -sp.log(sig(dot(uo, vc))) - sum(sp.log(sig(-dot(un[k], vc))) for k in range(KK))
ROCK_NS = r"""\begin{align}
J_{neg-sample}(o, v_{c}, U) & = -\log(\delta(u_{o}^\top v_{c}) - \sum_{k=1}^{K} \log(\delta(-u_{k}^\top v_{c})) \\
\frac {\partial{J}} {\partial{v_{c}}} & = (\delta(u_{o}^\top v_{c})-1) u_{o} - \sum_{k=1}^{K} (\delta(-u_{k}^\top v_{c})-1) u_{k} \\
\frac {\partial{J}} {\partial{u_{o}}} & = (\delta(u_{o}^\top v_{c})-1) v_{c} \\
\frac {\partial{J}} {\partial{u_{k}}} & = (\delta(u_{k}^\top v_{c})-1) v_{c}, \quad \text {for all}\; k = 1,2,\dots, K
\end{align}"""
PRE_NS = "Compute cost, gradients for negative-sample in word2vec model\n* parameters: predicted, outputVectors, target, indices\n* target, indices are the indices into outputVectors\n* K is the length of indices\n\n"
POST_NS = "\n\nIn the following code, **predicted** is vector $v_{c}$, **outputVectors** is matrix $U$, **target** is subscript $o$, **cost** is $J_{neg-sample}(o, v_{c}, U)$, **gradPred** is $\\frac {\\partial{J}} {\\partial{v_{c}}}$, and **grad** are $\\frac {\\partial{J}} {\\partial{u_{o}}}$ and $\\frac {\\partial{J}} {\\partial{u_{k}}}$ ."
G.append(dict(
    file="03_word2vec", src="rock_ns", title="Negative-sampling word2vec cost and gradients, Rockung/ml notebook (delta names the sigmoid; unbalanced parenthesis in the cost)",
    text=PRE_NS + ROCK_NS + POST_NS,
    mut_text=PRE_NS + ROCK_NS.replace(r"& = (\delta(u_{o}^\top v_{c})-1) u_{o} - \sum_{k=1}^{K}", r"& = (\delta(u_{o}^\top v_{c})-1) u_{o} + \sum_{k=1}^{K}")
    .replace(r"& = (\delta(u_{o}^\top v_{c})-1) v_{c} \\", r"& = (\delta(u_{o}^\top v_{c})-1) u_{o} \\") + POST_NS,
    mutation="dJ/dv_c: minus before the sum flipped to plus; dJ/du_o: u_o for v_c",
    real_mistake="dJ/du_k = (1 - sigma(-u_k^T v_c)) v_c = sigma(u_k^T v_c) v_c; the notebook writes (sigma(u_k^T v_c) - 1) v_c (sign).",
    notes="The notebook's delta is the sigmoid (its code imports sigmoid); the cost row has an unbalanced parenthesis and is a definition. Model: K = 2 negatives, embedding 2.",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(same=True, models=[lambda e: grad(Jns, vc), lambda e: (sig(dot(uo, vc)) - 1) * uo - sum(((sig(-dot(un[k], vc)) - 1) * un[k] for k in range(KK)), sp.zeros(Dd, 1))], envs=[Env()]),
        dict(same=True, models=[lambda e: grad(Jns, uo), lambda e: (sig(dot(uo, vc)) - 1) * vc], envs=[Env()]),
        dict(same=True, models=[lambda e: grad(Jns, un[e.k - 1]), lambda e: (sig(dot(un[e.k - 1], vc)) - 1) * vc], envs=envs(2, ("k",))),
    ],
    mut=[(1, 1, lambda e: (sig(dot(uo, vc)) - 1) * uo + sum(((sig(-dot(un[k], vc)) - 1) * un[k] for k in range(KK)), sp.zeros(Dd, 1))),
         (2, 1, lambda e: (sig(dot(uo, vc)) - 1) * uo)],
))

# ---------------------------------------------------------------- Stevring, CS224n 2019 a2 written part
D3 = 3                     # here |V| = D = 3 so that U^T (yhat - y) is defined
vc3 = sp.Matrix([R(f"c{k}") for k in range(1, D3 + 1)])
U3 = sp.Matrix(D3, D3, lambda i, j: R(f"U{i + 1}{j + 1}"))     # columns u_w
th = U3.T * vc3
Sm = sum(sp.exp(t) for t in th)
yh3 = sp.Matrix([sp.exp(t) / Sm for t in th])
y3 = sp.Matrix([1 if w == o else 0 for w in range(D3)])
J3 = -sp.log(yh3[o])
Usyms = list(U3)
dJdU = sp.Matrix(D3, D3, lambda i, j: sp.diff(J3, U3[i, j]))
yw = [R(f"ys{w}") for w in range(1, D3 + 1)]
ST_A = r"""$$\begin{aligned}
    - \sum_{w\in Vocab}y_w\log(\hat{y}_w) &= - [y_1\log(\hat{y}_1) + \cdots + y_o\log(\hat{y}_o) + \cdots + y_w\log(\hat{y}_w)] \\
    & = - y_o\log(\hat{y}_o) \\
    & = -\log(\hat{y}_o) \\
    & = -\log \mathrm{P}(O = o | C = c)
\end{aligned}$$"""
ST_B = r"""$$
\because J = CE(y, \hat{y}) \\
\hat{y} = softmax(\theta)\\
\therefore \frac{\partial J}{\partial \theta} = (\hat{y} - y)^T
$$

$y$ is a column vector in the above equation. So, we can use chain rules to solve the deravitive:

$$\begin{aligned}
\frac{\partial J}{\partial v_c} &= \frac{\partial J}{\partial \theta} \frac{\partial \theta}{\partial v_c} \\
&= (\hat{y} - y) \frac{\partial U^Tv_c}{\partial v_c} \\
&= U^T(\hat{y} - y)^T
\end{aligned}$$"""
ST_C = r"""$$\begin{aligned}
\frac{\partial J}{\partial v_c} &= \frac{\partial J}{\partial \theta} \frac{\partial \theta}{\partial U} \\
&= (\hat{y} - y) \frac{\partial U^Tv_c}{\partial U} \\
&= v_c(\hat{y} - y)^T
\end{aligned}$$"""
ST_D = r"""$$
\begin{aligned}
\frac{\partial \,\sigma(x)}{\partial x}=\sigma(x)(1-\sigma(x))
\end{aligned}
$$"""
ST_E = r"""$$
\frac{\partial J}{\partial v_c}=-(1-\sigma(u_o^Tv_c))u_o+\sum_{k=1}^K(1-\sigma(u^T_{k}v_c))u_k \\
\frac{\partial J}{\partial u_o}=-(1-\sigma(u^T_ov_c))v_c\\

\frac{\partial J}{\partial u_k}=(1-\sigma(u^T_k v_c))v_c
$$"""
ST_TEXT = ("**(a)**  As described in the doc, $\\boldsymbol{y}$ is a one-hot vector with a 1 for the true outside word $o$, that means $y_i$ is 1 if and only if $i == o$. so the proof could be below:\n\n" + ST_A
           + "\n\n**(b)** we know this deravatives:\n" + ST_B + "\n\n**(c)**\nsimilar to the equation above.\n" + ST_C + "\n\n**(d)**\n" + ST_D + "\n**(e)**\n"
           + "(Part (e) answers the assignment's negative-sampling loss $J = -\\log(\\sigma(u_o^Tv_c)) - \\sum_{k=1}^K \\log(\\sigma(-u_k^Tv_c))$, which the write-up does not restate.)\n\n" + ST_E)
x_ = R("x")
ths = [R(f"th{k}") for k in range(1, D3 + 1)]
yth = sp.Matrix([sp.exp(t) / sum(sp.exp(r) for r in ths) for t in ths])
Jth = -sp.log(yth[o])
sum_y_log = lambda: -sum(yw[w] * sp.log(yh3[w]) for w in range(D3))
onehot = lambda p, env: {**p, **{s: (1 if k == o else 0) for k, s in enumerate(yw) if s in p}}
G.append(dict(
    file="03_word2vec", src="stevring", title="Word2vec written answers, Stevring/cs224n-2019-projects a2 (transposes, because/therefore, a blank line inside a display)",
    text=ST_TEXT,
    mut_text=ST_TEXT.replace("    & = -\\log(\\hat{y}_o) \\\\\n", "    & = \\log(\\hat{y}_o) \\\\\n")
    .replace(r"\frac{\partial \,\sigma(x)}{\partial x}=\sigma(x)(1-\sigma(x))", r"\frac{\partial \,\sigma(x)}{\partial x}=\sigma(x)(1+\sigma(x))")
    .replace(r"\frac{\partial J}{\partial u_o}=-(1-\sigma(u^T_ov_c))v_c\\", r"\frac{\partial J}{\partial u_o}=(1-\sigma(u^T_ov_c))v_c\\"),
    mutation="(a): -log yhat_o written +log; (d): sigma(1+sigma); (e): dJ/du_o sign dropped",
    real_mistake="(b) last side U^T(yhat - y)^T for U(yhat - y); (c) the left side says dJ/dv_c for dJ/dU; (e) (1 - sigma(u_k^T v_c)) for sigma(u_k^T v_c) = 1 - sigma(-u_k^T v_c), twice.",
    notes="Model: |V| = D = 3 so that U^T(yhat - y) is defined (a transpose on a vector is read as the same vector); U's columns are u_w, theta = U^T v_c, y one-hot at o = 2; (b)'s and (c)'s middle sides read as the contractions they stand for; in (e), K = 2 negatives, embedding 2. (e)'s J is restated in brackets in prose.",
    chains=[
        dict(models=[lambda e: sum_y_log(), lambda e: sum_y_log(), lambda e: -yw[o] * sp.log(yh3[o]), lambda e: -sp.log(yh3[o]), lambda e: -sp.log(yh3[o])], envs=[Env()], constrain=onehot),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(same=True, models=[None, None], envs=[Env()], defs={0}),
        dict(same=True, models=[lambda e: grad(Jth, ths), lambda e: yth - y3], envs=[Env()]),
        dict(models=[lambda e: grad(J3, vc3), lambda e: U3 * (yh3 - y3), lambda e: U3 * (yh3 - y3), lambda e: U3.T * (yh3 - y3)], envs=[Env()]),
        dict(models=[lambda e: grad(J3, vc3), lambda e: dJdU, lambda e: vc3 * (yh3 - y3).T, lambda e: vc3 * (yh3 - y3).T], envs=[Env()]),
        dict(models=[lambda e: sp.diff(sig(x_), x_), lambda e: sig(x_) * (1 - sig(x_))], envs=[Env()]),
        dict(models=[lambda e: grad(Jns, vc), lambda e: -(1 - sig(dot(uo, vc))) * uo + sum(((1 - sig(dot(un[k], vc))) * un[k] for k in range(KK)), sp.zeros(Dd, 1))], envs=[Env()]),
        dict(same=True, models=[lambda e: grad(Jns, uo), lambda e: -(1 - sig(dot(uo, vc))) * vc], envs=[Env()]),
        dict(same=True, models=[lambda e: grad(Jns, un[e.k - 1]), lambda e: (1 - sig(dot(un[e.k - 1], vc))) * vc], envs=envs(2, ("k",))),
    ],
    mut=[(0, 3, lambda e: sp.log(yh3[o])), (6, 1, lambda e: sig(x_) * (1 + sig(x_))), (8, 1, lambda e: (1 - sig(dot(uo, vc))) * vc)],
))

# ---------------------------------------------------------------- d2l-en, skip-gram and CBOW gradients
D2L_SG = r"""$$\log P(w_o \mid w_c) =
\mathbf{u}_o^\top \mathbf{v}_c - \log\left(\sum_{i \in \mathcal{V}} \text{exp}(\mathbf{u}_i^\top \mathbf{v}_c)\right).$$

Through differentiation, we can get the gradient $\mathbf{v}_c$ from the formula above.

$$
\begin{aligned}
\frac{\partial \text{log}\, P(w_o \mid w_c)}{\partial \mathbf{v}_c}
&= \mathbf{u}_o - \frac{\sum_{j \in \mathcal{V}} \exp(\mathbf{u}_j^\top \mathbf{v}_c)\mathbf{u}_j}{\sum_{i \in \mathcal{V}} \exp(\mathbf{u}_i^\top \mathbf{v}_c)}\\
&= \mathbf{u}_o - \sum_{j \in \mathcal{V}} \left(\frac{\text{exp}(\mathbf{u}_j^\top \mathbf{v}_c)}{ \sum_{i \in \mathcal{V}} \text{exp}(\mathbf{u}_i^\top \mathbf{v}_c)}\right) \mathbf{u}_j\\
&= \mathbf{u}_o - \sum_{j \in \mathcal{V}} P(w_j \mid w_c) \mathbf{u}_j.
\end{aligned}
$$"""
SG_PRE = "(Earlier in the section: $P(w_o \\mid w_c) = \\frac{\\text{exp}(\\mathbf{u}_o^\\top \\mathbf{v}_c)}{ \\sum_{i \\in \\mathcal{V}} \\text{exp}(\\mathbf{u}_i^\\top \\mathbf{v}_c)}$.) By definition, we first have\n\n"
lP = sp.log(yh[o])
su = lambda f: sum((f(j) for j in range(NV)), sp.zeros(Dd, 1))
G.append(dict(
    file="03_word2vec", src="d2l_sg", title="Skip-gram gradient for the center vector, d2l-en 'Word Embedding (word2vec)' (aligned, \\mathbf, \\mid, \\mathcal{V})",
    text=SG_PRE + D2L_SG,
    mut_text=SG_PRE + D2L_SG.replace(r"&= \mathbf{u}_o - \sum_{j \in \mathcal{V}} P(w_j \mid w_c) \mathbf{u}_j.", r"&= \mathbf{u}_o - \sum_{j \in \mathcal{V}} P(w_j \mid w_c) \mathbf{u}_o."),
    mutation="last side: u_o for u_j inside the sum (index)",
    notes="Model: vocabulary 3, embedding 2, o = 2. The softmax definition comes from an earlier display of the section and is restated in prose in brackets.",
    chains=[
        dict(models=[lambda e: lP, lambda e: dot(uu[o], vc) - sp.log(S)], envs=[Env()]),
        dict(models=[lambda e: grad(lP, vc), lambda e: uu[o] - su(lambda j: sp.exp(dot(uu[j], vc)) * uu[j]) / S,
                     lambda e: uu[o] - su(lambda j: (sp.exp(dot(uu[j], vc)) / S) * uu[j]), lambda e: uu[o] - su(lambda j: yh[j] * uu[j])], envs=[Env()]),
    ],
    mut=[(1, 3, lambda e: uu[o] - su(lambda j: yh[j] * uu[o]))],
))
vo = [sp.Matrix([R(f"vo{i}{d}") for d in range(1, Dd + 1)]) for i in range(1, 3)]     # 2m = 2 context words
vbar = (vo[0] + vo[1]) / 2
Sb = sum(sp.exp(dot(uu[w], vbar)) for w in range(NV))
cc = 0
lPc = sp.log(sp.exp(dot(uu[cc], vbar)) / Sb)
D2L_CB = r"""$$\log\,P(w_c \mid \mathcal{W}_o) = \mathbf{u}_c^\top \bar{\mathbf{v}}_o - \log\,\left(\sum_{i \in \mathcal{V}} \exp\left(\mathbf{u}_i^\top \bar{\mathbf{v}}_o\right)\right).$$

Through differentiation, we can compute the logarithm of the conditional probability of the gradient of any context word vector $\mathbf{v}_{o_i}$($i = 1, \ldots, 2m$) in the formula above.

$$\frac{\partial \log\, P(w_c \mid \mathcal{W}_o)}{\partial \mathbf{v}_{o_i}} = \frac{1}{2m} \left(\mathbf{u}_c - \sum_{j \in \mathcal{V}} \frac{\exp(\mathbf{u}_j^\top \bar{\mathbf{v}}_o)\mathbf{u}_j}{ \sum_{i \in \mathcal{V}} \text{exp}(\mathbf{u}_i^\top \bar{\mathbf{v}}_o)} \right) = \frac{1}{2m}\left(\mathbf{u}_c - \sum_{j \in \mathcal{V}} P(w_j \mid \mathcal{W}_o) \mathbf{u}_j \right).$$"""
CB_PRE = ("For brevity, denote $\\mathcal{W}_o= \\{w_{o_1}, \\ldots, w_{o_{2m}}\\}$, and $\\bar{\\mathbf{v}}_o = \\left(\\mathbf{v}_{o_1} + \\ldots, + \\mathbf{v}_{o_{2m}} \\right)/(2m)$. "
          "(Earlier: $P(w_c \\mid \\mathcal{W}_o) = \\frac{\\exp\\left(\\mathbf{u}_c^\\top \\bar{\\mathbf{v}}_o\\right)}{\\sum_{i \\in \\mathcal{V}} \\exp\\left(\\mathbf{u}_i^\\top \\bar{\\mathbf{v}}_o\\right)}$.) Notice that\n\n")
G.append(dict(
    file="03_word2vec", src="d2l_cbow", title="CBOW gradient for a context vector, d2l-en 'Word Embedding (word2vec)' (bar over a bold vector, 1/(2m))",
    text=CB_PRE + D2L_CB,
    mut_text=CB_PRE + D2L_CB.replace(r"= \frac{1}{2m}\left(\mathbf{u}_c - \sum_{j \in \mathcal{V}} P(w_j \mid \mathcal{W}_o) \mathbf{u}_j \right).$$", r"= \left(\mathbf{u}_c - \sum_{j \in \mathcal{V}} P(w_j \mid \mathcal{W}_o) \mathbf{u}_j \right).$$"),
    mutation="last side: the factor 1/(2m) dropped",
    notes="Model: m = 1 (two context words), vocabulary 3, embedding 2, c = 1; i in {1, 2}.",
    chains=[
        dict(models=[lambda e: lPc, lambda e: dot(uu[cc], vbar) - sp.log(Sb)], envs=[Env()]),
        dict(models=[lambda e: grad(lPc, vo[e.i - 1]),
                     lambda e: sp.Rational(1, 2) * (uu[cc] - su(lambda j: sp.exp(dot(uu[j], vbar)) * uu[j]) / Sb),
                     lambda e: sp.Rational(1, 2) * (uu[cc] - su(lambda j: sp.exp(dot(uu[j], vbar)) / Sb * uu[j]))], envs=envs(2, ("i",))),
    ],
    mut=[(1, 2, lambda e: (uu[cc] - su(lambda j: sp.exp(dot(uu[j], vbar)) / Sb * uu[j])))],
))

# ---------------------------------------------------------------- zhanglin2022/cs224n, naive-softmax = cross-entropy
yz = [R(f"yz{w}") for w in range(1, NV + 1)]
ZL = r"""$$
-\sum_{w\in Vocab}{y_w}\log \left( \hat{y}_w \right) =-\left(\sum_{\begin{array}{c} w\in Vocab\\ w\ne o\\ \end{array}}^{}{y_w}\log \left( \begin{array}{c} \hat{y}_w\\\end{array} \right) +\mathrm{y}_o\log \left( \hat{y}_o \right) \right) =-\log \left( \hat{y}_o \right) 
$$"""
ZL_PRE = "(a) (3 points) Show that the naive-softmax loss given in Equation (2) is the same as the cross-entropy loss between $y$ and $\\hat{y}$; i.e., show that ... Your answer should be one line. (Here $y$ is one-hot with $y_o = 1$.)\n\n"
ohz = lambda p, env: {**p, **{s: (1 if k == o else 0) for k, s in enumerate(yz) if s in p}}
G.append(dict(
    file="03_word2vec", src="zhanglin", title="Naive-softmax loss as cross-entropy, zhanglin2022/cs224n Written.md (sum over w != o written with an array under the sum)",
    text=ZL_PRE + ZL,
    mut_text=ZL_PRE + ZL.replace(r"=-\log \left( \hat{y}_o \right) ", r"=\log \left( \hat{y}_o \right) "),
    mutation="last side: the minus sign dropped",
    notes="y one-hot at o (the assignment's definition); the second side splits the sum into w != o and w = o.",
    chains=[dict(models=[lambda e: -sum(yz[w] * sp.log(yh[w]) for w in range(NV)),
                         lambda e: -(sum(yz[w] * sp.log(yh[w]) for w in range(NV) if w != o) + yz[o] * sp.log(yh[o])),
                         lambda e: -sp.log(yh[o])], envs=[Env()], constrain=ohz)],
    mut=[(0, 2, lambda e: sp.log(yh[o]))],
))
