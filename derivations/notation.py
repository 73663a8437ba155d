r"""One notation for the whole site: the KaTeX macros of every formula, code-printed or not.

`KATEX_MACROS` is the single source: the build-time KaTeX renderer reads it, and the SymPy LaTeX
printer (`derivations.latex.SitePrinter`) emits these macros, so a transpose or a Hadamard
product is the same symbol everywhere. `STRAY` lists what the macros replace.

The names are the homework's (the table on the home page):

- one sample: column vectors, $z_1 = W^{(1)} x + b^{(1)}$, $z_2 = f(z_1)$,
  $z_3 = W^{(2)} z_2 + b^{(2)}$, $\hat y = g(z_3)$, loss $\ell$; ReLU is $(\cdot)^+$;
- a batch, samples as rows, in uppercase: $X$, $Z_1 = X {W^{(1)}}\T + \ones_N {b^{(1)}}\T$,
  $Z_2 = f(Z_1)$, $Z_3$, $\hat Y = g(Z_3)$, loss $J$, upstream gradients
  $\Delta_3 = \nabla_{Z_3} J$ and $\Delta_1 = \nabla_{Z_1} J$; the sample index is $p$.

`problems(context, formula)` says what a formula breaks: a stray form (`STRAY`), an old name
(`OLD`: $s_1, s_2$, a $\delta$ for $\partial J/\partial s$, $z_1$ for an activation's output,
$n$ as a sample index, a $\ones$ without its length, $g$ for anything but the output
activation), a symbol of the other context (`CONTEXT_ONLY`), a derivative at an activation's
output (`AT_OUTPUT`). `two_meanings(formulas)` finds a symbol defined two ways on one page.
`check(root)` runs both over the site's sources; ``python -m derivations.notation`` exits 1
on any finding, for the build.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

KATEX_MACROS: dict[str, str] = {
    r"\T": r"^{\top}",                  # transpose: W\T, {W^{(1)}}\T
    r"\had": r"\odot",                  # Hadamard (entry-by-entry) product
    r"\ones": r"\mathbf{1}",            # the all-ones vector, with its length: \ones_N
    r"\diag": r"\operatorname{diag}",   # the diagonal matrix of a vector
}

STRAY: dict[str, str] = {
    r"^{T}": r"\T", r"^T": r"\T", r"^\top": r"\T", r"^{\top}": r"\T", r"\circ": r"\had",
    r"\mathbf{1}": r"\ones", r"\operatorname{diag}": r"\diag",
}
"""What a formula must not contain -> the macro to write instead."""

OLD: dict[str, str] = {
    "s_1 (write Z_1 or z_1)": r"(?<![A-Za-z\\])s_\{?1\b",
    "s_2 (write Z_3 or z_3)": r"(?<![A-Za-z\\])s_\{?2\b",
    "delta for dJ/ds (write Delta_3, Delta_1)": r"\\delta(?:_\{?[0-9l]|(?![_a-zA-Z]))",
    "z_1 for an activation's output (z_1 is the first linear layer's)":
        r"(?<![A-Za-z\\])[zZ]_\{?1\}?\s*=\s*(?:f|g|\\sigma|\\operatorname|\\tanh|\\left\(\(\\cdot)",
    "n as a sample index (write p)":
        r"\\sum_\{?n\b|\\sum_\{n\s*[,=]|_\{n[ijk]\}|\\ell_\{?n\b|_\{n,|\\ell_\{n\}",
    "a ones vector without its length (write \\ones_N, \\ones_K)": r"\\ones(?!_)",
    "g for something other than the output activation":
        r"(?<![A-Za-z\\'])g\s*=\s*(?:\\nabla|\\frac\{\\partial|\\partial)",
    "ReLU by name (write (\\cdot)^+ as the homework does)": r"\\operatorname\{ReLU\}",
}
"""Names the site no longer uses -> the pattern that finds them, in every context."""

CONTEXT_ONLY: dict[str, dict[str, str]] = {
    "sample": {"J": r"(?<![A-Za-z\\])J(?![A-Za-z])", "Z": r"(?<![A-Za-z\\])Z_",
               "X": r"(?<![A-Za-z\\])X(?![A-Za-z])"},
    "batch": {"z_2": r"(?<![A-Za-z\\])z_\{?2\b", "z_3": r"(?<![A-Za-z\\])z_\{?3\b",
              "ell": r"\\ell\b"},
}
r"""Regular expressions for the symbols a context must not use: the batch's $J$, $Z$, $X$ in
one sample's formulas, and the homework's $z_2, z_3, \ell$ in a batch's."""

AT_OUTPUT: dict[str, str] = {
    "sample": r"'\s*(?:\\left)?\(\s*(?:z_\{?2\b|\\hat\{?y)",
    "batch": r"'\s*(?:\\left)?\(\s*(?:Z_\{?2\b|\\hat\{?Y)",
}
r"""A derivative taken at an activation's output, $f'(z_2)$ or $g'(\hat y)$ for one sample,
$f'(Z_2)$ for a batch: the most common mistake, allowed only where a page shows it as one."""

DEFINED = re.compile(r"(?:^|\\quad|,|&)\s*(z_\{?[123]\}?|Z_\{?[123]\}?|\\hat\{?[yY]\}?)\s*&?=\s*"
                     r"([^=]{1,40})")
"""A definition of a layer's value: ``z_1 = ...``, at the start of a formula or an item."""


def _kind(rhs: str) -> str:
    """What a definition's right side makes its symbol: a linear layer's or an activation's."""
    rhs = rhs.strip()
    if re.match(r"(?:\\left\()?\s*W|[XxZz][_ ].*W|.*W\^\{\(", rhs):
        return "linear"
    if re.match(r"(?:f|g|\\sigma|\\operatorname|\\tanh|\\left\(\s*[XxZz])", rhs):
        return "activation"
    return "other"


def two_meanings(formulas: list[str]) -> list[str]:
    """Each symbol that `formulas` (one page's) define as both a linear layer's output and an
    activation's."""
    kinds: dict[str, set[str]] = {}
    for formula in formulas:
        for name, rhs in DEFINED.findall(formula):
            kinds.setdefault(name.replace("{", "").replace("}", ""), set()).add(_kind(rhs))
    return [f"{name} defined as a linear layer's output and as an activation's"
            for name, found in kinds.items() if {"linear", "activation"} <= found]


def problems(context: str, formula: str, mistake: bool = False) -> list[str]:
    """What `formula` breaks, in a `context` of ``"sample"``, ``"batch"`` or ``"bridge"`` (a
    formula that relates the two: checked for stray forms and old names only); `mistake`
    marks a formula shown wrong on purpose, which may take a derivative at the output."""
    found = [f"{stray!r}: write {macro}" for stray, macro in STRAY.items() if stray in formula]
    if not mistake:
        found += [name for name, pattern in OLD.items() if re.search(pattern, formula)]
    if context in CONTEXT_ONLY:
        found += [f"{name} in a {context} formula" for name, pattern
                  in CONTEXT_ONLY[context].items() if re.search(pattern, formula)]
        if not mistake and re.search(AT_OUTPUT[context], formula):
            found.append("a derivative at an activation's output")
    return found


# --- Reading the site's sources ----------------------------------------------------------

PAGES = {
    "homework_1_1": "sample", "homework_1_2": "sample", "jacobians": "sample",
    "activations": "batch", "losses": "batch", "linear": "batch", "network": "batch",
    "matching_pytorch": "batch", "regression": "batch", "classification": "batch",
    "saturation": "batch", "benchmarks": "batch", "check_your_homework": "bridge",
    "softmax": "batch",
}
"""Each notebook page's context: one sample (the homework's names) or a batch (uppercase)."""
MODULES = {"layers": "sample", "sample": "sample", "network": "bridge", "linear": "batch",
           "all_sizes": "batch", "indices": "batch", "losses": "bridge"}
"""derivations modules written in one context; the others relate both, or neither."""

_CODE = re.compile(r"``.*?``|`[^`\n]*`|```.*?```", re.S)
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$([^$]+?)\$", re.S)
_LATEXISH = re.compile(r"\\[a-zA-Z]+|[_^]\{")


def math_in(text: str, whole_if_latex: bool = False) -> list[str]:
    """The formulas of a Markdown text (code spans left out); a string of LaTeX is one."""
    text = _CODE.sub(" ", text)
    found = [a or b for a, b in _MATH.findall(text)]
    if not found and whole_if_latex and _LATEXISH.search(text) and "$" not in text:
        found = [text]
    return found


def _strings(source: str) -> list[str]:
    import ast
    return [n.value for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def sources(root: Path) -> list[tuple[str, str, bool, str]]:
    """(where, context, mistake, formula) for every formula of the site's sources: the notebook
    pages' cells (a cell's metadata may set ``context`` and ``mistake``), the modules of
    `derivations` and `pages`, and the Markdown pages."""
    import jupytext  # only the build reads pages; the browser's copy of this module never does

    out = []
    for path in sorted((root / "docs" / "notebooks").glob("*.py")):
        for i, cell in enumerate(jupytext.read(path).cells):
            context = cell.metadata.get("context", PAGES.get(path.stem, "bridge"))
            texts = [cell.source] if cell.cell_type == "markdown" else _strings(cell.source)
            for text in texts:
                for formula in math_in(text, whole_if_latex=cell.cell_type == "code"):
                    out.append((f"{path.stem} cell {i}", context,
                                bool(cell.metadata.get("mistake")), formula))
    for folder in ("derivations", "pages"):
        for path in sorted((root / folder).glob("*.py")):
            if path.stem == "notation":  # defines the patterns it looks for
                continue
            context = MODULES.get(path.stem, "bridge") if folder == "derivations" else "bridge"
            for text in _strings(path.read_text()):
                for formula in math_in(text, whole_if_latex=True):
                    out.append((f"{folder}/{path.name}", context, False, formula))
    for path in sorted((root / "docs").rglob("*.md")):
        for formula in math_in(path.read_text()):
            out.append((str(path.relative_to(root)), "bridge", False, formula))
    return out


def check(root: Path, found: list | None = None) -> list[str]:
    """Every finding of `problems` and `two_meanings` over `sources(root)` (or `found`)."""
    found = sources(root) if found is None else found
    bad = [f"{where}: {p}: {formula[:80]!r}" for where, context, mistake, formula in found
           for p in problems(context, formula, mistake)]
    pages: dict[str, list[str]] = {}
    for where, _, mistake, formula in found:
        if not mistake:
            pages.setdefault(where.split(" ")[0], []).append(formula)
    bad += [f"{page}: {p}" for page, formulas in pages.items() for p in two_meanings(formulas)]
    return bad


if __name__ == "__main__":
    findings = check(Path(__file__).resolve().parents[1])
    print("\n".join(findings) or "notation: every formula in the site's notation")
    sys.exit(1 if findings else 0)
