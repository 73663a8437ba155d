"""One notation on every page: derivations.notation's check over the site's sources.

`notation.check` reads the notebook pages' Markdown cells and the strings of their code cells,
the Markdown pages, and the strings of `derivations` and `pages`, finds the math in each and
fails on a stray form, an old name (s_1, s_2, a delta for dJ/ds, z_1 for an activation's
output, n as a sample index, a ones vector without its length, g for anything but the output
activation, ReLU by name), a symbol of the other context, a derivative at an activation's
output outside a cell marked ``mistake``, and a symbol defined two ways on one page. Each
kind of finding is planted below and must be caught.
"""

import re
from functools import cache
from pathlib import Path

import pytest

from derivations import notation
from derivations.latex import tex
from derivations.notation import KATEX_MACROS, STRAY, check, problems, two_meanings

ROOT = Path(__file__).resolve().parents[2]


@cache
def found():
    return notation.sources(ROOT)


def test_the_sources_are_read():
    pages = {where.split(" ")[0] for where, *_ in found()}
    assert set(notation.PAGES) - {"benchmarks", "check_your_homework"} <= pages
    assert any(where.startswith("derivations/") for where, *_ in found())
    assert len(found()) > 300


def test_every_formula_is_in_the_notation():
    bad = check(ROOT, found())
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("formula, context, expected", [
    (r"\Delta_{1}^{T} X", "batch", r"'^{T}': write \T"),
    (r"a \circ b", "bridge", r"'\\circ': write \had"),
    (r"f'(s_{1}) \had \Delta_3", "bridge", "s_1 (write Z_1 or z_1)"),
    (r"Z_3 = s_2", "bridge", "s_2 (write Z_3 or z_3)"),
    (r"\nabla_{W^{(2)}} J = \delta_{2}\T Z_2", "batch", "delta for dJ/ds (write Delta_3, Delta_1)"),
    (r"\delta\T X", "batch", "delta for dJ/ds (write Delta_3, Delta_1)"),
    (r"z_1 = f(Z_1)", "bridge", "z_1 for an activation's output (z_1 is the first linear layer's)"),
    (r"Z_{1} = \sigma(A)", "batch",
     "z_1 for an activation's output (z_1 is the first linear layer's)"),
    (r"J = \frac{1}{N} \sum_n \phi", "batch", "n as a sample index (write p)"),
    (r"\hat Y_{nk}", "batch", "n as a sample index (write p)"),
    (r"\ones b\T", "batch", r"a ones vector without its length (write \ones_N, \ones_K)"),
    (r"g = \nabla_{\hat Y} J", "batch", "g for something other than the output activation"),
    (r"\operatorname{ReLU}(u)", "bridge", r"ReLU by name (write (\cdot)^+ as the homework does)"),
    (r"z_3 = W^{(2)} z_2", "batch", "z_3 in a batch formula"),
    (r"J = \ell / K", "sample", "J in a sample formula"),
    (r"\sigma'(z_{2})", "sample", "a derivative at an activation's output"),
    (r"f'\left(Z_2\right)", "batch", "a derivative at an activation's output"),
])
def test_the_check_catches(formula, context, expected):
    assert expected in problems(context, formula)


@pytest.mark.parametrize("formula, context", [
    (r"\nabla_{W^{(1)}} J = \Delta_{1}\T X", "batch"),
    (r"\sigma'(z_1) = \sigma(z_1)(1 - \sigma(z_1))", "sample"),
    (r"\frac{\partial a_i}{\partial u_j} = a_i (\delta_{ij} - a_j)", "bridge"),
    (r"\sum_{p'} \delta_{k k'} \Delta_{3,p'k'}", "batch"),
    (r"Z_1 = X {W^{(1)}}\T + \ones_N {b^{(1)}}\T", "batch"),
    (r"\left(u\right)^{+}", "bridge"),
    (r"\text{Jacobian}", "sample"),
])
def test_the_check_passes(formula, context):
    assert problems(context, formula) == []


def test_a_mistake_cell_may_show_the_wrong_point():
    assert problems("sample", r"\sigma'(z_2)", mistake=True) == []


def test_a_symbol_with_two_meanings_on_one_page_is_caught():
    page = [r"z_1 = W^{(1)} x + b^{(1)}", r"\nabla J = \Delta_3\T z_1, \quad z_{1} = f(y)"]
    assert two_meanings(page) == ["z_1 defined as a linear layer's output and as an activation's"]
    assert two_meanings(page[:1] + [r"z_2 = f(z_1)"]) == []
    # ... and check() reports it for the page it is on.
    planted = [("some_page cell 1", "bridge", False, page[0]),
               ("some_page cell 2", "bridge", False, r"z_{1} = \sigma(q)")]
    assert "some_page: z_1 defined as a linear layer's output and as an activation's" in check(
        ROOT, planted)


def test_the_printer_writes_the_macros():
    import sympy as sp

    from derivations.latex import display
    a, b = display("a", 2, 3), display("W^{(1)}", 2, 3)
    printed = tex(sp.HadamardProduct(a, b)) + tex(a.T * b) + tex(b.T)
    assert printed == r"a \had W^{(1)}" + r"a\T W^{(1)}" + r"{W^{(1)}}\T"
    assert not any(stray in printed for stray in STRAY)
    assert {r"\T", r"\had", r"\ones", r"\diag"} <= KATEX_MACROS.keys()


def test_printed_formulas_keep_their_context():
    # The printed formulas come from the display symbols alone: no Identity needs evaluating.
    from derivations import all_sizes, layers, network, sample
    from derivations.latex import display_symbols, equation
    config = ("sigmoid", "sigmoid", "bce")
    sym = network.symbols(**network.DEFAULT_SIZE)
    size = network.DEFAULT_SIZE
    D = display_symbols(size["n_in"], size["n_hidden"], size["n_out"], batch=size["batch"])
    one = sample.symbols(3, 4, 5)
    printed = {"sample": [c.latex() for c in sample.identities(*config, one).values()]
               + sample.forward_latex(*config[:2], one) + [layers.latex(*config, one)],
               "batch": [equation(lhs, tex(formula), formula.shape)
                         for _, lhs, formula in network.steps(D)]
               + network.forward_latex(*config[:2], sym)
               + [s.latex() + s.entry_latex() for s in all_sizes.prove().values()]
               + [d.latex() for d in all_sizes.derive().values()]}
    bad = [f"{context}: {p}: {text}" for context, texts in printed.items() for text in texts
           for p in problems(context, text)]
    assert not bad, "\n".join(bad)


def test_notebooks_print_through_the_site_printer():
    # sympy.latex would print ^{T} and \circ: every formula a page prints goes through tex.
    printing = re.compile(r"\b(?:sp|sympy)\.latex\(|(?<![.\w])latex\(")
    calls = [f"{path.stem}: {line.strip()}"
             for path in sorted((ROOT / "docs" / "notebooks").glob("*.py"))
             for line in path.read_text().splitlines() if printing.search(line)]
    assert not calls, "\n".join(calls)
