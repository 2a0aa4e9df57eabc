r"""The constructs of :class:`.evaluate.Evaluator` about entries: ``W_{ij}``, :math:`\sum_{i=1}^{n}`, literals
(``bmatrix``), :math:`\operatorname{diag}(v)` and :math:`\operatorname{tr}(A)`, each with its vector-Jacobian
product beside it (a mixin: the evaluator's ``eval``, ``value``, ``number`` and ``_one`` do the rest).

* an entry :math:`A_{ij}` (1-based) is a 1×1 value; its VJP puts the upstream number at (i, j) of zeros;
* :math:`\sum_{i=lo}^{hi}` evaluates its body for each i (``hi`` written, or the size of the first entry the
  index indexes); its VJP passes the upstream to every term;
* a literal's entries are scalars; :math:`\operatorname{diag}(v)` of a vector is the square matrix with v on
  its diagonal; :math:`\operatorname{tr}(A) = \sum_i A_{ii}` of a square A, VJP :math:`G_{11} I`;
* ``E[x]`` and ``Var[x]``: the mean and the (biased) variance of all the entries, 1×1.
"""

from __future__ import annotations

import sympy as sp

from backprop_derive.verify.matrix import nodes as nd
from backprop_derive.verify.matrix.grid import Grid, full
from backprop_derive.verify.matrix.shapes import shown
from backprop_derive.verify.matrix.values import ShapeError, Value, _entries, _pick

ONE = sp.Integer(1)


class EntryRules:
    def eval_Statistic(self, node: nd.Statistic, hint) -> Value:
        """:math:`E[x] = \\frac1N \\sum_k x_k`, VJP :math:`g/N` at every entry; :math:`\\operatorname{Var}[x] =
        \\frac1N \\sum_k (x_k - E[x])^2`, VJP :math:`2 g (x_k - E[x])/N` (the mean's own part sums to 0)."""
        arg = self.eval(node.arg)
        values = arg.entries.flat()
        count = len(values)
        mean = sum(values) / count
        if node.kind == "mean":
            return self.value(Grid([[mean]]), (ONE, ONE), [(arg, lambda g: full(arg.entries.shape, g[0, 0] / count))])
        variance = sum((x - mean) ** 2 for x in values) / count
        return self.value(Grid([[variance]]), (ONE, ONE),
                          [(arg, lambda g: arg.entries.map(lambda x: 2 * g[0, 0] * (x - mean) / count))])

    def eval_Trace(self, node: nd.Trace, hint) -> Value:
        arg = self.eval(node.arg)
        if arg.entries.shape[0] != arg.entries.shape[1]:
            raise ShapeError(f"the trace of a {shown(arg.shape)} matrix, which is not square")
        size = arg.entries.shape[0]
        eye = Grid([[self._one() if i == j else 0 * self._one() for j in range(size)] for i in range(size)])
        return self.value(Grid([[sum(arg.entries[i, i] for i in range(size))]]), (ONE, ONE),
                          [(arg, lambda g: g[0, 0] * eye)])


    def eval_Diag(self, node: nd.Diag, hint) -> Value:
        arg = self.eval(node.arg)
        if ONE not in arg.shape:
            raise ShapeError(f"diag of a {shown(arg.shape)} matrix (diag is read of a vector)")
        v = arg.entries.flat()
        size, zero = len(v), 0 * self._one()
        entries = Grid([[v[i] if i == j else zero for j in range(size)] for i in range(size)])
        length = arg.shape[0] if arg.shape[1] == ONE else arg.shape[1]
        return self.value(entries, (length, length),
                          [(arg, lambda g: Grid([g[i, i] for i in range(size)])
                            .reshape(arg.entries.shape))])


    def eval_Literal(self, node: nd.Literal, hint) -> Value:
        cells = [[self.eval(c) for c in row] for row in node.rows]
        if any(not c.scalar for row in cells for c in row):
            raise ShapeError("a matrix literal whose entries are not scalars")
        entries = Grid([[c.entries[0, 0] for c in row] for row in cells])
        parents = [(c, _pick(i, j)) for i, row in enumerate(cells) for j, c in enumerate(row)]
        return self.value(entries, (sp.Integer(len(cells)), sp.Integer(len(cells[0]))), parents)


    def eval_Entry(self, node: nd.Entry, hint) -> Value:
        arg = self.eval(node.arg)
        positions = [self.eval(i) for i in node.indices]
        at = [int(p.entries[0, 0]) - 1 for p in positions]
        if len(at) == 1 and ONE in arg.shape:
            at = [0, at[0]] if arg.shape[0] == ONE else [at[0], 0]
        if len(at) != 2 or not (0 <= at[0] < arg.entries.shape[0] and 0 <= at[1] < arg.entries.shape[1]):
            raise ShapeError(f"an entry outside a {shown(arg.shape)} matrix")
        i, j = at

        def vjp(g):
            out = full(arg.entries.shape, 0 * self._one())
            out[i, j] = g[0, 0]
            return out

        return self.value(Grid([[arg.entries[i, j]]]), (ONE, ONE), [(arg, vjp)])


    def eval_IndexSum(self, node: nd.IndexSum, hint) -> Value:
        lower = 1 if node.lower is None else int(self.eval(node.lower).entries[0, 0])
        upper = self._upper(node)
        parts = []
        saved = self.indices.get(node.index)
        for k in range(lower, upper + 1):
            self.indices[node.index] = k
            parts.append(self.eval(node.body))
        if saved is None:
            self.indices.pop(node.index, None)
        else:
            self.indices[node.index] = saved
        if any(not p.scalar for p in parts):
            raise ShapeError("a sum over an index of terms that are not scalars")
        summed = sum((p.entries[0, 0] for p in parts), 0 * self._one())
        return self.value(Grid([[summed]]), (ONE, ONE), [(p, lambda g: g) for p in parts])


    def _upper(self, node: nd.IndexSum) -> int:
        if node.upper is not None:
            upper = int(self.eval(node.upper).entries[0, 0])
            return self.env.renamed.get(upper, upper)
        for entry in _entries(node.body):
            for position, index in enumerate(entry.indices):
                if isinstance(index, nd.Index) and index.name == node.index:
                    arg = self.eval(entry.arg)
                    if len(entry.indices) == 1 and ONE in arg.shape:
                        return max(arg.entries.shape)
                    return arg.entries.shape[position]
        raise ShapeError(f"the range of the sum over {node.index} is not written and no entry shows it")
