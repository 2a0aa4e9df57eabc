r"""Reading a person's LaTeX: display-math blocks and chains (:mod:`~derive.verify.document`), and one
side of an equation into SymPy (:mod:`~derive.latex.parser`), with errors that name their column.
"""

from derive.latex.tokens import LatexError

__all__ = ["LatexError"]
