"""The matrix-form corpus (tests/corpus/matrix, issue 10) and its independent checker agree, step by step.

tests/corpus/matrix/independent.py decides every step with numpy + HIPS autograd from hand-written encodings (no
project code) and diagnoses every wrong one.  Here: it exits 0 (every expect and diagnosis comment matches its
check), every file names its source and has a row in SOURCES.md, every one-mistake copy differs from its
transcription in one display block, the planted variants are what planted.py writes, and the checker itself
catches mistakes planted by hand (and passes the right formulas) -- without the engine.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

MATRIX = Path(__file__).parent / "corpus" / "matrix"
sys.path.insert(0, str(MATRIX))
_spec = importlib.util.spec_from_file_location("matrix_independent", MATRIX / "independent.py")
independent = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(independent)  # under its own name: tests/corpus/real has an independent.py too

import mcheck  # noqa: E402
from mentries_note import note_model  # noqa: E402
from mexpr import Grad, Had, Mul, Ones, Scale, T, Var, compare, evaluate, make_context  # noqa: E402

FILES = independent.corpus_files()
PLANTED_FILES = independent.planted_files()
SOURCE = re.compile(r"\A<!-- source: (?P<where>\S+)")
ONE_MISTAKE = re.compile(r"\A<!-- planted: (?P<kind>[a-z_]+): (?P<what>.+?) -->\n")


@pytest.fixture(scope="module")
def report() -> dict:
    run = subprocess.run([sys.executable, str(MATRIX / "independent.py"), "--json"], capture_output=True,
                         text=True, timeout=600, check=False)
    data = json.loads(run.stdout)
    data["returncode"], data["stderr"] = run.returncode, run.stderr
    return data


def test_the_independent_check_agrees_with_every_expect_and_diagnosis_comment(report):
    problems = [f"{r['file']}: {p}" for r in report["files"] for p in r["problems"]]
    assert problems == [] and report["entries_without_files"] == []
    assert report["returncode"] == 0, report["stderr"][-2000:]


def test_every_file_is_checked_and_every_block_has_its_expect(report):
    checked = {r["file"] for r in report["files"]}
    assert checked == {p.name for p in FILES} | {f"planted/{p.name}" for p in PLANTED_FILES}
    for r in report["files"]:
        assert r["blocks"], r["file"]
        assert all(b["expect"] for b in r["blocks"]), r["file"]


@pytest.mark.parametrize("path", FILES + PLANTED_FILES, ids=lambda p: p.parent.name + "/" + p.name)
def test_every_file_names_its_source_and_has_a_row_in_sources(path):
    text = path.read_text(encoding="utf-8")
    body = ONE_MISTAKE.sub("", text, count=1)
    assert SOURCE.match(body), f"{path.name}: no <!-- source: ... --> comment at the top"
    stem = independent.stem_of(path)[0]
    sources = (MATRIX / "SOURCES.md").read_text(encoding="utf-8")
    assert f"| `{stem}.md` |" in sources, f"{stem}.md has no row in SOURCES.md"


def _wrong_copies() -> list[Path]:
    return [p for p in FILES if p.name.endswith(".wrong.md")]


def test_every_public_source_has_its_one_mistake_copy_and_there_are_six_at_least():
    stems = {independent.stem_of(p)[0] for p in FILES if p.stem != "note-matrix-half"}
    assert len(stems) >= 6
    for stem in stems:
        assert (MATRIX / f"{stem}.wrong.md").exists(), stem
        assert (MATRIX / "planted" / f"{stem}.md").exists(), stem


@pytest.mark.parametrize("path", _wrong_copies(), ids=lambda p: p.name)
def test_a_one_mistake_copy_differs_in_one_block_and_its_verdicts_change(path, report):
    text = path.read_text(encoding="utf-8")
    m = ONE_MISTAKE.match(text)
    assert m, f"{path.name}: no <!-- planted: kind: what --> first line"
    original = (MATRIX / path.name.replace(".wrong.md", ".md")).read_text(encoding="utf-8")
    mine, theirs = independent.read_blocks(text), independent.read_blocks(original)
    assert len(mine) == len(theirs)
    changed = [i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a["latex"] != b["latex"]]
    assert len(changed) == 1, f"{path.name}: blocks {changed} differ"
    by_file = {r["file"]: r for r in report["files"]}
    i = changed[0]
    assert by_file[path.name]["blocks"][i]["steps"] != by_file[path.name.replace(".wrong", "")]["blocks"][i]["steps"]
    kinds = [s["diagnosis"] for s in by_file[path.name]["blocks"][i]["steps"] if s["diagnosis"]]
    assert m.group("kind") in kinds, f"{path.name}: planted {m.group('kind')}, the check diagnoses {kinds}"


def test_the_planted_variants_are_what_planted_py_writes():
    run = subprocess.run([sys.executable, str(MATRIX / "planted.py"), "--check"], capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-2000:]


def test_the_note_holds_its_two_mistakes_and_four_more(report):
    note = next(r for r in report["files"] if r["file"] == "note-matrix-half.md")
    kinds = [s["diagnosis"] for b in note["blocks"] for s in b["steps"] if s["verdict"] == "not_equal"]
    assert {"missing_batch_sum", "other"} <= set(kinds)  # ∂L/∂b₃ without 1ᵀ; ∂Z₃/∂W₃ where ∂L/∂Z₃ belongs
    assert {"missing_transpose", "wrong_order", "hadamard_vs_matrix_product", "missing_mean_factor"} <= set(kinds)
    shapes = [s["reason"] for b in note["blocks"] for s in b["steps"] if s["diagnosis"] == "other"]
    assert shapes and "cannot be formed" in shapes[0]


# ---- the checker, tested by planting mistakes by hand ----------------------------------------------------

MODEL = note_model()
CTXS = mcheck.contexts("a test", MODEL)
DW3 = Mul(T(Var("A2")), Grad("Z3"))


def _loss_with(name: str, value: np.ndarray, seed: int) -> float:
    """L of the note's network at the context ``seed`` draws, with ``name`` set to ``value``."""
    ctx = make_context(MODEL, np.random.default_rng(seed))
    ctx.values[name] = value
    for n, tree in MODEL.defs:
        ctx.values[n] = evaluate(tree, ctx)
    return float(evaluate(MODEL.loss, ctx))


def test_the_checker_passes_the_right_formula_and_agrees_with_finite_differences():
    assert mcheck.holds(Grad("W3"), DW3, CTXS)[0]
    ctx = make_context(MODEL, np.random.default_rng(7))
    h, (k, c) = 1e-6, (4, 1)
    bump = np.zeros_like(ctx.values["W3"])
    bump[k, c] = h
    fd = (_loss_with("W3", ctx.values["W3"] + bump, 7) - _loss_with("W3", ctx.values["W3"] - bump, 7)) / (2 * h)
    assert abs(fd - float(evaluate(DW3, ctx)[k, c])) < 1e-6
    assert abs(fd) > 1e-4  # a gradient entry that is not zero: the comparison means something


@pytest.mark.parametrize(("wrong", "kind"), [
    (Mul(Var("A2"), Grad("Z3")), "missing_transpose"),
    (Mul(Grad("Z3"), T(Var("A2"))), "wrong_order"),
    (Scale(Fraction(3), DW3), "constant_factor"),
    (Scale(Fraction(-1), DW3), "sign"),
    (Scale(Fraction(1), DW3, "n", 1), "missing_mean_factor"),
])
def test_a_planted_mistake_is_not_equal_and_gets_its_diagnosis(wrong, kind):
    step = mcheck.eq(Grad("W3"), wrong)
    decision = mcheck.decide(step, MODEL, CTXS)
    assert decision.verdict == "not_equal" and decision.diagnosis == kind


def test_a_square_missing_transpose_is_well_shaped_and_still_caught():
    ok, why = compare(Grad("A1"), Mul(Grad("Z2"), Var("W2")), CTXS[0])  # W2 is 10×10
    assert not ok and "differ" in why
    assert mcheck.decide(mcheck.eq(Grad("Z2"), Mul(Grad("A2"), Ones("n"))), MODEL, CTXS).verdict == "not_equal"
    assert mcheck.holds(Grad("Z2"), Had(Grad("A2"), Var("A2")), CTXS)[0] is False


def _top_level_equals(latex: str) -> int:
    """The steps of a display as the corpus counts them: `=` outside braces (``\\overset{?}{=}`` is one)."""
    s = re.sub(r"\\text\s*\{[^{}]*\}", "", latex.replace(r"\overset{?}{=}", "="))
    depth = count = 0
    for ch in s:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        count += ch == "=" and depth == 0
    return count


@pytest.mark.parametrize("path", FILES + PLANTED_FILES, ids=lambda p: p.parent.name + "/" + p.name)
def test_every_expect_comment_has_one_verdict_per_written_step(path):
    for b in independent.read_blocks(path.read_text(encoding="utf-8")):
        assert b["expect"] and len(b["expect"]) == _top_level_equals(b["latex"]), f"{path.name}:{b['line']}"
        assert len(b["diagnosis"]) == b["expect"].count("not_equal"), f"{path.name}:{b['line']}"


def _gradients(stem: str) -> set[str]:
    _, blocks = mcheck.REGISTRY[stem](False)
    return {sub.name for steps in blocks for s in steps if s.kind == "claim" for side in (s.lhs, s.rhs)
            for _, sub in mcheck.paths(side) if isinstance(sub, Grad)}


@pytest.mark.parametrize("stem", sorted(mcheck.REGISTRY))
def test_every_gradient_the_encodings_use_agrees_with_central_differences(stem):
    """autograd through the definitions (∂L/∂Z for an intermediate Z too) against (L(Z+h) - L(Z-h)) / 2h."""
    model, _ = mcheck.REGISTRY[stem](False)
    ctx = make_context(model, np.random.default_rng(11))
    order = [n for n, _ in model.defs]
    for name in sorted(_gradients(stem)):
        def loss_at(value, name=name):
            values = dict(ctx.values)
            values[name] = value
            sub = type(ctx)(model, ctx.sizes, values)
            for n, tree in model.defs[order.index(name) + 1 if name in order else 0 :]:
                values[n] = evaluate(tree, sub)
            return float(evaluate(model.loss, sub))

        grad = np.asarray(evaluate(Grad(name), ctx))
        at = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(grad)), grad.shape))
        bump = np.zeros_like(ctx.values[name])
        bump[at] = 1e-6
        fd = (loss_at(ctx.values[name] + bump) - loss_at(ctx.values[name] - bump)) / 2e-6
        assert abs(fd - grad[at]) <= 1e-5 * (1 + abs(fd)), f"{stem}: ∂L/∂{name}{at}"
