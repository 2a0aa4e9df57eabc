"""The catalog's further entries (backprop_derive.core.catalog_more): every derivative proved, every slip refuted,
torch agrees."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from backprop_derive.core import catalog_more
from backprop_derive.core.catalog import get, k, x, y, y_scalar, z
from backprop_derive.core.functions import unfold
from backprop_derive.core.steps import catalog_step

NAMES = [entry.name for entry in catalog_more.entries()]
PROBLEMS = [(name, n) for name in NAMES for n in range(1 + len(get(name).problem().others))]


def _problem(name, n, classes=None):
    problem = get(name).problem(classes)
    return (problem, *problem.others)[n]


@pytest.mark.parametrize(("name", "n"), PROBLEMS)
def test_every_derivative_of_every_new_entry_is_proved(name, n):
    problem = _problem(name, n)
    tree = catalog_step(problem.expr, problem.var, problem.assumptions, problem.canonical)
    assert tree.canonical is not None and tree.canonical.proof.proved, name


def _slip_expr(entry, slip):
    problem = entry.problem()
    args = problem.expr.args
    return slip.build(*args, problem.index) if problem.index is not None else slip.build(*args)


SLIPS = [(entry.name, n) for entry in catalog_more.entries() for n in range(len(entry.slips))]


@pytest.mark.parametrize(("name", "n"), SLIPS)
def test_a_slip_plugged_in_as_the_canonical_form_is_not_proved(name, n):
    entry = get(name)
    problem = entry.problem()
    wrong = _slip_expr(entry, entry.slips[n])
    tree = catalog_step(problem.expr, problem.var, problem.assumptions, wrong)
    assert tree.canonical is None, (name, entry.slips[n].latex)


def test_every_new_entry_has_a_slip_notes_and_a_summary():
    for name in NAMES:
        entry = get(name)
        assert entry.slips and entry.notes and entry.summary, name


def test_prelu_slope_derivative_is_x_below_zero_and_its_kink_is_the_slope():
    by_slope = get("prelu").problem().others[0]
    assert unfold(by_slope.canonical).subs(by_slope.expr.args[0], -2) == -2
    assert unfold(get("prelu").problem().canonical).subs(x, 0) == sp.Rational(1, 4)


torch = pytest.importorskip("torch")
F = torch.nn.functional


def _torch_activations():
    from backprop_derive.numeric.bindings import bound

    return bound("activations", "torch")


ACTIVATIONS = [n for n in NAMES if get(n).kind == "activation"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_torch_gradient_equals_the_canonical_derivative_in_float64(name):
    entry = get(name)
    points = np.array([-4.2, -2.5, -1.0, -0.3, 0.4, 1.7, 2.9, 4.4])
    t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(_torch_activations()[name](t).sum(), t)
    ours = sp.lambdify(x, entry.problem().canonical, "numpy")(points) * np.ones_like(points)
    np.testing.assert_allclose(grad.numpy(), ours, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("name", "torch_name", "at"), [("hard_sigmoid", "hardsigmoid", (-3.0, 3.0)),
                                                         ("hard_swish", "hardswish", (-3.0, 3.0)),
                                                         ("selu", "selu", (0.0,)), ("prelu", None, (0.0,))])
def test_derivative_at_the_kinks_follows_pytorch(name, torch_name, at):
    t = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    f = getattr(F, torch_name) if torch_name else _torch_activations()[name]
    (grad,) = torch.autograd.grad(f(t).sum(), t)
    ours = [float(unfold(get(name).problem().canonical).subs(x, a)) for a in at]
    np.testing.assert_allclose(grad.numpy(), ours, rtol=1e-6)  # F.hard*: 1/6 is a float32 constant


def test_torch_hardsigmoid_agrees_with_the_relu6_binding_to_float32_precision():
    t = torch.linspace(-5, 5, 101, dtype=torch.float64)
    assert torch.allclose(F.hardsigmoid(t), _torch_activations()["hard_sigmoid"](t), atol=1e-7)
    assert torch.allclose(F.hardswish(t), _torch_activations()["hard_swish"](t), atol=1e-6)


def _scalar_loss_case(name):
    label = {"hinge": -1.0, "huber": 0.3, "focal": 0.7}[name]
    torch_loss = {
        "hinge": lambda a, b: F.relu(1 - b * a),
        "huber": lambda a, b: F.huber_loss(a, b, delta=1.0, reduction="sum"),
        "focal": lambda a, b: -(b * (1 - torch.sigmoid(a)) ** 2 * F.logsigmoid(a)
                               + (1 - b) * torch.sigmoid(a) ** 2 * F.logsigmoid(-a)),
    }[name]
    return label, torch_loss


@pytest.mark.parametrize("name", ["hinge", "huber", "focal"])
def test_torch_matches_the_scalar_losses_in_float64(name):
    label, torch_loss = _scalar_loss_case(name)
    canonical = get(name).problem().canonical.subs(y_scalar, label)
    for value in (-2.3, -0.6, 0.2, 1.9):
        t = torch.tensor(value, dtype=torch.float64, requires_grad=True)
        (grad,) = torch.autograd.grad(torch_loss(t, torch.tensor(label, dtype=torch.float64)), t)
        assert abs(float(grad) - float(unfold(canonical).subs(x, value))) < 1e-12, (name, value)


@pytest.mark.parametrize(("name", "torch_grad"), [("l1_penalty", lambda w: w.abs()),
                                                  ("l2_penalty", lambda w: w**2 / 2)])
def test_torch_matches_the_penalties_including_zero(name, torch_grad):
    w = torch.tensor([-1.5, 0.0, 0.8], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(torch_grad(w).sum(), w)
    ours = [float(unfold(get(name).problem().canonical).subs(x, v)) for v in (-1.5, 0.0, 0.8)]
    np.testing.assert_allclose(grad.numpy(), ours, rtol=0, atol=1e-15)


VECTOR = {
    "logsumexp": lambda a, b: torch.logsumexp(a, 0),
    "kl_div": lambda a, b: F.kl_div(F.log_softmax(a, 0), b, reduction="sum"),
    "smoothed_cce": lambda a, b: F.cross_entropy(a[None], b[None], label_smoothing=0.1),
    "cosine": lambda a, b: F.cosine_similarity(a, b, dim=0),
}


@pytest.mark.parametrize("name", [*VECTOR, "softmax_t"])
def test_torch_matches_the_vector_entries_in_float64(name):
    K = 4
    logits = np.array([0.7, -1.2, 2.1, 0.3])
    labels = np.array([0.1, 0.2, 0.3, 0.4])
    problem = get(name).problem(K)
    values = {z[n + 1]: logits[n] for n in range(K)} | {y[n + 1]: labels[n] for n in range(K)}
    a = torch.tensor(logits, requires_grad=True)
    b = torch.tensor(labels)
    for kk in range(1, K + 1):
        canonical = unfold(problem.canonical.subs(k, kk)).doit()
        if name == "softmax_t":  # output i = 2 of softmax(z / 2)
            canonical = canonical.subs(problem.expr.args[1], 2)
            (grad,) = torch.autograd.grad(F.softmax(a / 2, 0)[1], a)
        else:
            (grad,) = torch.autograd.grad(VECTOR[name](a, b), a)
        assert abs(float(grad[kk - 1]) - float(canonical.xreplace(values))) < 1e-12, (name, kk)


def test_show_prelu_lists_the_slope_derivative_proved(capsys):
    from backprop_derive.cli import main

    assert main(["show", "prelu", "--json"]) == 0
    import json

    shown = json.loads(capsys.readouterr().out)
    assert [(o["var"], o["proof"]["proved"]) for o in shown["others"]] == [("a", True)]
