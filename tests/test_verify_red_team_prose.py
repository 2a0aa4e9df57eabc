"""The red team's second round, pinned: hidden or negated prose, misreadings, relations read as nothing, displays
never seen, the terminal report, and the time of the prose scan.

The corpus files (``tests/corpus/verify/redteam_{prose,misread,relations,hidden}.md``) are judged as whole
documents (a prose definition or assumption holds for the document's rest), block by block against their
``<!-- expect -->`` comments, which ``redteam_check.py`` decides independently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backprop_derive.verify import verify_text
from tests.corpus_blocks import EXPECT

#: The command, as a user runs it.
DERIVE = (sys.executable, "-m", "backprop_derive")
CORPUS = Path(__file__).parent / "corpus" / "verify"
FILES = ("redteam_prose.md", "redteam_misread.md", "redteam_relations.md", "redteam_hidden.md", "redteam_hidden.tex")


def block_verdicts(path: Path) -> list[tuple[int, list[str], list[str], list[str]]]:
    """(line, expected, got, details) of each expect comment of ``path``, the document judged whole.  A comment's
    block is the first region after it that starts before the next comment: a display never seen leaves its
    comment with no steps (not the next block's)."""
    from backprop_derive.verify.document import read_document

    text = path.read_text(encoding="utf-8")
    latex = path.suffix == ".tex"
    document = read_document(text, latex=latex)
    report = verify_text(text, latex=latex)
    found = []
    comments = list(EXPECT.finditer(text))
    for k, m in enumerate(comments):
        limit = comments[k + 1].start() if k + 1 < len(comments) else len(text)
        region = next((n for n, r in enumerate(document.regions) if m.end() < r.start < limit), None)
        steps = [s for c in report.chains if c.region == region for s in c.steps]
        found.append((text[: m.start()].count("\n") + 1, m.group("verdicts").split(), [s.verdict for s in steps],
                      [s.detail for s in steps]))
    return found


@pytest.mark.parametrize("name", [n for n in FILES if (CORPUS / n).exists()])
def test_every_block_gets_its_expected_verdicts_and_no_wrong_step_is_equal(name):
    results = block_verdicts(CORPUS / name)
    assert len(results) >= 10
    wrong_equal = [(line, want) for line, want, got, _ in results for w, g in zip(want, got, strict=False)
                   if g == "equal" != w]
    assert not wrong_equal, f"wrong step(s) judged equal at lines {wrong_equal}"
    mismatched = [(line, want, got, details) for line, want, got, details in results if want != got]
    assert not mismatched, mismatched


#: One wrong step hidden by each trick: a document of that trick alone must fail -- exit 1 (a step not equal) or 3
#: (an error or unknown, ``derive verify``'s code for "not all equal"), never 0.
TRICKS = {
    "assumption in an HTML comment": "<!-- assume $x = 0$ -->\n\n$$x^2 + x = 0$$\n",
    "definition in an HTML comment": "<!-- Let $x = 1$. -->\n\n$$x^2 = x$$\n",
    "negated assumption": "We do not assume $x = 0$.\n\n$$x^2 + x = 0$$\n",
    "assumption denied": "It is wrong to assume $x = 0$.\n\n$$x^2 + x = 0$$\n",
    "exception": "This holds except for $x = 0$:\n\n$$x^2 + x = 0$$\n",
    "unless": "Unless we assume $x = 0$, the next line is false.\n\n$$x^2 + x = 0$$\n",
    "with, in passing": "The figure, with $x = 1$ as its scale, is a special case; in general:\n\n$$x^2 = x$$\n",
    "order of two digits": "$$\\frac{d^{10}}{dx^{10}} x^3 = 3x^2$$\n",
    "product condition": "For $w x = 0$:\n\n$$w^2 + w = 0$$\n",
    "the author's delta": "Let $\\delta_{ij} = a_i b_j$.\n\n$$\\delta_{ii} = 1$$\n",
    "text equals": "$$x^2 \\text{=} 2x$$\n",
    "arrow": "$$x^2 \\to 2x$$\n",
    "full-width equals": "$$x^2 \uff1d 2x$$\n",
    "Rightarrow": "$$x^2 \\Rightarrow 2x$$\n",
    # displays never seen (redteam_hidden.md): what a regex takes for a comment or a fence, CommonMark does not
    "<!-- in a code span": "The opener is `<!--`, and\n\n$$x^2 = 2x$$\n\nthe closer `-->`.\n",
    "<!-- in a fence": "```html\n<!--\n```\n\n$$x^2 = 2x$$\n\n```\n-->\n```\n",
    "<!-- in an indented code block": "Code:\n\n    <!--\n\n$$x^2 = 2x$$\n\n    -->\n",
    "escaped <!--": "Shown: \\<!-- and\n\n$$x^2 = 2x$$\n\nthen -->.\n",
    "<!-- in an attribute": 'A <span title="<!--">span</span>\n\n$$x^2 = 2x$$\n\nthen -->.\n',
    "fence closed by a longer fence": "```\ncode\n````\n\n$$x^2 = 2x$$\n\n```\nmore\n```\n",
    "indented ``` in a paragraph": "Text\n    ```\nmore.\n\n$$x^2 = 2x$$\n\n```\ncode\n```\n",
    "fence in a block quote": "> ```\n> code\n\n$$x^2 = 2x$$\n\n```\ncode\n```\n",
    "fence in a list item": "- item\n  ```\n  code\n\n$$x^2 = 2x$$\n\n```\ncode\n```\n",
    "tilde fence with a backtick in its info": "~~~ a`b\ncode\n~~~\n\n$$x^2 = 2x$$\n\n~~~\ncode\n~~~\n",
    "escaped backtick": "A \\` and\n\n$$x^2 = 2x$$\n\nand `c`.\n",
    "backtick after an unmatched one": "A lone ` here.\n\nSpan `a` and\n\n$$x^2 = 2x$$\n\nand `b`.\n",
}
#: The same in TeX: a ``%`` that TeX does not read as a comment hides nothing.
TEX_TRICKS = {
    "\\verb|%|": "\\verb|%| \\[ x^2 = 2x \\]",
    "\\verb*|%|": "\\verb*|a%b| \\[ x^2 = 2x \\]",
    "\\url{%}": "\\url{http://a.b/%20} \\[ x^2 = 2x \\]",
    "\\href{%}": "\\href{http://a.b/%7E}{home} \\[ x^2 = 2x \\]",
    "verbatim": "\\begin{verbatim}50%\\end{verbatim} \\[ x^2 = 2x \\]",
    "lstlisting": "\\begin{lstlisting}\nx % y\n\\end{lstlisting} \\[ x^2 = 2x \\]",
}


@pytest.mark.parametrize("trick", list(TRICKS))
def test_a_document_with_a_wrong_step_hidden_by_each_trick_never_exits_0(trick, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(TRICKS[trick], encoding="utf-8")
    done = subprocess.run([*DERIVE, "verify", str(path)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode in (1, 3), (trick, done.returncode, done.stdout[-2000:], done.stderr[-2000:])


@pytest.mark.parametrize("trick", list(TEX_TRICKS))
def test_a_tex_document_with_a_wrong_step_behind_a_percent_that_is_no_comment_never_exits_0(trick, tmp_path):
    path = tmp_path / "notes.tex"
    path.write_text(f"\\documentclass{{article}}\n\\begin{{document}}\n{TEX_TRICKS[trick]}\n\\end{{document}}\n",
                    encoding="utf-8")
    done = subprocess.run([*DERIVE, "verify", str(path)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode in (1, 3), (trick, done.returncode, done.stdout[-2000:], done.stderr[-2000:])


@pytest.mark.parametrize("name", [n for n in FILES if (CORPUS / n).exists()])
def test_each_red_team_file_fails(name):
    done = subprocess.run([*DERIVE, "verify", str(CORPUS / name)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode in (1, 3), done.stdout[-2000:]


# ----------------------------------------------------------------------------- displays never seen, terminal, time


def test_inline_parens_across_a_paragraph_break_hide_no_display():
    text = "An opener \\( left open.\n\n$$x^2 = 2x$$\n\nand a closer \\) later.\n"
    chains = verify_text(text).chains
    assert [s.verdict for s in chains[0].steps] == ["not_equal"]  # the display is seen and judged
    assert all(s.verdict == "error" for c in chains[1:] for s in c.steps)  # the stray \) is loud


def test_pytest_derivations_collects_upper_case_and_long_markdown_suffixes(tmp_path):
    from backprop_derive.cli.pytest_plugin import derivation_files

    for name in ("NOTES.MD", "notes.markdown", "a.Md"):
        (tmp_path / name).write_text("$$x = 2x$$\n", encoding="utf-8")
    assert sorted(p.name for p in derivation_files([str(tmp_path)])) == ["NOTES.MD", "a.Md", "notes.markdown"]


def test_control_characters_from_the_document_never_reach_the_terminal(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("$$\\text{\x1b[2J\x1b[H\x07\x9b} x = 2x$$\n\n$$y^2 = y \\quad \\text{(\x1b]0;title\x07)}$$\n",
                    encoding="utf-8")
    for extra in ([], ["--json"]):
        done = subprocess.run([*DERIVE, "verify", str(path), *extra], capture_output=True,
                              text=True, timeout=600)
        shown = done.stdout + done.stderr
        assert not any(ch in shown for ch in "\x1b\x07\x9b"), repr(shown[:400])
    assert "\\x1b" in subprocess.run([*DERIVE, "verify", str(path)], capture_output=True,
                                     text=True, timeout=600).stdout


def test_terminal_safe_escapes_c0_and_c1_but_keeps_newline_and_tab():
    from backprop_derive.cli.common import terminal_safe

    assert terminal_safe("a\x1b[2Jb\x9bc\td\ne\x7f") == "a\\x1b[2Jb\\x9bc\td\ne\\x7f"


def test_many_unclosed_inline_parens_are_scanned_in_linear_time():
    """200 KB of ``\\(`` without a closer: the prose and region scans pair openers by binary search, so the work
    grows with the input (pinned by counting closer look-ups, not by the clock); the display after is read."""
    from backprop_derive.verify import regions
    from backprop_derive.verify.document import read_document

    calls = []
    real = regions.bisect.bisect_left

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    counts = []
    for size in (100_000, 200_000):
        calls.clear()
        regions.bisect.bisect_left = counted
        try:
            document = read_document("text \\( " * (size // 8) + "\n\n$$x = 2x$$\n")
        finally:
            regions.bisect.bisect_left = real
        assert len(document.chains) == 1
        counts.append(len(calls))
    assert counts[1] <= 2.2 * counts[0] + 10, counts
    text = "We assume \\( a " * 12_500 + "\\)\n\n$$x = 2x$$\n"
    assert len(verify_text(text).chains) == 1
