"""Groups for 05_word2vec (softmax and negative sampling), 06_embedding (lookup backward) and 07_dropout (inverted dropout)."""
from lib import *

G = []
Mx = sp.Matrix

# ---------------------------------------------------------------- jli05, 'A Simplest word2vec Model'
JL_TEXT = r"""<p>Given the context word/input word $w_I$, the probability for output word $w_j$ is
\[p\left(w_j|w_I\right)=y_j=\frac{\exp\left(u_j\right)}{\sum_{j'=1}^{V}\exp\left(u_{j'}\right)}=\frac{\exp\left({v'_{w_j}}^T v_{w_I}\right)}{\sum_{j'=1}^{V}\exp\left({v'_{w_{j'}}}^T v_{w_I}\right)},\]
where $v_{w_I}$ is the word vector for input word $w_I$, $v'_{w_j}$ is the word vector for output word $w_j$, $j\in[1,V]$, $V$ is the size of the vocabulary.</p>

<p>We maximise
\[\log y_{j^*}=u_{j^*}-\log\sum_{j'=1}^{V}\exp\left(u_{j'}\right):=-E.\]
By Chain Rule,
\begin{align}
\frac{\partial E}{\partial u_j}&=y_j-t_j:=e_j,\quad\text{ where }t_j=\mathbb{1}\left(j=j^*\right)\\
\frac{\partial E}{\partial w'_{ij}}&=\frac{\partial E}{\partial u_j}\cdot\frac{u_j}{\partial w'_{ij}}=e_j\cdot v_{w_i},
\end{align}
with which we learn the output word vectors. Similarly we could learn the input word vectors.</p>

<p>If we do negative sampling, suppose for output word $w_{j^*}$ we draw $K$ random "negative" words $w_{j_1},\ldots,w_{j_K}$ ($j^*\notin\left\{j_1,\ldots,j_K\right\}$), then we pose that
\[p\left(w_{j^*}|w_I\right)=\sigma\left(u_{j^*}\right)\prod_{k=1}^K\sigma\left(-u_{j_k}\right),\]
where $\sigma(\cdot)$ is the sigmoid function.</p>

<p>Taking logarithm,
\[-\log p\left(w_{j^*}|w_I\right)=-\log\left(\sigma\left(u_{j^*}\right)\right)-\sum_{k=1}^K\log\left(\sigma\left(-u_{j_k}\right)\right):=E.\]</p>"""
NV, ND, JSTAR = 3, 2, 2
Vin = [[R(f"v{w}{d}") for d in range(1, ND + 1)] for w in range(1, NV + 1)]     # input word vectors
WI = 3                                                                        # the input word
hin = Vin[WI - 1]
Wout = [[R(f"wo{i}{j}") for j in range(1, NV + 1)] for i in range(1, ND + 1)]  # w'_{ij}: column j is v'_{w_j}
u = [sum(Wout[i][j] * hin[i] for i in range(ND)) for j in range(NV)]
ysm = [sp.exp(u[j]) / sum(sp.exp(t) for t in u) for j in range(NV)]
E_sm = -(u[JSTAR - 1] - sp.log(sum(sp.exp(t) for t in u)))
Us = [R(f"us{j}") for j in range(1, NV + 1)]                                  # u_j as free symbols
E_u = -(Us[JSTAR - 1] - sp.log(sum(sp.exp(t) for t in Us)))
sub_u = dict(zip(Us, u))
tj = lambda j: 1 if j == JSTAR else 0
negs = (1, 3)                                                                 # j* = 2, negatives j_1 = 1, j_2 = 3 (K = 2)
G.append(dict(
    file="05_word2vec", src="jli05", title="word2vec softmax and negative-sampling objective, jli05 'A Simplest word2vec Model' (bracket displays, align, :=, \\mathbb{1}, primes, <p> tags)",
    text=JL_TEXT,
    mut_text=JL_TEXT.replace(r"\frac{\partial E}{\partial u_j}&=y_j-t_j:=e_j", r"\frac{\partial E}{\partial u_j}&=t_j-y_j:=e_j")
    .replace(r"-\sum_{k=1}^K\log\left(\sigma\left(-u_{j_k}\right)\right):=E", r"+\sum_{k=1}^K\log\left(\sigma\left(-u_{j_k}\right)\right):=E"),
    mutation="dE/du_j: t_j - y_j for y_j - t_j (sign); the negative-sampling log-likelihood: + for - before the sum over k",
    real_mistake="dE/dw'_ij = ... = e_j v_{w_i}: v_{w_i} (the vector of word w_i) for h_i, the i-th entry of the input vector v_{w_I}",
    notes="Transcribed up to the negative-sampling objective; the cases display for dE/du_j under negative sampling that follows is left out. Model: V = 3, N = 2, input word w_I = 3, u_j = sum_i w'_ij h_i with h = v_{w_I}, j* = 2 (negatives j_1 = 1, j_2 = 3); j in 1..3, i in 1..2. '\\frac{u_j}{\\partial w'_{ij}}' (the numerator's partial missing) is read as du_j/dw'_ij, its evident intent. ':=' introduces the name after it (a definition). The first display only names p, y_j and u_j (definitions).",
    chains=[
        dict(models=[None, None, None, None], envs=[Env()], defs={0, 1, 2}),
        dict(models=[lambda e: sp.log(ysm[JSTAR - 1]), lambda e: u[JSTAR - 1] - sp.log(sum(sp.exp(t) for t in u)), None], envs=[Env()], defs={1}),
        dict(models=[lambda e: sp.diff(E_u, Us[e.j - 1]).xreplace(sub_u), lambda e: ysm[e.j - 1] - tj(e.j), None, None],
             envs=[Env(4, j=j) for j in (1, 2, 3)], defs={1, 2}),
        dict(models=[lambda e: sp.diff(E_sm, Wout[e.i - 1][e.j - 1]),
                     lambda e: sp.diff(E_u, Us[e.j - 1]).xreplace(sub_u) * sp.diff(u[e.j - 1], Wout[e.i - 1][e.j - 1]),
                     lambda e: Mx([(ysm[e.j - 1] - tj(e.j)) * v for v in Vin[e.i - 1]])],
             envs=[Env(4, i=i, j=j) for i in (1, 2) for j in (1, 2, 3)], same=True),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[lambda e: -sp.log(sig(u[JSTAR - 1]) * sig(-u[0]) * sig(-u[2])),
                     lambda e: -sp.log(sig(u[JSTAR - 1])) - sum(sp.log(sig(-u[k - 1])) for k in negs), None], envs=[Env()], defs={1}),
    ],
    mut=[(2, 1, lambda e: tj(e.j) - ysm[e.j - 1]),
         (5, 1, lambda e: -sp.log(sig(u[JSTAR - 1])) + sum(sp.log(sig(-u[k - 1])) for k in negs))],
))

# ---------------------------------------------------------------- skip-gram negative sampling gradient notes
SG_TEXT = r"""## Loss

Per example (one center \(w\), one positive \(c\), K negatives \(n_1,\ldots,n_K\)):

\[
\mathcal{L} = -\log \sigma(\sigma_{\text{pos}}) - \sum_{k=1}^{K} \log \sigma(-\sigma_{\text{neg},k})
\]

where \(\sigma(x) = 1/(1+e^{-x})\).

We minimise the **mean** over the batch, so \(\mathcal{L}_{\text{batch}} = \frac{1}{B}\sum_b \mathcal{L}_b\). All gradients below are per-example; we sum over the batch and divide by \(B\) when updating (see code).

## Derivative of \(\log \sigma(x)\)

\[
\frac{d}{dx} \log \sigma(x) = \frac{\sigma'(x)}{\sigma(x)} = \frac{\sigma(x)(1-\sigma(x))}{\sigma(x)} = 1 - \sigma(x)
\]

So:
\[
\frac{d}{dx}\bigl[-\log \sigma(x)\bigr] = \sigma(x) - 1
\]

## Derivative of \(\log \sigma(-x)\) (negative sample term)

\[
\frac{d}{dx}\bigl[-\log \sigma(-x)\bigr] = \frac{d}{dx}\bigl[\log(1-\sigma(x))\bigr] = \frac{-\sigma'(x)}{1-\sigma(x)} = \sigma(x)
\]

So the gradient of the negative-sample term with respect to the **score** \(x = u_n^\top v_w\) is \(\sigma(x)\)."""
xx = R("x")
sg = sig(xx)
dsg = sp.diff(sg, xx)
G.append(dict(
    file="05_word2vec", src="sgns", title="Skip-gram negative sampling, derivatives of log sigma, NumPy implementation notes (bracket displays, \\bigl[ \\bigr], sigma')",
    text=SG_TEXT,
    mut_text=SG_TEXT.replace(r"= \frac{\sigma(x)(1-\sigma(x))}{\sigma(x)} = 1 - \sigma(x)", r"= \frac{\sigma(x)(1-\sigma(x))}{\sigma(x)} = \sigma(x) - 1")
    .replace(r"\frac{d}{dx}\bigl[-\log \sigma(x)\bigr] = \sigma(x) - 1", r"\frac{d}{dx}\bigl[-\log \sigma(x)\bigr] = 1 - \sigma(x)"),
    mutation="d/dx log sigma: sigma - 1 for 1 - sigma (sign); d/dx[-log sigma]: 1 - sigma for sigma - 1 (sign)",
    real_mistake="d/dx[-log sigma(-x)] = d/dx[log(1 - sigma(x))]: the minus sign lost (-log sigma(-x) = -log(1 - sigma(x))); and -sigma'(x)/(1 - sigma(x)) = sigma(x): it is -sigma(x) (the two sign slips cancel in the final answer, which is right)",
    notes="Transcribed from '## Loss' to the end of the negative-sample section (the setup's inline math holds no display). Model: sigma(x) = 1/(1+e^{-x}) as the text defines it, sigma' its derivative, x real. The loss display is a definition.",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[lambda e: sp.diff(sp.log(sg), xx), lambda e: dsg / sg, lambda e: sg * (1 - sg) / sg, lambda e: 1 - sg], envs=[Env()]),
        dict(models=[lambda e: sp.diff(-sp.log(sg), xx), lambda e: sg - 1], envs=[Env()]),
        dict(models=[lambda e: sp.diff(-sp.log(sig(-xx)), xx), lambda e: sp.diff(sp.log(1 - sg), xx), lambda e: -dsg / (1 - sg), lambda e: sg], envs=[Env()]),
    ],
    mut=[(1, 3, lambda e: sg - 1), (2, 1, lambda e: 1 - sg)],
))

# ---------------------------------------------------------------- embedding forward/backward notes (indicator sums)
EM_TEXT = r"""# Embedding

## Forward
$$y_{ij} = w_{x_ij} = \sum_{v=1}^V I[x_i = v]w_{vj}$$
where $I[x = v] = 1$ if $x = v$ and $0$ otherwise.

## Backward
<!-- weight -->
$$\frac{\partial L}{\partial w_{ij}} = \sum_{v=1}^{V} \sum_{h=1}^{H} \frac{\partial L}{\partial y_{vh}} \frac{\partial }{\partial w_{ij}} \left[ \sum_{k=1}^V I[x_v = k]w_{kj} \right]$$
$$= \sum_{v=1}^{V} \sum_{h=1}^{H} \frac{\partial L}{\partial y_{vh}} \sum_{k=1}^V I[x_v = k] I[i = k] I[j = h] $$
$$= \sum_{v=1}^{V} \sum_{h=1}^{H} \frac{\partial L}{\partial y_{vh}} I[x_v = i] I[j = h] $$
$$= \sum_{v=1}^{V} \frac{\partial L}{\partial y_{vj}} I[x_v = i] $$

Finally, we have
$$\frac{\partial L}{\partial w_{ij}} = \sum_{v=1}^{V} \frac{\partial L}{\partial y_{vj}} I[x_v = i] $$
"""
EV, EH = 3, 2
tok = (2, 1, 2)                                     # token ids at positions 1..3 (word 2 repeated, word 3 unused)
We = [[R(f"we{r}{c}") for c in range(1, EH + 1)] for r in range(1, EV + 1)]
Ys = [[R(f"ys{v}{h}") for h in range(1, EH + 1)] for v in range(1, EV + 1)]
gY = [[R(f"gy{v}{h}") for h in range(1, EH + 1)] for v in range(1, EV + 1)]
L_of_Y = sum(gY[v][h] * sp.sin(Ys[v][h]) for v in range(EV) for h in range(EH)) + Ys[0][0] * Ys[2][1]
yval = [[We[tok[v] - 1][h] for h in range(EH)] for v in range(EV)]
subY = {Ys[v][h]: yval[v][h] for v in range(EV) for h in range(EH)}
Le = L_of_Y.xreplace(subY)
dY = [[sp.diff(L_of_Y, Ys[v][h]).xreplace(subY) for h in range(EH)] for v in range(EV)]
Ind = lambda a, b: 1 if a == b else 0
side1 = lambda e: sum(dY[v][h] * sp.diff(sum(Ind(tok[v], k) * We[k - 1][e.j - 1] for k in range(1, EV + 1)), We[e.i - 1][e.j - 1])
                      for v in range(EV) for h in range(EH))
side2 = lambda e: sum(dY[v][h] * sum(Ind(tok[v], k) * Ind(e.i, k) * Ind(e.j, h + 1) for k in range(1, EV + 1)) for v in range(EV) for h in range(EH))
side3 = lambda e: sum(dY[v][h] * Ind(tok[v], e.i) * Ind(e.j, h + 1) for v in range(EV) for h in range(EH))
side4 = lambda e: sum(dY[v][e.j - 1] * Ind(tok[v], e.i) for v in range(EV))
ij = [Env(4, i=i, j=j) for i in range(1, EV + 1) for j in range(1, EH + 1)]
G.append(dict(
    file="06_embedding", src="embnotes", title="Embedding lookup backward with indicator sums, GitHub note '# Embedding' (I[x_v = k], one display block per line, continuation lines starting with =)",
    text=EM_TEXT,
    mut_text=EM_TEXT.replace("Finally, we have\n$$\\frac{\\partial L}{\\partial w_{ij}} = \\sum_{v=1}^{V} \\frac{\\partial L}{\\partial y_{vj}} I[x_v = i] $$",
                             "Finally, we have\n$$\\frac{\\partial L}{\\partial w_{ij}} = \\frac{\\partial L}{\\partial y_{ij}} $$"),
    mutation="final result: dL/dy_{ij} for the scatter sum over positions (gradient not scattered, repeated indices not added)",
    real_mistake="first line: the bracket is written sum_k I[x_v = k] w_{kj} (should be w_{kh}, since it stands for y_{vh}); read as written its derivative is I[x_v = i] for every h, so the first equality and the step into the second line are not_equal (the later lines are right and the result is right)",
    notes="Model: vocabulary V = 3, H = 2, and the sums over positions run v = 1..V as written, so the sentence has 3 tokens x = (2, 1, 2) (a repeated word, and word 3 unused); w_{x_ij} read as w_{x_i, j}; L a fixed nonlinear function of y; i in 1..3, j in 1..2. Each backward line is its own $$ block; a line starting with '=' continues from the previous line's last side (one step each).",
    chains=[
        dict(models=[None, lambda e: We[tok[e.i - 1] - 1][e.j - 1], lambda e: sum(Ind(tok[e.i - 1], v) * We[v - 1][e.j - 1] for v in range(1, EV + 1))], envs=ij, defs={0}),
        dict(models=[lambda e: sp.diff(Le, We[e.i - 1][e.j - 1]), side1], envs=ij),
        dict(models=[side1, side2], envs=ij),
        dict(models=[side2, side3], envs=ij),
        dict(models=[side3, side4], envs=ij),
        dict(models=[lambda e: sp.diff(Le, We[e.i - 1][e.j - 1]), side4], envs=ij),
    ],
    mut=[(5, 1, lambda e: dY[e.i - 1][e.j - 1])],
))

# ---------------------------------------------------------------- confucianzuoyuan/llm-tutorial, dropout derivative (sections 1-5)
CZ_TEXT = r"""## 一、问题设定

### 前向传播

**Dropout的定义：**

在训练时，以概率 $p$ 随机将神经元输出置为0，并对保留的神经元进行缩放。

**前向传播公式：**

$$
y_i = \begin{cases}
0 & \text{with probability } p \\
\frac{x_i}{1-p} & \text{with probability } 1-p
\end{cases}
$$

**用mask表示：**

$$
y_i = \frac{m_i \cdot x_i}{1-p}
$$

其中：
- $m_i \sim \text{Bernoulli}(1-p)$（伯努利分布）
- $m_i \in \{0, 1\}$
- $P(m_i = 1) = 1-p$
- $P(m_i = 0) = p$

---

## 二、从标量损失$L$开始推导

### 设定

假设：
- 输入：$\mathbf{x} = [x_1, x_2, ..., x_n]^T$
- Dropout输出：$\mathbf{y} = [y_1, y_2, ..., y_n]^T$
- 最终损失：$L$（标量）

**我们要求：** $\frac{\partial L}{\partial x_i}$

---

## 三、第一步：链式法则

### 应用链式法则

$$
\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i} \cdot \frac{\partial y_i}{\partial x_i}
$$

**已知：**
- $\frac{\partial L}{\partial y_i}$：从后面的层反向传播得到（假设已知）
- $\frac{\partial y_i}{\partial x_i}$：需要计算（Dropout的局部梯度）

---

## 四、第二步：计算Dropout的局部梯度

### 前向传播公式

$$
y_i = \frac{m_i \cdot x_i}{1-p}
$$

### 对$x_i$求偏导

$$
\frac{\partial y_i}{\partial x_i} = \frac{\partial}{\partial x_i}\left(\frac{m_i \cdot x_i}{1-p}\right)
$$

**注意：$m_i$ 是在前向传播时采样的，在反向传播时是常数！**

$$
\frac{\partial y_i}{\partial x_i} = \frac{m_i}{1-p}
$$

---

## 五、第三步：完整的梯度

### 代入链式法则

$$
\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i} \cdot \frac{m_i}{1-p}
$$

**分情况讨论：**

**情况1：神经元被保留（$m_i = 1$）**

$$
\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i} \cdot \frac{1}{1-p}
$$

**情况2：神经元被丢弃（$m_i = 0$）**

$$
\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i} \cdot 0 = 0
$$"""
pp = R("p")
xv = [R(f"x{k}") for k in (1, 2, 3)]
mv = [R(f"m{k}") for k in (1, 2, 3)]
Yd = [R(f"yd{k}") for k in (1, 2, 3)]
L_of_Yd = Yd[0] * sp.sin(Yd[1]) + sp.exp(Yd[2]) * Yd[0] + Yd[1] ** 2


def drop(masks):
    sub = {Yd[k]: masks[k] * xv[k] / (1 - pp) for k in range(3)}
    return L_of_Yd.xreplace(sub), [sp.diff(L_of_Yd, Yd[k]).xreplace(sub) for k in range(3)]


def with_mask(e):
    ms = list(mv)
    if getattr(e, "m", None) is not None:
        ms[e.i - 1] = e.m
    return ms


def dLdx(e):
    ms = with_mask(e)
    L, _ = drop(ms)
    return sp.diff(L, xv[e.i - 1])


def dLdy(e):
    return drop(with_mask(e))[1][e.i - 1]


iv = [Env(4, i=i) for i in (1, 2, 3)]
G.append(dict(
    file="07_dropout", src="cnzuoyuan", title="Inverted dropout y_i = m_i x_i / (1-p), confucianzuoyuan/llm-tutorial 'nn.Dropout的完整梯度推导' (sections 1-5, Chinese prose, cases)",
    text=CZ_TEXT,
    mut_text=CZ_TEXT.replace("$$\n\\frac{\\partial L}{\\partial x_i} = \\frac{\\partial L}{\\partial y_i} \\cdot \\frac{m_i}{1-p}\n$$",
                             "$$\n\\frac{\\partial L}{\\partial x_i} = \\frac{\\partial L}{\\partial y_i} \\cdot m_i\n$$")
    .replace(r"\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i} \cdot \frac{1}{1-p}", r"\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i} \cdot (1-p)"),
    mutation="the full gradient without 1/(1-p) (m_i alone); the kept case multiplied by (1-p) instead of divided",
    notes="Model: n = 3, the mask m_i a fixed input (constant in the backward pass, as the text says), p the drop probability in (0, 1), L a fixed nonlinear function of y; i in 1..3. The two cases take m_i = 1 and m_i = 0 as their headings state. The cases display, the mask form and its restatement are definitions of y_i.",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[dLdx, lambda e: dLdy(e) * sp.diff(mv[e.i - 1] * xv[e.i - 1] / (1 - pp), xv[e.i - 1])], envs=iv),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[lambda e: sp.diff(mv[e.i - 1] * xv[e.i - 1] / (1 - pp), xv[e.i - 1]),
                     lambda e: sp.diff(mv[e.i - 1] * xv[e.i - 1] / (1 - pp), xv[e.i - 1])], envs=iv),
        dict(models=[lambda e: sp.diff(mv[e.i - 1] * xv[e.i - 1] / (1 - pp), xv[e.i - 1]), lambda e: mv[e.i - 1] / (1 - pp)], envs=iv),
        dict(models=[dLdx, lambda e: dLdy(e) * mv[e.i - 1] / (1 - pp)], envs=iv),
        dict(models=[dLdx, lambda e: dLdy(e) / (1 - pp)], envs=[Env(4, i=i, m=1) for i in (1, 2, 3)]),
        dict(models=[dLdx, lambda e: dLdy(e) * 0, lambda e: 0], envs=[Env(4, i=i, m=0) for i in (1, 2, 3)]),
    ],
    mut=[(6, 1, lambda e: dLdy(e) * mv[e.i - 1]), (7, 1, lambda e: dLdy(e) * (1 - pp))],
))

# ---------------------------------------------------------------- 'DeepLearning' notes, Dropout梯度计算
DL_TEXT = r"""## Dropout梯度计算

$$
x=(x_1,x_2,x_3,\cdots,x_n) \\

\hat{x}=dropout(x) \\

\frac{\part L}{\part x}=\frac{\part L}{\part \hat{x}}\frac{\part \hat{x}}{\part x} \\

\frac{\part \hat{x}}{\part x} = \mathbf{M} \\

\mathbf{M}_j= \left\{
\begin{aligned}
0 & , & r_j <p \\
\frac{1}{1-p} & , & r_j \geq p 
\end{aligned}
\right. \\

\frac{\part L}{\part x}=\frac{\part L}{\part \hat{x}}\mathbf{M}
$$"""
Mm = Mx([R(f"M{k}") for k in (1, 2, 3)])           # mask entries, each 0 or 1/(1-p): kept as free values
Xh = [R(f"xh{k}") for k in (1, 2, 3)]
L_of_Xh = Xh[0] * sp.exp(Xh[1]) + sp.sin(Xh[2]) * Xh[1] + Xh[0] ** 2
subXh = {Xh[k]: Mm[k] * xv[k] for k in range(3)}
gX = Mx([sp.diff(L_of_Xh.xreplace(subXh), xv[k]) for k in range(3)])
gXh = Mx([sp.diff(L_of_Xh, Xh[k]).xreplace(subXh) for k in range(3)])
G.append(dict(
    file="07_dropout", src="dlnotes", title="Dropout gradient with a mask M, GitHub note 'DeepLearning' (one display block, \\\\ rows with blank lines, \\part, \\left\\{ aligned cases)",
    text=DL_TEXT,
    mut_text=DL_TEXT.replace("\\frac{\\part L}{\\part x}=\\frac{\\part L}{\\part \\hat{x}}\\mathbf{M}\n$$", "\\frac{\\part L}{\\part x}=\\frac{\\part L}{\\part \\hat{x}}\n$$"),
    mutation="the last line drops the mask: dL/dx = dL/dx^",
    notes="Model: n = 3, x^_j = M_j x_j with the mask M (entries 0 or 1/(1-p), fixed) as the cases row defines it; products of vectors read elementwise (dx^/dx = M is the diagonal of the Jacobian); L a fixed nonlinear function of x^. x = (...), x^ = dropout(x), dx^/dx = M and M_j = {...} name things (definitions).",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[lambda e: gX, lambda e: gXh.multiply_elementwise(Mm)], envs=[Env()], same=True),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[lambda e: gX, lambda e: gXh.multiply_elementwise(Mm)], envs=[Env()], same=True),
    ],
    mut=[(5, 1, lambda e: gXh)],
))
