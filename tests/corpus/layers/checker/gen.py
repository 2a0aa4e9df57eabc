"""Write NN_topic{,_mut}.md + .expected.json + manifest.json for the layers corpus (copied from the networks corpus gen)."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import step_verdict  # noqa: E402
import corpus_l1, corpus_l2, corpus_l3  # noqa: E402
from sources import SOURCES  # noqa: E402

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUPS = corpus_l1.G + corpus_l2.G + corpus_l3.G
TOPICS = {
    "01_conv": "Convolution (2-D, the flipped kernel, stride)", "02_pool": "Pooling (average)",
    "03_rnn": "Recurrent networks, backpropagation through time, embeddings", "04_lstm": "LSTM gates and cell state",
    "05_word2vec": "word2vec (softmax, negative sampling)", "06_embedding": "Embedding lookup", "07_dropout": "Dropout (inverted, with a mask)",
}
_OPENER = re.compile(r"\$\$|\\\[|\\begin\{(equation|align|gather|multline|eqnarray)(\*?)\}")


def blocks(text):
    """(start_line, end_line, body) of each display block, the reader's documented delimiters."""
    out, pos = [], 0
    while True:
        m = _OPENER.search(text, pos)
        if not m:
            return out
        closer = "$$" if m.group() == "$$" else (r"\]" if m.group() == r"\[" else rf"\end{{{m.group(1)}{m.group(2)}}}")
        end = text.find(closer, m.end())
        end = len(text) if end < 0 else end
        out.append((text.count("\n", 0, m.start()) + 1, text.count("\n", 0, end) + 1, text[m.end():end]))
        pos = end + len(closer)


def expected_for(chains):
    res = []
    for ch in chains:
        steps = []
        for s in range(len(ch["models"]) - 1):
            if s in ch.get("defs", ()):
                steps.append(("definition", 0.0))
                continue
            v, worst = step_verdict(ch["models"], s, ch["envs"], ch.get("constrain"))
            steps.append((v, worst))
        res.append(steps)
    return res


def build(kind):
    files = {}
    for g in GROUPS:
        files.setdefault(g["file"], []).append(g)
    manifest = {}
    for fname, groups in files.items():
        parts = [f"# {TOPICS[fname]} — real derivations{' (one planted mistake per chain group)' if kind == 'mut' else ''}\n",
                 "Transcribed from the sources listed in README.md; only display delimiters were normalised where noted. "
                 "Prose and inline math are context for a reader, not claims.\n"]
        doc = "\n".join(parts)
        expected, meta = [], []
        for g in groups:
            text = g["text"] if kind == "orig" else g["mut_text"]
            if kind == "mut":
                assert text != g["text"], g["title"]
            src = SOURCES[g["src"]]
            head = f"## {g['title']}\n\nSource: {src['title']} — {src['url']}\n"
            if kind == "mut":
                head += f"\nPlanted mistake: {g['mutation']}.\n"
            assert not _OPENER.search(head), head
            body = head + "\n" + text + "\n"
            doc += "\n"
            start_line = doc.count("\n") + 1
            doc += body
            # display blocks holding at least one '=' (a block without one holds no chain)
            bl = [(a + start_line - 1, b + start_line - 1) for a, b, t in blocks(body) if "=" in t]
            chains = g["chains"]
            if kind == "mut":
                chains = [dict(c) for c in chains]
                for ci, si, model in g["mut"]:
                    chains[ci]["models"] = list(chains[ci]["models"])
                    chains[ci]["models"][si] = model
            verdicts = expected_for(chains)
            starts, k = [], -1
            for c in chains:
                k = k if c.get("same") else k + 1
                starts.append(k)
            assert starts[-1] == len(bl) - 1, (g["title"], starts, len(bl))
            for ci, (ch, vs) in enumerate(zip(chains, verdicts)):
                b = bl[starts[ci]]
                expected.append([v for v, _ in vs])
                meta.append(dict(group=g["title"], source=g["src"], block_lines=list(b), order_in_block=starts[:ci].count(starts[ci]),
                                 junction=[], worst=[w for _, w in vs],
                                 real_mistake=g.get("real_mistake"), notes=g.get("notes"),
                                 mutation=g.get("mutation") if kind == "mut" else None,
                                 mutated_sides=[si for c2, si, _ in g["mut"] if c2 == ci] if kind == "mut" else []))
        name = fname + ("_mut" if kind == "mut" else "")
        with open(f"{OUT}/{name}.md", "w") as f:
            f.write(doc)
        with open(f"{OUT}/{name}.expected.json", "w") as f:
            f.write("[\n" + ",\n".join(" " + json.dumps(e) for e in expected) + "\n]\n")
        manifest[name] = meta
        print(name, len(expected), "chains", sum(len(e) for e in expected), "steps", flush=True)
    return manifest


if __name__ == "__main__":
    man = {}
    man.update(build("orig"))
    man.update(build("mut"))
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
