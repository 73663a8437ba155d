"""One notation on every page: the macros of derivations.notation, each symbol in its context.

Reads the site's sources: the notebook pages' Markdown cells and the strings of their code cells
(where the LaTeX of `Math()` and `Markdown()` outputs is written), the Markdown pages, and the
docstrings and strings of `derivations` (the API page and the printed formulas). In each it
finds the math (between `$` signs, or a whole string of LaTeX) and fails on:

- a stray form that a macro replaces (`^{T}`, `\\circ`, ...: `notation.STRAY`);
- a symbol of the other context (`notation.CONTEXT_ONLY`): a page about one sample uses the
  homework's z_1, z_2, z_3 and loss ell, a page about a batch the code's s_1, z_1, s_2, J;
- a derivative at an activation's output (`notation.AT_OUTPUT`), outside a cell that shows it
  as a mistake.

A cell's context is its page's (`PAGES`), unless its metadata says `context="sample"`,
`"batch"` or `"bridge"` (a cell that relates the two, checked for stray forms only);
`mistake=true` marks a cell that shows a wrong formula on purpose. (Metadata, not tags: tags
drive the build and show on the page.)
"""

import ast
import re
from pathlib import Path

import jupytext
import pytest

from derivations.latex import tex
from derivations.notation import AT_OUTPUT, CONTEXT_ONLY, KATEX_MACROS, STRAY

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "docs" / "notebooks"
PAGES = {
    "homework_1_1": "sample", "homework_1_2": "sample", "jacobians": "sample",
    "activations": "batch", "losses": "batch", "linear": "batch", "network": "batch",
    "matching_pytorch": "batch", "regression": "batch", "classification": "batch",
    "saturation": "batch", "benchmarks": "batch", "check_your_homework": "bridge",
    "softmax": "batch",
}
"""Each notebook page's context: one sample (the homework's names) or a batch (the code's)."""
MODULES = {"layers": "sample", "network": "batch", "linear": "batch", "all_sizes": "batch",
           "indices": "batch"}
"""derivations modules written in one context; the others relate both, or neither (their
printed formulas are checked by `test_printed_formulas_keep_their_context`)."""

CODE = re.compile(r"``.*?``|`[^`\n]*`|```.*?```", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$([^$]+?)\$", re.S)
LATEXISH = re.compile(r"\\[a-zA-Z]+|[_^]\{")


def math_in(text: str, whole_if_latex: bool = False) -> list[str]:
    """The formulas of a Markdown text (code spans left out); a string of LaTeX is one."""
    text = CODE.sub(" ", text)
    found = [a or b for a, b in MATH.findall(text)]
    if not found and whole_if_latex and LATEXISH.search(text) and "$" not in text:
        found = [text]
    return found


def strings(source: str) -> list[str]:
    """Every string constant of Python source, f-strings' literal parts included."""
    return [n.value for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def notebook_formulas() -> list[tuple[str, str, set[str], str]]:
    """(page, context, tags, formula) for every formula of every notebook page."""
    out = []
    for path in sorted(NOTEBOOKS.glob("*.py")):
        for i, cell in enumerate(jupytext.read(path).cells):
            tags = {"mistake"} if cell.metadata.get("mistake") else set()
            context = cell.metadata.get("context", PAGES[path.stem])
            assert context in ("sample", "batch", "bridge"), (path.stem, i, context)
            texts = ([cell.source] if cell.cell_type == "markdown"
                     else strings(cell.source))
            for text in texts:
                for formula in math_in(text, whole_if_latex=cell.cell_type == "code"):
                    out.append((f"{path.stem} cell {i}", context, tags, formula))
    return out


def module_formulas() -> list[tuple[str, str, set[str], str]]:
    out = []
    for path in sorted((ROOT / "derivations").glob("*.py")):
        if path.stem == "notation":  # defines the macros and what they replace
            continue
        context = MODULES.get(path.stem, "bridge")
        for text in strings(path.read_text()):
            for formula in math_in(text, whole_if_latex=True):
                out.append((f"derivations/{path.name}", context, set(), formula))
    return out


def markdown_formulas() -> list[tuple[str, str, set[str], str]]:
    return [(str(path.relative_to(ROOT)), "bridge", set(), formula)
            for path in sorted((ROOT / "docs").rglob("*.md"))
            for formula in math_in(path.read_text())]


FORMULAS = notebook_formulas() + module_formulas() + markdown_formulas()


def problems(context: str, tags: set[str], formula: str) -> list[str]:
    found = [f"{stray!r}: write {macro}" for stray, macro in STRAY.items() if stray in formula]
    if context in CONTEXT_ONLY:
        found += [f"{name} in a {context} formula" for name, pattern
                  in CONTEXT_ONLY[context].items() if re.search(pattern, formula)]
        if "mistake" not in tags and re.search(AT_OUTPUT[context], formula):
            found.append("a derivative at an activation's output")
    return found


def test_the_sources_are_read():
    pages = {where.split(" ")[0] for where, *_ in FORMULAS}
    assert set(PAGES) - {"benchmarks", "check_your_homework"} <= pages
    assert any(where.startswith("derivations/") for where, *_ in FORMULAS)
    assert len(FORMULAS) > 300


def test_every_formula_is_in_the_notation():
    bad = [f"{where}: {p}: {formula[:80]!r}" for where, context, tags, formula in FORMULAS
           for p in problems(context, tags, formula)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("formula, context, expected", [
    (r"\delta_{1}^{T} x", "batch", r"'^{T}': write \T"),
    (r"a \circ b", "bridge", r"'\\circ': write \had"),
    (r"f'(s_{1}) \had \delta_2", "sample", "s_1 in a sample formula"),
    (r"z_3 = W^{(2)} z_2", "batch", "z_3 in a batch formula"),
    (r"\sigma'(z_{2})", "sample", "a derivative at an activation's output"),
    (r"f'\left(z_1\right)", "batch", "a derivative at an activation's output"),
    (r"J = \ell / K", "sample", "J in a sample formula"),
])
def test_the_check_catches(formula, context, expected):
    assert expected in problems(context, set(), formula)


@pytest.mark.parametrize("formula, context", [
    (r"\nabla_{W^{(1)}} J = \delta_{1}\T x", "batch"),
    (r"\sigma'(z_1) = \sigma(z_1)(1 - \sigma(z_1))", "sample"),
    (r"f'(s_{1})", "batch"),
    (r"\text{Jacobian}", "sample"),
])
def test_the_check_passes(formula, context):
    assert problems(context, set(), formula) == []


def test_a_mistake_cell_may_show_the_wrong_point():
    assert problems("sample", {"mistake"}, r"\sigma'(z_2)") == []


def test_the_printer_writes_the_macros():
    import sympy as sp

    from derivations.latex import display
    a, b = display("a", 2, 3), display("W^{(1)}", 2, 3)
    printed = tex(sp.HadamardProduct(a, b)) + tex(a.T * b) + tex(b.T)
    assert printed == r"a \had W^{(1)}" + r"a\T W^{(1)}" + r"{W^{(1)}}\T"
    assert not any(stray in printed for stray in STRAY)
    assert {r"\T", r"\had", r"\ones", r"\diag"} <= KATEX_MACROS.keys()


def test_printed_formulas_keep_their_context():
    from derivations import all_sizes, layers, network, sample
    config = ("sigmoid", "sigmoid", "bce")
    one = sample.symbols(3, 4, 5)
    printed = {"sample": [c.latex() for c in sample.identities(*config, one).values()]
               + sample.forward_latex(*config[:2], one) + [layers.latex(*config, one)],
               "batch": [c.latex() for c in network.identities(
                   *config, network.symbols(**network.DEFAULT_SIZE)).values()]
               + [s.latex() + s.entry_latex() for s in all_sizes.prove().values()]}
    bad = [f"{context}: {p}: {text}" for context, texts in printed.items() for text in texts
           for p in problems(context, set(), text)]
    assert not bad, "\n".join(bad)


def test_notebooks_print_through_the_site_printer():
    # sympy.latex would print ^{T} and \circ: every formula a page prints goes through tex.
    printing = re.compile(r"\b(?:sp|sympy)\.latex\(|(?<![.\w])latex\(")
    calls = [f"{path.stem}: {line.strip()}" for path in sorted(NOTEBOOKS.glob("*.py"))
             for line in path.read_text().splitlines() if printing.search(line)]
    assert not calls, "\n".join(calls)
