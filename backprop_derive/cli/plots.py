r"""Plots for the notes: an activation :math:`f` and its derivative :math:`f'` on one figure.

The curves are the catalog's own formulas -- :math:`f` from the definition, :math:`f'` from the
canonical form that ``derive`` proved -- evaluated with numpy over the entry's sampling domain; at a
kink the line of :math:`f'` breaks and a dot marks the value the convention gives there
(ReLU'(0) = 0).

A PNG carries a fingerprint of what it shows (a SHA-256 of the sampled values to 6 significant
digits, the domain, the kinks and :data:`STYLE`) in a ``tEXt`` chunk.  ``derive export --check``
compares fingerprints, not pixels: it needs no matplotlib, and a new matplotlib or freetype that
draws the same curves a pixel differently is not a change of the notes, while a changed derivative
is.  The pixels are still deterministic for one matplotlib: no software tag, no date, default style.

numpy and matplotlib are imported inside the functions (``derive`` itself imports SymPy only).
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from backprop_derive.core.catalog import Entry

#: Points on each curve (the kinks are added to them).
SAMPLES = 801
#: Bump when the figure's content or look changes, so that ``--check`` asks for new PNGs.
STYLE = "1"
#: The ``tEXt`` key that holds the fingerprint.
KEY = "backprop-derive"


class PlotsUnavailableError(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""


def curves(entry: Entry):
    """``(x, f(x), f'(x))`` as numpy arrays over ``entry.domain``, the kinks among the ``x``."""
    import numpy as np
    import sympy as sp

    from backprop_derive.core.derivation import derive_entry

    derivation = derive_entry(entry.name)
    var = derivation.problem.var
    lo, hi = entry.domain
    xs = np.union1d(np.linspace(lo, hi, SAMPLES), np.array(entry.kinks, dtype=float))

    def evaluate(expr):
        values = sp.lambdify(var, expr, "numpy")(xs)
        return np.broadcast_to(np.asarray(values, dtype=float), xs.shape).copy()

    return xs, evaluate(entry.definition()), evaluate(derivation.canonical)


def fingerprint(entry: Entry) -> str:
    """``sha256:<hex>`` of what the plot of ``entry`` shows, stable across platforms."""
    return _digest(entry, *curves(entry))


def _digest(entry: Entry, xs, f, df) -> str:
    digest = hashlib.sha256(f"{STYLE}|{entry.name}|{entry.domain}|{entry.kinks}|".encode())
    for row in (xs, f, df):
        digest.update(" ".join(f"{v + 0.0:.6e}" for v in row).encode())  # + 0.0: no -0
    return "sha256:" + digest.hexdigest()


def png_fingerprint(data: bytes) -> str | None:
    """The fingerprint stored in a PNG's ``tEXt`` chunk; None when the bytes hold none."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"tEXt" and b"\0" in body:
            key, _, value = body.partition(b"\0")
            if key == KEY.encode("latin-1"):
                return value.decode("latin-1")
        if kind == b"zTXt" and body.startswith(KEY.encode("latin-1") + b"\0"):
            return zlib.decompress(body[len(KEY) + 2:]).decode("latin-1")
        pos += 12 + length
    return None


def render_png(entry: Entry) -> bytes:
    """The figure of ``entry`` and its derivative as PNG bytes (deterministic for one matplotlib)."""
    try:
        import matplotlib.style
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotsUnavailableError(
            "matplotlib is not installed (pip install 'backprop-derive[plots]')"
        ) from None
    import numpy as np

    xs, f, df = curves(entry)
    with matplotlib.style.context("default"):  # not the user's matplotlibrc
        fig = Figure(figsize=(6.4, 4.0), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot(xs, f, color="C0", label=f"{entry.name}(x)")
        broken = df.copy()
        at_kink = np.isin(xs, np.array(entry.kinks, dtype=float))
        broken[at_kink] = np.nan
        ax.plot(xs, broken, color="C1", label=f"{entry.name}'(x)")
        if at_kink.any():
            ax.plot(xs[at_kink], df[at_kink], "o", color="C1", label="value at the kink (convention)")
        ax.axhline(0, color="0.6", linewidth=0.8)
        ax.axvline(0, color="0.6", linewidth=0.8)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel("x")
        ax.set_title(f"{entry.name} and its derivative")
        ax.legend(loc="upper left")
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", metadata={"Software": None, KEY: _digest(entry, xs, f, df)})
    return out.getvalue()
