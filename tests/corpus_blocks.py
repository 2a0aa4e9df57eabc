"""The corpus files' expectations, block by block: each ``<!-- expect: … -->`` belongs to the next display region."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from backprop_derive.verify.document import Chain, read_document

EXPECT = re.compile(r"<!-- expect: (?P<verdicts>.*?) -->")


@dataclass(frozen=True)
class Block:
    """One display region of a corpus file: where it is, the verdicts expected of its steps, its chains."""

    path: Path
    line: int
    expected: tuple[str, ...]
    chains: tuple[Chain, ...]

    @property
    def id(self) -> str:
        return f"{self.path.stem}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """Every region of ``path`` that an expect comment names, with its chains (a chain belongs to the region
    it starts in)."""
    text = path.read_text(encoding="utf-8")
    document = read_document(text, latex=path.suffix == ".tex")
    found = []
    for m in EXPECT.finditer(text):
        region = next((n for n, r in enumerate(document.regions) if r.start > m.end()), None)
        assert region is not None, f"{path.name}: the expect comment at offset {m.start()} precedes no display"
        chains = tuple(c for c in document.chains if c.region == region)
        found.append(Block(path, document.regions[region].line, tuple(m.group("verdicts").split()), chains))
    return found
