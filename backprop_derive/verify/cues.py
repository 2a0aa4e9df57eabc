r"""What the words around an inline equation make of it: one table of cue words, one reading of a sentence.

An inline ``$L = -\sum_i y_i \log p_i$`` in prose is the author telling the reader what L is, whether or not a
cue word ("let", "where", "define") stands before it: a name written alone on the left of ``=``, with a formula
on the right, is **defined in plain sight** (:func:`plain_definitions`).  Three kinds of sentence say something
else, and the tables below name their words:

* **conditional** -- ":math:`y_i = 1` *if* the true class is *i*, and 0 *otherwise*": a case, never a
  definition for every *i*;
* **negating** -- "we do *not* assume :math:`x = 0`", "it is *wrong* to write :math:`\sigma' = \sigma^2`": the
  equation is denied or quoted, not asserted;
* **reasoning** -- "*since* :math:`y = 3x`, we stop": a reason or a consequence, not what y means;
* **a value** -- ":math:`x = 1`" or ":math:`z = t`": a number or a single letter said in passing is an
  example or an index relation, not what the name means in the rest of the document.

A sentence holding a word of the first three tables defines nothing in plain sight.  The words are matched whole,
case-insensitively, in the sentence that holds the equation, with the inline math itself left out (so a
``\text{if}`` inside a formula is no cue).  A sentence ends at ``.``, ``;``, ``!``, ``?`` or a blank line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

#: Words that make an equation in their sentence a case or a premise under a condition.
CONDITIONAL = ("if", "iff", "when", "whenever", "unless", "except", "otherwise", "else", "case", "cases",
               "provided", "suppose", "supposing", "assume", "assuming", "whereas")
#: Words that give an equation as a reason ("since $y = 3x$, …"): a premise of what follows, not a definition.
REASONING = ("since", "because", "given", "hence", "thus", "therefore", "so")
#: Words that give a sentence as a premise of the display beside it ("Since exactly one of the $t_i$ is 1:").
PREMISING = ("since", "because", "given", "assuming")
#: Words that deny, question or merely quote an equation in their sentence ("error" is not one: in backprop
#: "the error" is δ, which an author defines).
NEGATING = ("not", "no", "never", "nor", "neither", "without", "wrong", "wrongly", "false", "incorrect",
            "incorrectly", "instead", "rather", "mistake", "mistaken", "mistakenly", "cannot",
            "can't", "don't", "doesn't", "isn't", "aren't", "won't", "shouldn't", "didn't")

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
#: "y is a one-hot vector": what values y takes is said in words (one element 1, the others 0), so no value drawn
#: for y refutes a step beside it.
_ONE_HOT = re.compile(r"(?i)\bone[- ]hot\b")
#: Inline math ``$…$`` (not ``$$``), within one paragraph.
INLINE = re.compile(r"(?<![$\\])\$(?!\$)(?P<m>(?:[^$\n]|\n(?![ \t]*\n))+?)(?<!\\)\$(?!\$)")
_END = re.compile(r"[.;!?](?=\s|$)|\n[ \t]*\n")


@dataclass(frozen=True)
class Sentence:
    """The sentence around an inline equation: its words without inline math, the words of each table it holds,
    and its text as written."""

    words: str
    conditional: tuple[str, ...]
    negating: tuple[str, ...]
    reasoning: tuple[str, ...] = ()
    text: str = ""  # as written, its math too

    @property
    def asserts(self) -> bool:
        """Whether the sentence states its equations plainly: no conditional, negating or reasoning word."""
        return not self.conditional and not self.negating and not self.reasoning


@lru_cache(maxsize=4)
def _sentence_ends(prose: str) -> tuple[str, list[int], list[int]]:
    """``prose`` with its inline math blanked (a '.' or 'if' in math ends or cues nothing), and the starts and ends
    of its sentence ends, in order: one pass, so reading every sentence of a document is linear."""
    blank = INLINE.sub(lambda m: " " * len(m.group()), prose)
    found = [(m.start(), m.end()) for m in _END.finditer(blank)]
    return blank, [a for a, _ in found], [b for _, b in found]


def sentence_at(prose: str, start: int, end: int) -> Sentence:
    """The sentence of ``prose`` holding ``prose[start:end]`` (an inline formula), read against the tables."""
    blank, starts, ends = _sentence_ends(prose)
    before = bisect.bisect_right(ends, start)
    first = ends[before - 1] if before else 0
    after = bisect.bisect_left(starts, end)
    last = starts[after] if after < len(starts) else len(blank)
    text = blank[first:last]
    words = {w.lower() for w in _WORD.findall(text)}
    return Sentence(" ".join(text.split()), tuple(w for w in CONDITIONAL if w in words),
                    tuple(w for w in NEGATING if w in words), tuple(w for w in REASONING if w in words),
                    " ".join(prose[first:last].split()))


#: A right side that is a number (``1``, ``-0.5``) or one letter (``t``, ``\alpha``): a value or an index
#: relation said in passing, not a definition.
_VALUE = re.compile(r"\s*-?\s*(?:\d+(?:\.\d+)?|\\?[A-Za-z]|\\[A-Za-z]+)\s*")


def is_value(rhs: str) -> bool:
    """Whether a right side is a bare number or a single name (see :data:`_VALUE`)."""
    return _VALUE.fullmatch(rhs) is not None


def plain_definitions(prose: str, spans: list[tuple[int, int]]) -> list[tuple[int, str, Sentence]]:
    """``(offset, formula, sentence)`` of each inline formula of ``prose`` outside the display ``spans`` that may
    define a name in plain sight (module docstring), in a sentence that asserts it.  Whether it was read already
    with a cue word, and whether its left side is a new bare name, is the caller's to decide."""
    found = []
    starts = [a for a, _ in spans]
    for m in INLINE.finditer(prose):
        k = bisect.bisect_right(starts, m.start()) - 1  # the display that begins last before it (spans in order)
        if (k >= 0 and m.start() < spans[k][1]) or "=" not in m.group("m"):
            continue
        sentence = sentence_at(prose, m.start(), m.end())
        if sentence.asserts and not prose[m.end() :].lstrip(" \t").startswith(":"):  # "$i = j$:" heads a case
            found.append((m.start("m"), m.group("m"), sentence))
    return found


def worded_premises(prose: str, spans: list[tuple[int, int]]) -> list[tuple[int, str, frozenset[str]]]:
    """``(offset, sentence, names)`` of each sentence in the ``spans`` of ``prose`` (the paragraph that leads into a
    display)
    that gives a premise in words about names it writes in inline math ("Since exactly one of the $t_i$ is 1"):
    a sentence with a word of :data:`PREMISING` and inline math that is no equation the reader takes as a premise
    (``\\sum_i y_i = 1`` is read).  ``names``: the letters and commands of its inline math.  What such a sentence
    says cannot be read, so no step beside it is refuted by values it may forbid."""
    found = []
    relation = ("=", "<", ">", "\\le", "\\ge", "\\ne")
    for start, end in spans:
        for m in INLINE.finditer(prose, start, end):
            if any(sign in m.group("m") for sign in relation):
                continue  # an equation or relation: read as a premise, a condition or a definition elsewhere
            sentence = sentence_at(prose, m.start(), m.end())
            one_hot = _ONE_HOT.search(sentence.words) is not None  # a premise in words, whatever formula is beside it
            if any(sign in sentence.text for sign in relation) and not one_hot:
                continue  # the sentence states its premise as a formula: that is what is read
            words = {w.lower() for w in _WORD.findall(sentence.words)}
            if (words & set(PREMISING) or one_hot) and not sentence.negating:
                names = frozenset(n.lstrip("\\") for n in re.findall(r"\\[A-Za-z]+|[A-Za-z]", m.group("m")))
                found.append((m.start(), sentence.text, names))
    return found
