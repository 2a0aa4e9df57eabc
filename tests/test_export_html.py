"""``derive export --format html``: a page per catalog entry and for the network, math as MathML."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("latex2mathml", reason="latex2mathml is in the `test` and `html` extras")

from backprop_derive.core.catalog import CATALOG
from backprop_derive.core.derivation import derive_entry
from backprop_derive.render.notation import lines
from tests.cli import run


def test_export_html_writes_a_page_per_entry_the_network_and_an_index(tmp_path, capsys):
    code, _, err = run(capsys, "export", "--format", "html", "--no-plots", "-o", str(tmp_path))
    assert code == 0, err
    pages = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.html")}
    assert set(pages) == {f"{name}.html" for name in CATALOG} | {"network.html", "index.html"}
    for name, page in pages.items():
        assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/1998/Math/MathML", "")
        assert "<math" in page, name
    for name in CATALOG:  # one list item per line of the derivation, indented by its depth
        items = re.findall(r'<li style="margin-left: ([\d.]+)rem">', pages[f"{name}.html"])
        assert len(items) == len(list(lines(derive_entry(name).tree))), name
        assert "0" in items and len(set(items)) >= 2
    assert "<code>" not in pages["network.html"].split("<h2>Proof</h2>")[1], "every claim's math converts"
    assert all(f'href="{name}.html"' in pages["index.html"] for name in CATALOG)
