"""``derive verify FILE --html OUT.html``: one self-contained page, checked as markup and in a real browser.

The screenshot test runs headless Chromium (Debian package ``chromium``, which ``.ci/run`` installs);
it skips, saying so, where there is none.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib

import pytest

pytest.importorskip("latex2mathml", reason="latex2mathml is in the `test` and `html` extras")

from backprop_derive.cli.verify_cmd import as_json
from backprop_derive.cli.verify_html import html_report, latex_mathml, safe_mathml
from backprop_derive.verify import verify_text
from tests.cli import assert_usage_error, run

NOTES = r"""# A derivation with a slip

$$\frac{d}{dx}\sigma(x) = \frac{e^{-x}}{(1+e^{-x})^2} = \sigma(x)\left(1-\sigma(x)\right)$$

$$\frac{d}{dx}\tanh(x) = \frac{4}{(e^{x}+e^{-x})^{2}} = \frac{1}{(e^{x}+e^{-x})^{2}} = 1 - \tanh^2(x)$$

$$y_1 + y_2 = 1 - y_3$$
"""
ASSUME = "y_1+y_2+y_3=1"


@pytest.fixture(scope="module")
def data() -> dict:
    return as_json(verify_text(NOTES, [ASSUME]))


def _rows(page: str) -> list[str]:
    return re.findall(r"<tr[^>]*>.*?</tr>", page.split("<tbody>", 1)[1], re.S) if "<tbody>" in page else []


def test_page_is_self_contained(data):
    page = html_report(data, "notes.md")
    assert page.startswith("<!DOCTYPE html>")
    for outside in ("<script", "<link", "src=", "@import", "url(", "https://", "http://www.w3.org/1999"):
        assert outside not in page.replace(f'xmlns="{"http://www.w3.org/1998/Math/MathML"}"', ""), outside


def test_each_chain_each_step_as_mathml_and_the_first_wrong_step_marked(data):
    page = html_report(data, "notes.md")
    chains = page.split('<section class="chain')[1:]
    assert len(chains) == len(data["chains"]) == 3
    for chain, section in zip(data["chains"], chains, strict=True):
        rows = re.findall(r"<tr[^>]*>.*?</tr>", section.split("<tbody>", 1)[1], re.S)
        assert len(rows) == len(chain["steps"])
        assert all(row.count("<math") >= 2 for row in rows), "each side as written, as MathML"
        wrong = [n for n, step in enumerate(chain["steps"]) if step["verdict"] == "not_equal"]
        marked = [n for n, row in enumerate(rows) if 'class="first-wrong"' in row]
        assert marked == wrong[:1], (marked, wrong)
    tanh = chains[1]
    assert tanh.count("first wrong step") == 1 and "counterexample" in tanh and "at x = " in tanh
    last = chains[2].split("</section>")[0]
    assert "assuming" in last and "not equal" not in last.split("<tbody>")[1]


def test_the_mark_follows_the_verdicts_not_the_position(data):
    """Planted: make the first step of the sigmoid chain wrong; the mark moves there."""
    planted = {**data, "chains": [dict(c) for c in data["chains"]]}
    steps = [dict(s) for s in planted["chains"][0]["steps"]]
    steps[0]["verdict"] = "not_equal"
    planted["chains"][0]["steps"] = steps
    section = html_report(planted, "x.md").split('<section class="chain')[1]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", section.split("<tbody>", 1)[1], re.S)
    assert ['class="first-wrong"' in row for row in rows] == [True, False]


def test_fields_the_report_gains_are_rendered(data):
    """diagnosis, definitions, lhs_source and readings as LaTeX or MathML show; an unknown field is listed."""
    grown = {**data, "chains": [dict(c) for c in data["chains"]]}
    step = dict(grown["chains"][1]["steps"][1])
    step.update(diagnosis="the factor 4 of tanh' is missing", lhs_source=r"\frac{4}{(e^{x}+e^{-x})^{2}}",
                rhs_read_latex=r"\frac{1}{(e^{x}+e^{-x})^{2}}", confidence_note="planted field")
    grown["chains"][1]["steps"] = [grown["chains"][1]["steps"][0], step, *grown["chains"][1]["steps"][2:]]
    grown["chains"][1]["definitions"] = [{"name": "S", "latex": r"S := e^{x}+e^{-x}"}]
    page = html_report(grown, "x.md")
    for words in ("diagnosis", "the factor 4 of tanh&#x27; is missing", "lhs source", "definitions",
                  "confidence note", "planted field"):
        assert words in page, words
    row = _rows(page.split('<section class="chain')[2])[1]
    assert row.split("</td>")[2].count("<math") == 1, "the right side's reading as MathML, the left as text"


def test_nothing_the_user_writes_becomes_markup():
    assert "<script" not in latex_mathml(r"\text{<script>alert(1)</script>} + x")
    assert safe_mathml('<math xmlns="http://www.w3.org/1998/Math/MathML"><mi onclick="x()">a</mi></math>') == \
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math>'
    assert safe_mathml("<math><script>x</script></math>") is None
    assert latex_mathml(r"\frac{1}{") == r"<code>\frac{1}{</code>"
    page = html_report({"chains": [{"line": 1, "source": "<b>x</b>", "steps": [
        {"lhs": "<b>", "rhs": "&", "verdict": "error", "method": "read", "detail": "<i>bad</i>"}]}],
        "summary": {"error": 1}}, "<name>.md")
    assert "<b>" not in page and "<i>" not in page and "<name>" not in page


def test_verify_html_writes_the_page_and_keeps_the_exit_code(tmp_path, capsys):
    source, target = tmp_path / "notes.md", tmp_path / "report.html"
    source.write_text(NOTES, encoding="utf-8")
    code, out, err = run(capsys, "verify", str(source), "--html", str(target), "--assume", ASSUME)
    assert code == 1 and "NOT EQUAL" in out and f"wrote {target}" in err
    written = target.read_text(encoding="utf-8")
    assert written == html_report(as_json(verify_text(NOTES, [ASSUME])), str(source))
    for markup in re.findall(r"<math.*?</math>", written, re.S):
        ET.fromstring(markup)  # every formula is well-formed MathML
    assert_usage_error(capsys, ["verify", str(source), "--html", str(tmp_path / "no" / "r.html")], "--html")


# ------------------------------------------------------------------------------ in a real browser

CHROMIUM = next((name for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB or RGBA PNG, unfiltered (PNG spec, filters 0-4)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color = header[:4]
    assert depth == 8 and color in (2, 6), header
    channels = 3 if color == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytes(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b, c = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, channels, rows


@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium (Debian: apt-get install chromium)")
def test_the_page_renders_in_headless_chromium_with_the_wrong_step_in_red(tmp_path, capsys):
    source, page, shot = tmp_path / "notes.md", tmp_path / "report.html", tmp_path / "report.png"
    source.write_text(NOTES, encoding="utf-8")
    run(capsys, "verify", str(source), "--html", str(page), "--assume", ASSUME)
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1200,1400", f"--screenshot={shot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert shot.exists(), done.stderr[-2000:]
    width, channels, rows = png_pixels(shot.read_bytes())
    pixels = [row[x:x + 3] for row in rows[::4] for x in range(0, width * channels, channels * 4)]
    dark = sum(1 for r, g, b in pixels if r + g + b < 200)
    red = sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80)
    assert dark > 500, "text was drawn"
    assert red > 20, "the first wrong step is marked in red"
