"""pages.catalogue: the Activations page's table, one row per element-wise entry."""

import sympy as sp

from derivations.activations import ACTIVATIONS
from pages import catalogue


def test_a_row_per_elementwise_activation_with_its_best_case():
    rows = catalogue.rows()
    assert [r.name for r in rows] == [n for n, a in ACTIVATIONS.items() if a.elementwise]
    bound = {r.name: r.bound for r in rows}
    assert bound["sigmoid"].tex == r"\frac{1}{4}" and bound["sigmoid"].exact
    assert all(bound[n].value == 1.0 for n in ("relu", "identity", "tanh", "leaky_relu"))
    assert bound["softplus"].kind == "limit" and bound["softplus"].value == 1.0
    # SiLU and GELU can pass more than the gradient they get: M > 1.
    assert 1.09 < bound["silu"].value < 1.1 and 1.12 < bound["gelu"].value < 1.13
    # GELU's largest slope is at u = sqrt 2, where GELU'' = phi(u) (2 - u^2) = 0.
    u = sp.Symbol("u", real=True)
    at_sqrt2 = sp.diff(ACTIVATIONS["gelu"].value, u).subs(u, sp.sqrt(2))
    assert abs(float(at_sqrt2) - bound["gelu"].value) < 1e-12


def test_markdown_table():
    rows = catalogue.rows()
    lines = catalogue.markdown(rows).splitlines()
    assert len(lines) == 2 + len(rows)
    assert lines[1] == "|" + "---|" * 6
    assert all(line.count("|") == 7 for line in lines)  # six cells, no | inside one
    sigmoid = next(line for line in lines if "`sigmoid`" in line)
    assert sigmoid.endswith(f"| ${sp.latex(sp.Float(0.25 ** 10, 3))}$ |")
