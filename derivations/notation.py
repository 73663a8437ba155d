r"""One notation for the whole site: the KaTeX macros of every formula, code-printed or not.

`KATEX_MACROS` is the single source: the build-time KaTeX renderer reads it, and the SymPy LaTeX
printer (`derivations.latex.SitePrinter`) emits these macros, so a transpose or a Hadamard
product is the same symbol everywhere. `STRAY` lists what the macros replace; a test fails on
any of it in the site's sources.

Two contexts name the layers differently (the table on the home page):

- one sample, the homework's names: column vectors, $z_1 = W^{(1)} x + b^{(1)}$, $z_2 = f(z_1)$,
  $z_3 = W^{(2)} z_2 + b^{(2)}$, $\hat y = g(z_3)$, loss $\ell$;
- a batch, the code's names: rows, pre-activations $s_1, s_2$, activation $z_1 = f(s_1)$,
  loss $J$, $\delta_i = \nabla_{s_i} J$.

`CONTEXT_ONLY` names the symbols that belong to one context only, `AT_OUTPUT` the derivative
taken at the wrong point.
"""

from __future__ import annotations

KATEX_MACROS: dict[str, str] = {
    r"\T": r"^{\top}",                  # transpose: W\T, {W^{(1)}}\T
    r"\had": r"\odot",                  # Hadamard (entry-by-entry) product
    r"\ones": r"\mathbf{1}",            # the all-ones vector
    r"\diag": r"\operatorname{diag}",   # the diagonal matrix of a vector
}

STRAY: dict[str, str] = {
    r"^{T}": r"\T", r"^T": r"\T", r"^\top": r"\T", r"^{\top}": r"\T", r"\circ": r"\had",
    r"\mathbf{1}": r"\ones", r"\operatorname{diag}": r"\diag",
}
"""What a formula must not contain -> the macro to write instead."""

CONTEXT_ONLY: dict[str, dict[str, str]] = {
    "sample": {"s_1": r"s_\{?1\b", "s_2": r"s_\{?2\b", "delta": r"\\delta\b",
               "J": r"(?<![A-Za-z\\])J(?![A-Za-z])"},
    "batch": {"z_2": r"z_\{?2\b", "z_3": r"z_\{?3\b", "ell": r"\\ell\b"},
}
r"""Regular expressions for the symbols a context must not use: the batch's $s_1, s_2, \delta,
J$ in one sample's formulas, and the homework's $z_2, z_3, \ell$ in a batch's."""

AT_OUTPUT: dict[str, str] = {
    "sample": r"'\s*(?:\\left)?\(\s*(?:z_\{?2\b|\\hat\{?y)",
    "batch": r"'\s*(?:\\left)?\(\s*(?:z_\{?1\b|\\hat\{?y)",
}
r"""A derivative taken at an activation's output, $f'(z_2)$ or $g'(\hat y)$ for one sample,
$f'(z_1)$ for a batch: the most common mistake, allowed only where a page shows it as one."""
