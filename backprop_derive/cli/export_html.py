"""``derive export --format html``: the notes as web pages, math as MathML (``latex2mathml``).

The same walker and LaTeX as the other notes (:mod:`backprop_derive.render.notation`,
:mod:`backprop_derive.notes.entries`); only how a
line is laid out differs: each step one item of a list, indented by its depth, the rule beside it.
A page needs no script and fetches nothing; an activation's plot is the ``NAME.png`` beside it.
"""

from __future__ import annotations

import dataclasses
import html

from backprop_derive.cli.verify_html import STYLE, latex_mathml

PAGE_STYLE = STYLE + """
ol.steps { list-style: none; padding-left: 0; } ol.steps li { margin: .35rem 0; display: flex; gap: 1.5rem; }
ol.steps .rule { color: #57606a; font-size: .9rem; min-width: 16rem; } img { max-width: 100%; }
"""


def _layout(depth: int, lhs: str, rhs: str, why: str) -> str:
    return (f'<li style="margin-left: {1.6 * depth:g}rem"><span>{latex_mathml(f"{lhs} = {rhs}")}</span>'
            f'<span class="rule">{why}</span></li>')


def _notation():
    from backprop_derive.render.notation import LATEX

    return dataclasses.replace(LATEX, name="html", words=html.escape, inline=latex_mathml, layout=_layout,
                               separator="\n")


def _page(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head><body>"
            f'<p class="muted"><a href="index.html">All notes</a></p>{body}</body></html>\n')


def entry_html(derivation, plot: str | None) -> str:
    """One catalog entry: definition, assumptions, kinks, the steps as a nested list, result, proof, plot."""
    from backprop_derive.notes.entries import definition_tex, kinks, proof_words, result_tex

    entry = derivation.entry
    assumptions = "".join(f"; assuming {latex_mathml(a.latex)}" for a in derivation.problem.assumptions)
    parts = [f"<h1>{html.escape(entry.name)}</h1>", f"<p>{html.escape(entry.kind)}: <code>"
             f"{html.escape(entry.summary)}</code></p>", f"<p>{latex_mathml(definition_tex(derivation), True)}</p>",
             f"<p>Symbols are real{assumptions}.</p>"]
    if entry.kinks:
        values = "; ".join(f"at {latex_mathml(at)} the derivative is {latex_mathml(v)}" for at, v in kinks(derivation))
        parts.append(f"<p>Kinks: {values} ({html.escape(entry.kink_convention)}).</p>")
    parts += ["<h2>Derivation</h2><p class=\"muted\">Each step with the rule that justifies it; indented steps "
              "are its sub-steps.</p>", f'<ol class="steps">{_notation().render(derivation.tree)}</ol>',
              "<h2>Result</h2>", f"<p>{latex_mathml(result_tex(derivation), True)}</p>",
              f"<p>Canonical form {html.escape(proof_words(derivation))}.</p>"]
    if plot is not None:
        parts.append(f'<p><img src="{html.escape(plot)}" alt="{html.escape(entry.name)} and its derivative"></p>')
    return _page(entry.name, "".join(parts))


def network_html(note) -> str:
    """The default network: forward and backward equations with their rules, and the proof."""
    from backprop_derive.notes.network import TITLE
    from backprop_derive.notes.typeset import typeset

    def rows(equations) -> str:
        return "".join(f'<li><span>{latex_mathml(eq.latex)}</span><span class="rule">{html.escape(eq.rule)}</span>'
                       "</li>" for eq in equations)

    def math(text: str) -> str:
        return typeset(text, html.escape, latex_mathml)

    proof = "".join(
        f"<li>{math(part.claim)} (on {html.escape('; '.join(part.instances))}): "
        f"{'proved' if part.proof.proved else 'NOT proved'} by {math(part.proof.method)}"
        + (f"; assuming {math(', '.join(part.proof.assumptions))}" if part.proof.assumptions else "") + "</li>"
        for part in note.proof.parts)
    body = (f"<h1>{html.escape(TITLE)}</h1><p>{html.escape(note.spec.summary())}. Rows are samples.</p>"
            f'<h2>Forward pass</h2><ol class="steps">{rows(note.equations.forward)}</ol>'
            f'<h2>Backward pass</h2><ol class="steps">{rows(note.equations.backward)}</ol>'
            f"<h2>Proof</h2><ul>{proof}</ul>")
    return _page(TITLE, body)


def html_notes(names, plots: bool) -> dict[str, str]:
    """File name -> page for ``names`` (every entry and the network when None), and ``index.html``."""
    from backprop_derive.core.derivation import derive_entry
    from backprop_derive.notes import network as net
    from backprop_derive.notes.entries import entry_names, plot_file, result_tex

    entries, with_network = entry_names(names)
    derivations = [derive_entry(name) for name in entries]
    files = {f"{d.entry.name}.html": entry_html(d, plot_file(d.entry) if plots else None) for d in derivations}
    index = [f'<tr><td><a href="{html.escape(d.entry.name)}.html">{html.escape(d.entry.name)}</a></td>'
             f"<td>{html.escape(d.entry.kind)}</td><td>{latex_mathml(result_tex(d))}</td></tr>" for d in derivations]
    if with_network:
        note = net.network_note()
        files[f"{net.NAME}.html"] = network_html(note)
        index.append(f'<tr><td><a href="{net.NAME}.html">{net.NAME}</a></td><td>network</td>'
                     f"<td>{html.escape(note.spec.summary())}</td></tr>")
    files["index.html"] = _page("Backprop derivations", "<h1>Backprop derivations</h1><table><thead><tr><th>entry"
                                "</th><th>kind</th><th>derivative</th></tr></thead><tbody>"
                                f"{''.join(index)}</tbody></table>")
    return files
