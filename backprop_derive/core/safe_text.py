"""Text from input made safe to show on a terminal (no dependencies: the CLI imports it at start)."""

from __future__ import annotations

import re

#: C0 and C1 control characters but newline and tab (ESC, CSI, BEL, backspace, carriage return …).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character an author could have written (``\\text{…}`` holding ESC, which
    clears a screen) shown visibly as its escape, ``\\x1b``; newline and tab kept.  Everything printed from
    input text goes through here (the text report; JSON escapes C0 itself, and C1 through here)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
