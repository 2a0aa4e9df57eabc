"""``derive verify``: exit codes, the JSON shape, the readable report, the seed note, the pytest plugin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from backprop_derive.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED_COPY = ROOT / "tests" / "data" / "handwritten-backprop-note.md"
SLIP = (r"\frac{1}{(e^{x} + e^{-x})^{2}}", r"\frac{1}{(e^{x} + e^{x})^{2}}")


def verify(tmp_path, capsys, text: str | bytes, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "derivation.md"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code = main(["verify", str(path), *options])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (r"$$\frac{d}{dx}\sigma(x) = \sigma(x)(1-\sigma(x))$$", 0),
        (r"$$\frac{d}{dx}\sigma(x) = \sigma(x)\sigma(x)$$", 1),
        (r"$$\frac{d}{dx}\sigma(x) = \sigma(x)(1-\sigma(x)) = \frac{1}{x$$", 3),
        ("No display math here, only prose.", 3),
    ],
    ids=["all equal", "not equal", "unreadable step", "no chain"],
)
def test_exit_code_says_what_was_found(tmp_path, capsys, text, code):
    assert verify(tmp_path, capsys, text)[0] == code


def test_json_has_the_documented_shape(tmp_path, capsys):
    code, out, _ = verify(tmp_path, capsys, "Intro.\n\n$$\\tanh(x) = 2\\sigma(2x) - 1 = 2\\sigma(x) - 1$$\n", "--json")
    data = json.loads(out)
    assert code == 1
    assert list(data) == ["chains", "summary", "regions"]
    assert data["summary"] == {"equal": 1, "not_equal": 1, "unknown": 0, "error": 0, "definition": 0}
    (chain,) = data["chains"]
    assert chain["line"] == 3 and chain["source"].startswith(r"\tanh(x) = ")
    first, second = chain["steps"]
    for step in (first, second):
        assert {"lhs", "rhs", "verdict", "method", "detail", "counterexample"} <= set(step)
    assert (first["verdict"], first["counterexample"]) == ("equal", None)
    assert second["verdict"] == "not_equal" and set(second["counterexample"]) >= {"point", "lhs", "rhs"}
    assert second["lhs"] == r"2\sigma(2x) - 1" and second["rhs_read"] == "2·σ(x) - 1"


def test_report_marks_steps_echoes_each_side_and_highlights_the_first_wrong_step(tmp_path, capsys):
    text = r"$$\frac{d}{dx}\tanh x = 1-\tanh^2 x = \frac{1}{(e^x+e^{-x})^2} = \frac{1}{(e^x+e^x)^2} = \frac{1}{x$$"
    code, out, _ = verify(tmp_path, capsys, text)
    assert code == 1
    assert "[1] d/dx(tanh(x))" in out and "[2] 1 - tanh(x)²" in out
    assert "✓ [1] = [2]" in out
    assert "✗ [2] = [3]  NOT EQUAL   <-- first wrong step" in out
    assert "✗ [3] = [4]  NOT EQUAL\n" in out
    assert "! [4] = [5]  error" in out and "never closed" in out
    assert "at x = " in out


def test_assume_option_is_used_and_named(tmp_path, capsys):
    claim = r"$$\frac{\partial}{\partial z_2}\left(-\sum_{i=1}^{3} y_i \log\frac{e^{z_i}}{\sum_{j=1}^{3} e^{z_j}}\right) = \frac{e^{z_2}}{\sum_{j=1}^{3} e^{z_j}} - y_2$$"  # noqa: E501
    assert verify(tmp_path, capsys, claim)[0] == 1
    code, out, _ = verify(tmp_path, capsys, claim, "--assume", "y_1+y_2+y_3=1")
    assert code == 0 and "assuming: y_1+y_2+y_3=1" in out


def test_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"$$e^{a+b} = e^a e^b$$")))
    assert main(["verify", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["equal"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "/no/such/file.md"], "no such file"),
        (["verify", "{empty}"], "no .md, .markdown, .tex or .ipynb file under"),
        (["verify", "{binary}"], "not text"),
        (["verify", "{latin1}"], "not UTF-8"),
        (["verify", "{ok}", "--assume", "y_1 + = 1"], "--assume"),
        (["verify", "{ok}", "--assume", "y_1"], "one relation"),
        (["verify", "{ok}", "--timeout", "0"], "--timeout"),
    ],
    ids=["missing", "folder without documents", "binary", "latin-1", "bad assumption", "not an equation", "timeout"],
)
def test_unreadable_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    # A folder is a class now (derive verify DIR checks its documents); one without any is the one-line error.
    files = {"empty": tmp_path / "empty", "binary": tmp_path / "junk.md", "latin1": tmp_path / "l1.md",
             "ok": tmp_path / "ok.md"}
    files["empty"].mkdir()
    files["binary"].write_bytes(bytes(range(256)) * 4)
    files["latin1"].write_bytes("$$x = caf\xe9$$".encode("latin-1"))
    files["ok"].write_text("$$x = x$$")
    code = main([a.format(**files) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("derive: error: ") and err.count("\n") == 1 and message in err


def test_seed_note_is_read_without_a_crash_and_its_slip_is_found(capsys):
    """The seed note (its OCR copy, kept in the repository) is read without a crash and its slip is found."""
    code = main(["verify", str(SEED_COPY), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    steps = [step for chain in data["chains"] for step in chain["steps"]]
    slip = [s for s in steps if (s["lhs"], s["rhs"]) == SLIP]
    assert slip and all(s["verdict"] == "not_equal" and s["counterexample"] for s in slip)
    errors = [s for s in steps if s["verdict"] == "error"]
    assert errors and all("column" in s["detail"] for s in errors)
    assert any("never closed" in s["detail"] for s in errors)  # the fraction that lacks its brace


def test_pytest_plugin_collects_each_chain_and_fails_a_wrong_step_with_its_counterexample(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "good.md").write_text(r"$$\frac{d}{dx}\operatorname{softplus}(x) = \sigma(x)$$")
    (tmp_path / "notes" / "bad.tex").write_text(r"\[ \frac{d}{dx}\tanh(x) = \frac{1}{(e^{x}+e^{-x})^{2}} \]")
    (tmp_path / "notes" / "ignored.txt").write_text(r"$$1 = 2$$")
    registered = any(ep.value == "backprop_derive.cli.pytest_plugin" for ep in metadata.entry_points(group="pytest11"))
    plugin = [] if registered else ["-p", "backprop_derive.cli.pytest_plugin"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
               "--derivations", "notes", "-m", "derivation"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout
    assert "bad.tex::line 1" in done.stdout and "first wrong step" in done.stdout and "at x = " in done.stdout
    without = subprocess.run([sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider", "--rootdir",
                              str(tmp_path), "notes"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120)
    assert "no tests ran" in without.stdout


def test_numbers_shown_to_a_person_have_six_significant_digits_at_any_magnitude():
    from backprop_derive.verify.present import significant

    assert significant("-8.4580419637489800982") == "-8.45804"
    assert significant("0.0000000450042792726513087802149179819") == "4.50043e-8"
    assert significant("1e400") == "1.0e+400"  # beyond a float, not inf
    assert significant("2") == "2"  # a count or an index as it is
    assert significant("sqrt(2)/100000") == "sqrt(2)/100000"  # not a decimal: as written
