r"""Reading a person's LaTeX: display-math blocks and chains (:mod:`~backprop_derive.verify.document`), and one
side of an equation into SymPy (:mod:`~backprop_derive.verify.latex.parser`), with errors that name their column.
"""

from backprop_derive.verify.latex.tokens import LatexError

__all__ = ["LatexError"]
