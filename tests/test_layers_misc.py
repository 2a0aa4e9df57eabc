"""Embedding, dropout, RMSNorm and mean-pool: proved, planted mistakes rejected, kernels checked.

Each layer: the proof for symbolic sizes passes and its planted mistakes are rejected; the numpy
kernel's backward equals the proved SymPy formula at a small exact instance, PyTorch autograd to
1e-10 (float64) and central finite differences to 1e-6; bad settings are one-line ValueErrors.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json

import numpy as np
import pytest
import sympy as sp

from backprop_derive.network.layers import LAYERS, dropout, embedding, meanpool, prove_layer, rmsnorm
from backprop_derive.network.layers.base import epsilon
from backprop_derive.numeric.bindings import bound
from backprop_derive.numeric.kernels import get_kernel
from tests.cli import run

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
NAMES = ("embedding", "dropout", "rmsnorm", "meanpool")


# ------------------------------------------------------------------------------ proofs


@pytest.mark.parametrize("name", NAMES)
def test_each_layer_is_proved_for_symbolic_sizes_and_show_json_says_so(capsys, name):
    proof = prove_layer(LAYERS[name])
    assert proof.proved and "symbolic sizes" in proof.method, proof.method
    code, out, _ = run(capsys, "show", name, "--json")
    data = json.loads(out)
    assert code == 0 and data["proof"]["proved"] is True and data["proof"]["sizes"] == "symbolic"
    assert data["steps"] and data["matches"] == LAYERS[name].matches
    code, out, _ = run(capsys, "list")
    assert code == 0 and any(line.split()[:2] == [name, "layer"] for line in out.splitlines())


PLANTED = {
    "embedding: ∂L/∂E = S G (no transpose)": ("embedding", embedding.backward_with(transposed=False), "dE"),
    "dropout without 1/(1 - p)": ("dropout", dropout.backward_with(scaled=False), "dx"),
    "rmsnorm without the mean's 1/d": ("rmsnorm", rmsnorm.backward_with("no 1/d"), "dx"),
    "rmsnorm with ρ held constant": ("rmsnorm", rmsnorm.backward_with("rho constant"), "dx"),
    "meanpool without 1/T": ("meanpool", meanpool.backward_with(averaged=False), "dx"),
}


@pytest.mark.parametrize("mistake", PLANTED)
def test_a_planted_mistake_is_rejected_by_the_proof(mistake):
    name, backward, wrong = PLANTED[mistake]
    proof = prove_layer(LAYERS[name], backward)
    assert not proof.proved
    assert dict(proof.gradients)[wrong].proved is False


def test_embedding_without_the_transpose_is_rejected_by_the_index_calculus_even_when_the_shapes_fit():
    square = dataclasses.replace(LAYERS["embedding"], shapes=lambda rows, cols: {"S": (rows, rows), "E": (rows, cols)})
    assert prove_layer(square).proved
    proof = prove_layer(square, embedding.backward_with(transposed=False))
    assert not proof.proved and "index calculus left a non-zero difference" in proof.method


def test_the_ids_and_the_mask_are_given_not_differentiated():
    assert LAYERS["embedding"].constants == ("S",) and not LAYERS["embedding"].inputs
    assert [key for key, _ in prove_layer(LAYERS["embedding"]).gradients] == ["dE"]
    assert [key for key, _ in prove_layer(LAYERS["dropout"]).gradients] == ["dx"]


# ------------------------------------------------------------------------------ instances


def _case(name: str, seed: int = 0, float_dtype=np.float64):
    """``(x, params, settings)`` for ``name``'s kernel: a small batch, with a repeated id for embedding."""
    rng = np.random.default_rng(seed)
    if name == "embedding":
        ids = np.array([[3, 1, 3, 0, 3], [2, 2, 4, 1, 0]])  # 3 thrice, 2 twice in a row
        return ids, [rng.standard_normal((6, 4)).astype(float_dtype)], {}
    x = rng.standard_normal((3, 5, 4)).astype(float_dtype)
    if name == "dropout":
        return x, [], {"p": 0.3, "mask": (rng.random(x.shape) > 0.3).astype(float_dtype)}
    if name == "rmsnorm":
        return x, [rng.standard_normal(4).astype(float_dtype) + 1], {"eps": 1e-5}
    return x, [], {}


def _kernel_gradients(name, x, params, settings, g):
    kernel = get_kernel(name)
    y, cache = kernel.forward(x, *params, **settings)
    return y, kernel.backward(g, cache)


def _rational(array) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(np.atleast_2d(array).tolist()).applyfunc(sp.nsimplify)


def _sympy_gradients(name, values, settings, backward=None):
    """The proved backward formulas of ``name`` (or ``backward``) evaluated exactly at ``values``."""
    layer = LAYERS[name]
    explicit = {key: _rational(value) for key, value in values.items()}
    symbols = {key: sp.MatrixSymbol(key, *matrix.shape) for key, matrix in explicit.items() if key != "G"}
    saved = {}

    def keep(key, value):
        saved[key] = value
        return value

    out = layer.forward(keep, *layer.arguments(symbols))
    upstream = sp.MatrixSymbol("G", *out.shape)
    formulas = (backward or layer.backward)(lambda key, value: value, upstream, *layer.arguments(symbols), saved=saved)
    numbers = {epsilon: sp.nsimplify(settings.get("eps", 0)), dropout.p: sp.nsimplify(settings.get("p", 0))}
    replace = {symbols[key]: explicit[key] for key in symbols} | {upstream: explicit["G"]}
    return {key: np.array(sp.N(sp.Matrix(value.xreplace(replace).doit()).subs(numbers), 30).tolist(), dtype=float)
            for key, value in formulas.items()}


def _one_sample_symbols(name, x, params, settings, g):
    """The kernel's first sample as the symbolic layer's matrices (ids as the one-hot S)."""
    if name == "embedding":
        onehot = np.eye(params[0].shape[0])[x[0]]
        return {"S": onehot, "E": params[0], "G": g[0]}
    if name == "meanpool":
        return {"x": x[0], "G": g[0]}
    values = {"x": x[0], "G": g[0]}
    if name == "dropout":
        values["M"] = settings["mask"][0]
    if name == "rmsnorm":
        values["gamma"] = params[0]
    return values


def _instance(name):
    """One sample of ``name``'s case, an upstream G of eighths, the kernel's gradients by name."""
    x, params, settings = _case(name)
    x = x[:1]
    if name == "dropout":
        settings = {**settings, "mask": settings["mask"][:1]}
    rng = np.random.default_rng(7)
    y, _ = get_kernel(name).forward(x, *params, **settings)
    g = np.round(rng.standard_normal(y.shape) * 8) / 8
    _, grads = _kernel_gradients(name, x, params, settings, g)
    kernel = dict(zip(["dx", *(f"d{p}" for p in LAYERS[name].parameters)], grads, strict=True))
    if name == "embedding":
        kernel.pop("dx")
    return _one_sample_symbols(name, x, params, settings, g), settings, kernel


@pytest.mark.parametrize("name", NAMES)
def test_the_kernel_backward_equals_the_proved_formula_at_an_exact_instance(name):
    values, settings, kernel = _instance(name)
    proved = _sympy_gradients(name, values, settings)
    assert set(kernel) == set(proved)
    for key, value in kernel.items():
        np.testing.assert_allclose(value.reshape(proved[key].shape), proved[key], rtol=1e-12, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("mistake", [key for key in PLANTED if not key.startswith("embedding")])
def test_a_planted_formula_evaluated_at_the_instance_differs_from_the_kernel(mistake):
    name, backward, wrong = PLANTED[mistake]
    values, settings, kernel = _instance(name)
    planted = _sympy_gradients(name, values, settings, backward)[wrong]
    assert _relative(planted, kernel[wrong].reshape(planted.shape)) > 1e-3


# ------------------------------------------------------------------------------ numeric references


def _relative(a, b) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def _torch_gradients(name, x, params, settings, g):
    import torch

    f = bound(name, "torch")
    tx = torch.tensor(x) if name == "embedding" else torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    y = f(tx, *tparams, **settings)
    y.backward(torch.tensor(g))
    dx = None if name == "embedding" else tx.grad.numpy()
    return y.detach().numpy(), [dx, *(p.grad.numpy() for p in tparams)]


@needs_torch
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_the_kernel_equals_pytorch_autograd_in_float64(name, seed):
    x, params, settings = _case(name, seed)
    y, _ = get_kernel(name).forward(x, *params, **settings)
    g = np.random.default_rng(seed + 10).standard_normal(y.shape)
    y, grads = _kernel_gradients(name, x, params, settings, g)
    ty, tgrads = _torch_gradients(name, x, params, settings, g)
    assert _relative(y, ty) < 1e-10
    for ours, theirs in zip(grads, tgrads, strict=True):
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert ours.shape == theirs.shape and _relative(ours, theirs) < 1e-10


@pytest.mark.parametrize("name", NAMES)
def test_the_kernel_matches_finite_differences_and_autograd(name):
    from autograd import grad

    x, params, settings = _case(name, 2)
    y, _ = get_kernel(name).forward(x, *params, **settings)
    g = np.random.default_rng(3).standard_normal(y.shape)
    _, grads = _kernel_gradients(name, x, params, settings, g)
    arrays = ([] if name == "embedding" else [x]) + params
    computed = [d for d in grads if d is not None]

    def loss(*args, xnp=np, framework="numpy"):
        inputs = ([x] if name == "embedding" else []) + list(args)
        return xnp.sum(g * bound(name, framework)(*inputs, **settings))

    import autograd.numpy as anp

    for at, (array, ours) in enumerate(zip(arrays, computed, strict=True)):
        fd = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            step = np.zeros_like(array)
            step[index] = 1e-6
            plus = [a + step if i == at else a for i, a in enumerate(arrays)]
            minus = [a - step if i == at else a for i, a in enumerate(arrays)]
            fd[index] = (loss(*plus) - loss(*minus)) / 2e-6
        assert _relative(ours, fd) < 1e-6
        auto = grad(lambda *args: loss(*args, xnp=anp, framework="autograd"), at)(*arrays)
        assert _relative(ours, auto) < 1e-12


def test_repeated_ids_overwritten_instead_of_added_are_caught():
    ids, (E,), _ = _case("embedding")
    g = np.random.default_rng(4).standard_normal((*ids.shape, E.shape[1]))
    _, (_, dE) = _kernel_gradients("embedding", ids, [E], {}, g)
    overwritten = np.zeros_like(E)
    overwritten[ids.reshape(-1)] = g.reshape(-1, E.shape[1])  # fancy-index assignment keeps one row
    added = np.zeros_like(E)
    np.add.at(added, ids.reshape(-1), g.reshape(-1, E.shape[1]))
    assert _relative(dE, added) < 1e-14
    assert _relative(overwritten, added) > 0.1
    unused = sorted(set(range(E.shape[0])) - set(ids.reshape(-1)))
    assert unused and np.all(dE[unused] == 0)


def test_a_dropout_backward_without_its_scale_is_caught_numerically():
    x, _, settings = _case("dropout")
    g = np.ones_like(x)
    (dx,) = _kernel_gradients("dropout", x, [], settings, g)[1]
    assert _relative(g * settings["mask"], dx) > 0.2


@needs_torch
def test_torch_dropout_draws_a_mask_and_given_that_mask_equals_the_layer():
    import torch
    import torch.nn.functional as F  # noqa: N812

    p, x = 0.4, torch.randn(6, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(123)
    mask = (F.dropout(torch.ones_like(x), p, training=True) != 0).to(x.dtype)  # ones: y = M/(1 - p)
    assert 0 < mask.sum() < mask.numel()
    torch.manual_seed(123)
    drawn = F.dropout(x, p, training=True)
    y, _ = get_kernel("dropout").forward(x.numpy(), p=p, mask=mask.numpy())
    assert _relative(y, drawn.numpy()) < 1e-15
    assert np.array_equal(get_kernel("dropout").forward(x.numpy(), p=p)[0], x.numpy())  # no mask: evaluation
    assert torch.equal(F.dropout(x, p, training=False), x)


@needs_torch
def test_rmsnorm_default_eps_is_torchs():
    import torch

    x = np.random.default_rng(5).standard_normal((2, 3)) * 1e-9
    gamma = np.ones(3)
    y, _ = get_kernel("rmsnorm").forward(x, gamma)
    module = torch.nn.RMSNorm(3, dtype=torch.float64)
    assert _relative(y, module(torch.tensor(x)).detach().numpy()) < 1e-12


def test_float32_kernels_keep_their_dtype():
    for name in NAMES:
        x, params, settings = _case(name, 0, np.float32)
        y, cache = get_kernel(name).forward(x, *params, **settings)
        grads = get_kernel(name).backward(np.ones_like(y), cache)
        assert y.dtype == np.float32 and all(d.dtype == np.float32 for d in grads if d is not None), name


# ------------------------------------------------------------------------------ bad input


BAD = [
    ("embedding", lambda E: (np.array([[0, 6]]), [E], {}), r"ids must lie in \[0, 6\), got 0\.\.6"),
    ("embedding", lambda E: (np.array([[-1, 2]]), [E], {}), r"ids must lie in \[0, 6\)"),
    ("embedding", lambda E: (np.array([[0.0, 1.0]]), [E], {}), "ids must be integers"),
    ("dropout", lambda E: (np.ones((2, 3)), [], {"p": 1.0, "mask": np.ones((2, 3))}), r"p must be in \[0, 1\)"),
    ("dropout", lambda E: (np.ones((2, 3)), [], {"p": -0.1}), r"p must be in \[0, 1\)"),
    ("dropout", lambda E: (np.ones((2, 3)), [], {"mask": np.ones((3, 2))}), r"mask has shape \(3, 2\)"),
    ("dropout", lambda E: (np.ones((2, 3)), [], {"mask": np.full((2, 3), 0.5)}), "only 0 and 1"),
    ("rmsnorm", lambda E: (np.ones((2, 3)), [np.ones(3)], {"eps": -1.0}), "eps must be ≥ 0"),
    ("meanpool", lambda E: (np.ones((2, 0, 3)), [], {}), "at least one step"),
    ("meanpool", lambda E: (np.ones(3), [], {}), "at least one step"),
]


@pytest.mark.parametrize(("name", "make", "message"), BAD)
def test_bad_input_is_a_one_line_value_error(name, make, message):
    x, params, settings = make(np.zeros((6, 2)))
    with pytest.raises(ValueError, match=message) as raised:
        get_kernel(name).forward(x, *params, **settings)
    assert "\n" not in str(raised.value)


def test_kernel_shapes_follow_the_settings():
    assert get_kernel("embedding").parameters((5,), vocab=10, dim=3) == {"E": (10, 3)}
    assert get_kernel("embedding").out_shape((5,), vocab=10, dim=3) == (5, 3)
    assert get_kernel("meanpool").out_shape((5, 3)) == (3,)
    assert get_kernel("rmsnorm").parameters((5, 3), eps=None) == {"gamma": (3,)}
    assert get_kernel("dropout").out_shape((5, 3), p=0.5) == (5, 3)


@pytest.mark.parametrize("name", NAMES)
def test_the_kernel_source_runs_alone_with_numpy_as_codegen_copies_it(tmp_path, name):
    import inspect

    kernel = get_kernel(name)
    path = tmp_path / f"copied_{name}.py"
    path.write_text("import numpy as np\n\n\n" + "\n\n".join(inspect.getsource(f) for f in kernel.functions))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x, params, settings = _case(name)
    y, cache = getattr(module, f"{name}_forward")(x, *params, **settings)
    copied = getattr(module, f"{name}_backward")(np.ones_like(y), cache)
    original = kernel.backward(np.ones_like(y), kernel.forward(x, *params, **settings)[1])
    for ours, theirs in zip(copied, original, strict=True):
        assert (ours is None and theirs is None) or np.array_equal(ours, theirs)
