r"""One notation for the whole site: the KaTeX macros every formula uses, code-printed or hand-written.

`KATEX_MACROS` is the single source: the build-time KaTeX renderer reads it, and the SymPy LaTeX
printer emits these macros, so a transpose or a Hadamard product is the same symbol everywhere.
"""

from __future__ import annotations

KATEX_MACROS: dict[str, str] = {
    r"\T": r"^{\top}",        # transpose: W\T
    r"\had": r"\odot",        # Hadamard (entry-by-entry) product
    r"\ones": r"\mathbf{1}",  # the all-ones vector
}
