r"""A document that declares shapes and differentiates an undefined upstream scalar ``f`` by elements
(``\partial f/\partial y_i``): such a step is the per-element derivation, judged by the scalar checker --
before, the matrix reader took it and answered "no shape for f".  A name declared a matrix keeps the scalar
reading from accepting anything (``W a = a W`` as scalars)."""

from __future__ import annotations

from backprop_derive.verify import verify_text

HEAD = r"""Recall that BatchNorm is defined as follows:

$$
\begin{align*}
  \mu_B &= \frac{1}{m} \sum_{i=1}^m x_i \\
  y_i &= \gamma (x_i - \mu_B) + \beta
\end{align*}
$$

Where $\mu_B, \gamma, \beta, x \in \mathbb{R}^d$ and $W \in \mathbb{R}^{d \times d}$.
We denote the subsequent layer as $f$, and $\frac{\partial f}{\partial y_i}$ represents the upstream gradient.

"""


def _steps(display: str) -> list[tuple[str, str]]:
    report = verify_text(HEAD + display)
    return [(s.verdict, s.detail) for c in report.chains[2:] for s in c.steps]


def test_the_batch_sum_accepted_and_its_omission_caught():
    right = _steps(r"$$\frac{\partial f}{\partial \beta} = \sum_{i=1}^m \frac{\partial f}{\partial y_i}$$")
    assert [v for v, _ in right] == ["equal"], right
    for wrong in (r"\frac{\partial f}{\partial y_i} \frac{\partial y_i}{\partial \beta}",  # the Σ dropped
                  r"\sum_{i=1}^m \frac{\partial f}{\partial y_i} \gamma"):  # a spurious factor
        got = _steps(rf"$$\frac{{\partial f}}{{\partial \beta}} = {wrong}$$")
        assert [v for v, _ in got] == ["not_equal"], (wrong, got)


def test_a_declared_matrix_in_a_per_element_step_is_not_accepted():
    got = _steps(r"$$\frac{\partial f}{\partial \beta} W = W \sum_{i=1}^m \frac{\partial f}{\partial y_i}$$")
    assert [v for v, _ in got] == ["unknown"] and "W (declared a matrix)" in got[0][1], got
