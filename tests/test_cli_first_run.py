"""What a new user meets first: readable headers, "did you mean", one activation for every layer,
the default job named in --help, sampled finite differences said so, repeated sub-trees printed once,
and the canonical derivative in ``derive list``."""

from __future__ import annotations

import re

import numpy as np
import pytest

from backprop_derive.cli import main
from backprop_derive.core.catalog import CATALOG
from backprop_derive.core.derivation import derive_entry
from backprop_derive.network.spec import NetworkSpec
from backprop_derive.numeric.points import sample_point
from backprop_derive.numeric.references import finite_difference_gradients
from backprop_derive.render.notation import TEXT, unicode
from tests.cli import assert_usage_error, run

INDEXED = [name for name, entry in CATALOG.items() if entry.problem().index is not None]
#: SymPy's own str() of what the catalog holds: none of it belongs in what `show` prints.
RAW_SYMPY = re.compile(r"Piecewise\(|Sum\(|\*\*|\w\*\w|(?<!\w)sigmoid\(|KroneckerDelta|\[j\]|\[k\]")


@pytest.mark.parametrize("name", list(CATALOG))
def test_show_header_is_printed_like_the_tree(capsys, name):
    code, out, _ = run(capsys, "show", name)
    assert code == 0
    header = out.splitlines()[0]
    assert not RAW_SYMPY.search(header), header
    assert unicode(CATALOG[name].definition()) in header


def test_the_raw_sympy_pattern_catches_what_headers_used_to_print():
    for raw in ("relu(x) = Piecewise((0, x <= 0), (x, True))",
                "softmax_cce(z, y, K) = -Sum(log_softmax(z, j, K)*y[j], (j, 1, K))"):
        assert RAW_SYMPY.search(raw)


@pytest.mark.parametrize(("typed", "meant"), [("sigmod", "sigmoid"), ("softmx", "softmax"), ("tahn", "tanh"),
                                               ("gleu", "gelu"), ("softmax_ce", "softmax_cce")])
def test_a_close_name_gets_did_you_mean(capsys, typed, meant):
    assert_usage_error(capsys, ["show", typed], f"unknown catalog entry {typed!r}; did you mean {meant!r}?")


def test_a_far_name_lists_the_names_without_a_guess(capsys):
    code, _, err = run(capsys, "show", "frobnicator")
    assert code == 2 and "did you mean" not in err and "valid names: identity" in err


@pytest.mark.parametrize(("argv", "meant"), [(["--activations", "sigmod,relu"], "sigmoid"),
                                             (["--loss", "sigmoid_bc"], "sigmoid_bce")])
def test_network_names_get_did_you_mean_too(capsys, argv, meant):
    assert_usage_error(capsys, ["network", *argv], f"did you mean {meant!r}?")


def test_one_activation_applies_to_every_hidden_layer(capsys):
    code, out, _ = run(capsys, "network", "--layers", "5,4,4,4,3", "--activations", "gelu", "--batch", "4",
                       "--check", "fd", "--json")
    assert code == 0, out
    import json

    data = json.loads(out)
    assert data["network"]["activations"] == ["gelu", "gelu", "gelu"] and data["holds"] is True
    assert_usage_error(capsys, ["network", "--activations", "relu,relu,relu"], "3 given")


def test_help_names_the_default_job(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    words = " ".join(out.split())
    assert "With no COMMAND, `derive` runs the default job, `derive network` with its defaults" in words
    assert "70 -> 10 -> 10 -> 3" in words


def test_gradient_table_says_which_entries_finite_differences_sampled(capsys):
    """The line printed for each parameter matches the entries finite differences really looked at."""
    spec = NetworkSpec((300, 300, 3), ("tanh",), "softmax_cce", "mean")
    batch = 16
    code, out, _ = run(capsys, "network", "--layers", "300,300,3", "--activations", "tanh", "--batch", str(batch),
                       "--check", "fd")
    assert code == 0, out
    point = sample_point(spec, batch)
    looked_at = {name: int(np.count_nonzero(~np.isnan(grad)))
                 for name, grad in finite_difference_gradients(spec, point.params, point.X, point.Y).items()}
    sampled = {name: count for name, count in looked_at.items() if count < np.prod(spec.parameter_shapes()[name])}
    assert sampled, "this network is large enough for finite differences to sample"
    for name, count in looked_at.items():
        line = f"fd {name}: sampled {count} of {np.prod(spec.parameter_shapes()[name])} entries"
        assert (line in out) == (name in sampled), (line, out)


def _blocks(text: str) -> list[tuple[str, ...]]:
    """Each printed line with the lines nested under it (indentation stripped), where there are any."""
    rows = [line for line in text.splitlines() if line.strip()]
    depth = [len(line) - len(line.lstrip(" └")) for line in rows]
    blocks = []
    for n, row in enumerate(rows):
        end = n + 1
        while end < len(rows) and depth[end] > depth[n]:
            end += 1
        if end > n + 1:
            blocks.append(tuple(r.lstrip(" └") for r in [row.split("    [")[0], *rows[n + 1:end]]))
    return blocks


@pytest.mark.parametrize(("name", "classes"), [(n, None) for n in CATALOG] + [(n, 3) for n in INDEXED])
def test_a_repeated_subtree_is_printed_once_and_referred_to_after(name, classes):
    text = TEXT.render(derive_entry(name, classes).tree)
    blocks = _blocks(text)
    assert len(blocks) == len(set(blocks)), f"{name}: a sub-tree is printed twice"
    labels = re.findall(r"step \((\d+)\)\]", text)
    for reference in re.finditer(r"same as step \((\d+)\) above", text):
        assert reference.group(1) in labels and text.index(f"step ({reference.group(1)})]") < reference.start()


def test_softmax_cce_for_three_classes_refers_back_instead_of_repeating(capsys):
    code, out, _ = run(capsys, "show", "softmax_cce", "--classes", "3")
    assert code == 0
    assert out.count("same as step (1) above") == 2
    assert len(out.splitlines()) < 67  # the 67 lines it printed when the sub-tree was repeated three times


def test_list_shows_each_entry_with_its_canonical_derivative(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for name, entry in CATALOG.items():
        problem = entry.problem()
        assert re.search(rf"^{name} ", out, re.M), name
        assert f"{unicode(problem.var)} {unicode(problem.expr)} = {unicode(problem.canonical)}" in out, name
    assert "assuming sum_i y[i] = 1" in out  # cross-entropy's canonical form needs its labels to sum to 1


def test_main_returns_the_exit_code_of_bad_input():
    assert main(["show", "sigmod"]) == 2
