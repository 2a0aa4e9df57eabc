"""Groups for 03_rnn (many-to-one RNN through time with embeddings) and 04_lstm (LSTM gates, cell state, BPTT)."""
from lib import *

G = []
Mx = sp.Matrix
fresh_n = [0]


def fresh(shape=None):
    fresh_n[0] += 1
    if shape is None:
        return R(f"ov{fresh_n[0]}")
    return Mx(shape[0], shape[1], lambda r, c: R(f"ov{fresh_n[0]}_{r}{c}"))


def node_diff(forward, loss, key):
    """dL/d(node): the node replaced by fresh symbols, everything downstream recomputed, evaluated at its value."""
    val = forward({})[key]
    s = fresh(val.shape if isinstance(val, sp.MatrixBase) else None)
    L = loss(forward({key: s}))
    if isinstance(val, sp.MatrixBase):
        sub = {s[r, c]: val[r, c] for r in range(val.rows) for c in range(val.cols)}
        return Mx(val.rows, val.cols, lambda r, c: sp.diff(L, s[r, c]).xreplace(sub))
    return sp.diff(L, s).xreplace({s: val})


# ---------------------------------------------------------------- many-to-one sentiment RNN (README, ```math blocks)
RN_F = r"""### 1. Forward Pass Equations

Given a sentence of length `T` with word tokens `[w_1, w_2, ..., w_T]`:

1. **Embedding Lookup**:
   ```math
   e_t = E[w_t] \in \mathbb{R}^{1 \times D} \quad \text{for } t = 1, 2, ..., T
   ```
2. **Recurrent Hidden Updates**:
   ```math
   z_t = e_t W_{xh} + h_{t-1} W_{hh} + b_h \in \mathbb{R}^{1 \times H}
   ```
   ```math
   h_t = \tanh(z_t) \in \mathbb{R}^{1 \times H}
   ```
   *(with initial state `h_0 = \mathbf{0} \in \mathbb{R}^{1 \times H}`)*
3. **Sentence Summary State**:
   The final hidden vector `h_T` encapsulates the complete sequential meaning of the review:
   ```math
   h_{\mathrm{sentence}} = h_T \in \mathbb{R}^{1 \times H}
   ```
4. **Classification Projection**:
   ```math
   o = h_T W_{hy} + b_y \in \mathbb{R}^{1 \times 1}
   ```
5. **Binary Sentiment Probability**:
   ```math
   \hat{y} = \sigma(o) = \frac{1}{1 + e^{-o}} \in (0, 1)
   ```
"""
RN_B = r"""### 3. Backpropagation Through Time (BPTT) for Many-to-One

Because loss is evaluated exclusively at the final timestep `T`, backpropagation through time exhibits an elegant structure:

#### Step 1: Output Gradient
The derivative of Binary Cross-Entropy combined with the Sigmoid activation simplifies directly to:

```math
\delta_o = \frac{\partial L}{\partial o} = \hat{y} - y \in \mathbb{R}^{1 \times 1}
```

#### Step 2: Output Weights & Bias Gradients
```math
\frac{\partial L}{\partial W_{hy}} = h_T^T \delta_o \in \mathbb{R}^{H \times 1}
```
```math
\frac{\partial L}{\partial b_y} = \delta_o \in \mathbb{R}^{1 \times 1}
```

#### Step 3: Gradient Arriving at Final Hidden State `h_T`
At timestep `T`, error enters exclusively from the classification head:

```math
\delta_{h_T} = \frac{\partial L}{\partial h_T} = \delta_o W_{hy}^T \in \mathbb{R}^{1 \times H}
```

#### Step 4: Recurrent Propagation Backward Through Time (`t = T-1, ..., 1`)
For all earlier timesteps `t < T`, there is **no direct output loss**:

```math
\delta_{z_t} = \delta_{h_t} \odot (1 - h_t^2) \in \mathbb{R}^{1 \times H}
```
```math
\delta_{h_{t-1}} = \delta_{z_t} W_{hh}^T \in \mathbb{R}^{1 \times H}
```

> [!NOTE]
> In Many-to-One RNNs, early word embeddings receive gradients that have traveled **entirely backward through time** along the recurrent chain `\delta_{z_T} \to \delta_{z_{T-1}} \to ... \to \delta_{z_1}`.
> This makes Many-to-One RNNs an ideal laboratory for studying the **vanishing gradient problem**!

#### Step 5: Shared Parameter Gradients
Accumulated across all unrolled timesteps:

```math
\frac{\partial L}{\partial W_{xh}} = \sum_{t=1}^{T} e_t^T \delta_{z_t} \in \mathbb{R}^{D \times H}
```
```math
\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} h_{t-1}^T \delta_{z_t} \in \mathbb{R}^{H \times H}
```
```math
\frac{\partial L}{\partial b_h} = \sum_{t=1}^{T} \delta_{z_t} \in \mathbb{R}^{1 \times H}
```
```math
\frac{\partial L}{\partial E[w_t]} = \delta_{z_t} W_{xh}^T \in \mathbb{R}^{1 \times D}
```
"""
RN_TEXT = (RN_F + "\n" + RN_B).replace("```math", "$$").replace("```", "$$")
T, D, H = 2, 2, 2
Emb = Mx(3, D, lambda r, c: R(f"E{r + 1}{c + 1}"))
words = (1, 3)                                       # distinct words (1-based rows of E)
Wxh = Mx(D, H, lambda r, c: R(f"Wx{r}{c}"))
Whh = Mx(H, H, lambda r, c: R(f"Wh{r}{c}"))
bh = Mx(1, H, lambda r, c: R(f"bh{c}"))
Why = Mx(H, 1, lambda r, c: R(f"Wy{r}"))
by = R("by")
ylab = R("ylab")


def rnn_forward(over):
    n = {}
    for t in (1, 2):
        n[("e", t)] = over.get(("e", t), Emb[words[t - 1] - 1, :])
    n[("h", 0)] = over.get(("h", 0), sp.zeros(1, H))
    for t in (1, 2):
        n[("z", t)] = over.get(("z", t), n[("e", t)] * Wxh + n[("h", t - 1)] * Whh + bh)
        n[("h", t)] = over.get(("h", t), n[("z", t)].applyfunc(sp.tanh))
    n["o"] = over.get("o", (n[("h", T)] * Why)[0] + by)
    n["yhat"] = sig(n["o"])
    return n


rnn_loss = lambda n: -(ylab * sp.log(n["yhat"]) + (1 - ylab) * sp.log(1 - n["yhat"]))
RV = rnn_forward({})
Lr = rnn_loss(RV)
dz = {t: node_diff(rnn_forward, rnn_loss, ("z", t)) for t in (1, 2)}
dh = {t: node_diff(rnn_forward, rnn_loss, ("h", t)) for t in (0, 1, 2)}
d_o = node_diff(rnn_forward, rnn_loss, "o")
mat_diff = lambda L, M: Mx(M.rows, M.cols, lambda r, c: sp.diff(L, M[r, c]))
G.append(dict(
    file="03_rnn", src="sentrnn", title="Many-to-one RNN with an embedding lookup, BPTT, sentiment-RNN README (```math blocks, row vectors, ^T, \\odot, sums over t, \\in shape tags)",
    text=RN_TEXT,
    mut_text=RN_TEXT.replace(r"\delta_{z_t} = \delta_{h_t} \odot (1 - h_t^2)", r"\delta_{z_t} = \delta_{h_t} \odot (1 - h_t)")
    .replace(r"\delta_{h_{t-1}} = \delta_{z_t} W_{hh}^T", r"\delta_{h_{t-1}} = \delta_{z_t} W_{hh}")
    .replace(r"\frac{\partial L}{\partial W_{xh}} = \sum_{t=1}^{T} e_t^T \delta_{z_t}", r"\frac{\partial L}{\partial W_{xh}} = e_T^T \delta_{z_T}"),
    mutation="tanh derivative 1 - h_t for 1 - h_t^2; W_hh for W_hh^T in the recursion; the BPTT sum for dL/dW_xh cut to its last term (for dL/dW_hh the cut is no mistake at T = 2: h_0 = 0 makes the t = 1 term vanish)",
    notes="Delimiters: the ```math fences became $$. Section 2 of the README (the loss, written with a 1e-12 epsilon inside the logs) is left out; the model's L is the exact binary cross-entropy -[y ln yhat + (1-y) ln(1-yhat)] that the text differentiates. Model: T = 2, D = H = 2, vocabulary 3, sentence words (1, 3) (distinct, so dL/dE[w_t] is one row's gradient), row vectors, h_0 = 0; delta_x means dL/dx (total, as delta_o and delta_{h_T} are defined); the '\\in R^{...}' tags are shape notes, not sides; t in {1, 2} for the t-indexed displays. Forward displays are definitions (e_t's '\\quad for t = 1, ..., T' included).",
    chains=[
        dict(models=[None, None, None], envs=[Env()], defs={0, 1}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, lambda e: sig(R("oo")), lambda e: 1 / (1 + sp.exp(-R("oo")))], envs=[Env()], defs={0}),
        dict(models=[None, lambda e: d_o, lambda e: RV["yhat"] - ylab], envs=[Env()], defs={0}),
        dict(models=[lambda e: mat_diff(Lr, Why), lambda e: RV[("h", 2)].T * d_o], envs=[Env()]),
        dict(models=[lambda e: sp.diff(Lr, by), lambda e: d_o], envs=[Env()]),
        dict(models=[None, lambda e: dh[2], lambda e: d_o * Why.T], envs=[Env()], defs={0}),
        dict(models=[lambda e: dz[e.t], lambda e: dh[e.t].multiply_elementwise(Mx(1, H, lambda r, c: 1 - RV[("h", e.t)][c] ** 2))],
             envs=[Env(4, t=1), Env(4, t=2)]),
        dict(models=[lambda e: dh[e.t - 1], lambda e: dz[e.t] * Whh.T], envs=[Env(4, t=1), Env(4, t=2)]),
        dict(models=[lambda e: mat_diff(Lr, Wxh), lambda e: sum((RV[("e", t)].T * dz[t] for t in (1, 2)), sp.zeros(D, H))], envs=[Env()]),
        dict(models=[lambda e: mat_diff(Lr, Whh), lambda e: sum((RV[("h", t - 1)].T * dz[t] for t in (1, 2)), sp.zeros(H, H))], envs=[Env()]),
        dict(models=[lambda e: mat_diff(Lr, bh), lambda e: dz[1] + dz[2]], envs=[Env()]),
        dict(models=[lambda e: mat_diff(Lr, Emb[words[e.t - 1] - 1, :]), lambda e: dz[e.t] * Wxh.T], envs=[Env(4, t=1), Env(4, t=2)]),
    ],
    mut=[(10, 1, lambda e: dh[e.t].multiply_elementwise(Mx(1, H, lambda r, c: 1 - RV[("h", e.t)][c]))),
         (11, 1, lambda e: dz[e.t] * Whh),
         (12, 1, lambda e: RV[("e", 2)].T * dz[2])],
))

# ---------------------------------------------------------------- CS 6180 lecture 8, LSTM BPTT (two steps)
CS_TEXT = r"""### Goal: Compute $\frac{\partial L}{\partial W_f}$

We'll work through a **2-timestep LSTM example** to understand the mechanics.

**LSTM parameters:**
- $W_f, U_f, \vec{b}_f$ (forget gate)
- $W_i, U_i, \vec{b}_i$ (input gate)
- $W_o, U_o, \vec{b}_o$ (output gate)
- $W_c, U_c, \vec{b}_c$ (candidate cell)

### Step 1: Apply Chain Rule

$$\frac{\partial L}{\partial W_f} = \frac{\partial L}{\partial \vec{f}^{(1)}} \cdot \frac{\partial \vec{f}^{(1)}}{\partial W_f} + \frac{\partial L}{\partial \vec{f}^{(2)}} \cdot \frac{\partial \vec{f}^{(2)}}{\partial W_f}$$

**Key observation:** We can compute $\frac{\partial \vec{f}^{(1)}}{\partial W_f}$ directly (similar to standard feedforward computation).

The challenge is computing $\frac{\partial L}{\partial \vec{f}^{(1)}}$ and $\frac{\partial L}{\partial \vec{f}^{(2)}}$.

### Step 2: Recursive Relationship Through Cell State

For $\frac{\partial L}{\partial \vec{f}^{(1)}}$:

$$\frac{\partial L}{\partial \vec{f}^{(1)}} = \frac{\partial L}{\partial \vec{c}^{(1)}} \cdot \frac{\partial \vec{c}^{(1)}}{\partial \vec{f}^{(1)}}$$

Expanding further:

$$\frac{\partial L}{\partial W_f} = \frac{\partial L}{\partial \vec{c}^{(1)}} \cdot \frac{\partial \vec{c}^{(1)}}{\partial \vec{f}^{(1)}} \cdot \frac{\partial \vec{f}^{(1)}}{\partial W_f} + \frac{\partial L}{\partial \vec{c}^{(2)}} \cdot \frac{\partial \vec{c}^{(2)}}{\partial \vec{f}^{(2)}} \cdot \frac{\partial \vec{f}^{(2)}}{\partial W_f}$$

**We're getting a recurrence relationship** linking the gradients through the cell states.

### Step 3: Compute Through Hidden States

For $\frac{\partial L}{\partial \vec{c}^{(1)}}$:

$$\frac{\partial L}{\partial \vec{c}^{(1)}} = \frac{\partial L}{\partial \vec{h}^{(1)}} \cdot \frac{\partial \vec{h}^{(1)}}{\partial \vec{c}^{(1)}} + \frac{\partial L}{\partial \vec{c}^{(2)}} \cdot \frac{\partial \vec{c}^{(2)}}{\partial \vec{c}^{(1)}}$$

Where:
$$\frac{\partial \vec{h}^{(1)}}{\partial \vec{c}^{(1)}} = \vec{o}^{(1)} \odot \left(1 - \tanh^2(\vec{c}^{(1)})\right)$$"""
P = {k: R(k) for k in ("Wf", "Uf", "bf", "Wi", "Ui", "bi", "Wo", "Uo", "bo", "Wc", "Uc", "bc")}
xs = {1: R("xs1"), 2: R("xs2")}
h0, c0 = R("h0"), R("c0")
FORM = {
    "f": lambda v, t: sig(P["Wf"] * xs[t] + P["Uf"] * v[("h", t - 1)] + P["bf"]),
    "i": lambda v, t: sig(P["Wi"] * xs[t] + P["Ui"] * v[("h", t - 1)] + P["bi"]),
    "o": lambda v, t: sig(P["Wo"] * xs[t] + P["Uo"] * v[("h", t - 1)] + P["bo"]),
    "g": lambda v, t: sp.tanh(P["Wc"] * xs[t] + P["Uc"] * v[("h", t - 1)] + P["bc"]),
    "c": lambda v, t: v[("f", t)] * v[("c", t - 1)] + v[("i", t)] * v[("g", t)],
    "h": lambda v, t: v[("o", t)] * sp.tanh(v[("c", t)]),
}
INPUTS = {"f": ["h-"], "i": ["h-"], "o": ["h-"], "g": ["h-"], "c": ["f", "c-", "i", "g"], "h": ["o", "c"]}


def lstm_forward(over):
    v = {("h", 0): over.get(("h", 0), h0), ("c", 0): over.get(("c", 0), c0)}
    for t in (1, 2):
        for k in ("f", "i", "o", "g", "c", "h"):
            v[(k, t)] = over.get((k, t), FORM[k](v, t))
    return v


q1, q2 = R("q1"), R("q2")
lstm_loss = lambda v: q1 * sp.sin(v[("h", 1)]) + q2 * v[("h", 2)] + v[("h", 2)] ** 2
LV = lstm_forward({})


def local(kind, t, wrt):
    """Local partial of node (kind, t) by ``wrt`` (a node key or a parameter symbol), its other inputs held fixed."""
    keys = [(n.rstrip("-"), t - 1 if n.endswith("-") else t) for n in INPUTS[kind]]
    syms = {k: fresh() for k in keys}
    v = dict(syms)
    expr = FORM[kind](v, t)
    target = syms[wrt] if isinstance(wrt, tuple) else wrt
    return sp.diff(expr, target).xreplace({syms[k]: LV[k] for k in keys})


dL = lambda key: node_diff(lstm_forward, lstm_loss, key)
G.append(dict(
    file="04_lstm", src="cs6180", title="LSTM, dL/dW_f over two time steps through the cell state, CS 6180 lecture 8 notes (\\vec{f}^{(1)}, \\cdot, \\odot, tanh^2)",
    text=CS_TEXT,
    mut_text=CS_TEXT.replace(r"+ \frac{\partial L}{\partial \vec{c}^{(2)}} \cdot \frac{\partial \vec{c}^{(2)}}{\partial \vec{c}^{(1)}}$$", r"$$")
    .replace(r"\vec{o}^{(1)} \odot \left(1 - \tanh^2(\vec{c}^{(1)})\right)", r"\left(1 - \tanh^2(\vec{c}^{(1)})\right)"),
    mutation="dL/dc^(1): the path through c^(2) (the forget-gate carry) dropped; dh/dc: the output gate o^(1) dropped",
    notes="Model: one hidden unit (vectors of size 1, so \\cdot and \\odot are products), inputs x_1, x_2, h^(0) and c^(0) free, f = sigma(W_f x_t + U_f h^(t-1) + b_f) and likewise i, o, candidate tanh; L = q1 sin(h^(1)) + q2 h^(2) + (h^(2))^2 (a loss at both steps). dL/d(node) is the derivative through everything downstream of the node; d(node)/d(input) is the local partial with the node's other inputs held (so dc^(2)/dc^(1) = f^(2), df^(2)/dW_f holds h^(1)).",
    chains=[
        dict(models=[lambda e: sp.diff(lstm_loss(LV), P["Wf"]),
                     lambda e: dL(("f", 1)) * local("f", 1, P["Wf"]) + dL(("f", 2)) * local("f", 2, P["Wf"])], envs=[Env()]),
        dict(models=[lambda e: dL(("f", 1)), lambda e: dL(("c", 1)) * local("c", 1, ("f", 1))], envs=[Env()]),
        dict(models=[lambda e: sp.diff(lstm_loss(LV), P["Wf"]),
                     lambda e: dL(("c", 1)) * local("c", 1, ("f", 1)) * local("f", 1, P["Wf"]) + dL(("c", 2)) * local("c", 2, ("f", 2)) * local("f", 2, P["Wf"])],
             envs=[Env()]),
        dict(models=[lambda e: dL(("c", 1)), lambda e: dL(("h", 1)) * local("h", 1, ("c", 1)) + dL(("c", 2)) * local("c", 2, ("c", 1))], envs=[Env()]),
        dict(models=[lambda e: local("h", 1, ("c", 1)), lambda e: LV[("o", 1)] * (1 - sp.tanh(LV[("c", 1)]) ** 2)], envs=[Env()]),
    ],
    mut=[(3, 1, lambda e: dL(("h", 1)) * local("h", 1, ("c", 1))),
         (4, 1, lambda e: 1 - sp.tanh(LV[("c", 1)]) ** 2)],
))

# ---------------------------------------------------------------- Math.SE 4177853 'Recursive chain rule' (question)
MS_1 = r"""$$ \begin{aligned} o_t&=\sigma(x_t, h_{t-1};W_o) \\ \tilde{c}_t&=\tanh(x_t, h_{t-1};W_g) \\ f_t&=\sigma(x_t, h_{t-1};W_f) \\ i_t&=\sigma(x_t, h_{t-1};W_i) \\ c_t&=f_t\odot{c_{t-1}}+i_t\odot{\tilde{c}_t} \\ &=\sigma(x_t, h_{t-1};W_f)\odot{c_{t-1}}+\sigma(x_t, h_{t-1};W_i)\odot{\tanh(x_t, h_{t-1};W_g)} \\ h_t&=o_t\odot\tanh(c_t) \\ \end{aligned} $$"""
MS_2 = r"""$$\frac{\partial c_t}{\partial c_{t-1}}=\frac{\partial}{\partial c_{t-1}}(f_t\odot{c_{t-1}}+i_t\odot{\tilde{c}_t}).$$"""
MS_3 = r"""$$\frac{\partial c_t}{\partial c_{t-1}}=\frac{\partial{f_t}}{\partial{c_{t-1}}}\odot{c_{t-1}}+f_t\odot\frac{\partial{c_{t-1}}}{\partial{c_{t-1}}}+\frac{\partial{i_t}}{\partial{c_{t-1}}}\odot{\tilde{c}_t}+i_t\odot\frac{\partial{\tilde{c}_t}}{\partial{c_{t-1}}}?$$"""
MS_TEXT = ("Given the following equations: " + MS_1 + " Lower case variables are vectors and $W$'s are matrices. $x_t$ is a new input at each time. The subscript $t$ denotes time from $t=1,\\dots N$, where $h_0=c_0$ are zeros vectors. As can be seen these are recursive equations from which $h_t$ comes from a function of $c_t$ which comes from a function of $c_{t-1}$.\n\n"
           "And I'm trying to derive: " + MS_2 + "\n\nSo my question is given that $f_t$, $i_t$ and $g_t$ are functions of $h_{t-1}$ which is a function of $c_{t-1}$ does that matter? Is this derivative just equal to $f_t$? Or do the other terms need to be accounted for such that the derivation is something like: "
           + MS_3 + "\n\nAny help would be greatly appreciated.")
cp_, op_, xt = R("cprev"), R("oprev"), R("xt")
Wm = {k: (R(f"{k}1"), R(f"{k}2")) for k in ("Wo", "Wg", "Wf", "Wi")}
hprev = op_ * sp.tanh(cp_)                           # h_{t-1} = o_{t-1} tanh(c_{t-1}), as the question says
gate = lambda k, fn: fn(Wm[k][0] * xt + Wm[k][1] * hprev)
ft, it, gt = gate("Wf", sig), gate("Wi", sig), gate("Wg", sp.tanh)
ct = ft * cp_ + it * gt
G.append(dict(
    file="04_lstm", src="mse4177853", title="LSTM cell state, dc_t/dc_{t-1} by the product rule, Math.SE 4177853 question (aligned, \\odot, \\tilde{c}_t, sigma(x_t, h_{t-1}; W))",
    text=MS_TEXT,
    mut_text=MS_TEXT.replace(r"+f_t\odot\frac{\partial{c_{t-1}}}{\partial{c_{t-1}}}", ""),
    mutation="product rule: the term f_t dc_{t-1}/dc_{t-1} (the forget gate itself) dropped",
    notes="Model: one hidden unit, sigma(x_t, h_{t-1}; W) = sigma(W_1 x_t + W_2 h_{t-1}), h_{t-1} = o_{t-1} tanh(c_{t-1}) (the question: h_{t-1} is a function of c_{t-1}), every derivative by c_{t-1} total through h_{t-1}; the reading where h_{t-1} is held gives the same verdicts. The trailing '?' and '.' are punctuation. The aligned block: six definitions, and c_t's second line equal to its first.",
    chains=[
        dict(models=[None, None], envs=[Env()], defs={0}),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[None, lambda e: ct, lambda e: gate("Wf", sig) * cp_ + gate("Wi", sig) * gate("Wg", sp.tanh)], envs=[Env()], defs={0}, same=True),
        dict(models=[None, None], envs=[Env()], defs={0}, same=True),
        dict(models=[lambda e: sp.diff(ct, cp_), lambda e: sp.diff(ft * cp_ + it * gt, cp_)], envs=[Env()]),
        dict(models=[lambda e: sp.diff(ct, cp_), lambda e: sp.diff(ft, cp_) * cp_ + ft * 1 + sp.diff(it, cp_) * gt + it * sp.diff(gt, cp_)], envs=[Env()]),
    ],
    mut=[(7, 1, lambda e: sp.diff(ft, cp_) * cp_ + sp.diff(it, cp_) * gt + it * sp.diff(gt, cp_))],
))
