"""pages.playground: what the "Derive your own" page shows, checked natively.

The derivative shown is compared with `sympy.diff` of the same text parsed by plain
`sympify`, not by the module's own parser; the plot's samples with 50-digit evaluation.
"""

import json
import re

import pytest
import sympy as sp

from derivations.notation import KATEX_MACROS
from pages import playground as pg

u = pg.u
EXPRESSIONS = {
    "mish": "u*tanh(log(1+exp(u)))",
    "sigmoid": "1/(1+exp(-u))",
    "gelu": "u*(1+erf(u/sqrt(2)))/2",
    "silu": "u/(1+exp(-u))",
    "softplus": "log(1+exp(u))",
    "tanh": "tanh(u)",
    "softsign": "u/(1+Abs(u))",
    "power": "u^3 - 2*u",
}
POINTS = [sp.Rational(k, 7) for k in range(-30, 31, 3)]


def native(text: str) -> sp.Expr:
    return sp.sympify(text.replace("^", "**"), locals={"u": u})


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_derivative_is_sympys(name):
    text = EXPRESSIONS[name]
    out = pg.analyse(text)
    shown = sp.sympify(out["df_text"], locals={"u": u})
    expected = sp.diff(native(text), u)
    for r in POINTS:  # exact values, compared to 50 digits (Abs and Piecewise defeat simplify)
        assert abs(sp.N(shown.subs(u, r) - expected.subs(u, r), 50)) < 1e-45
    assert out["df_tex"] == sp.latex(shown)
    assert out["f_tex"] == sp.latex(native(text))


@pytest.mark.parametrize("name", ["mish", "sigmoid", "gelu"])
def test_derivative_difference_simplifies_to_zero(name):
    text = EXPRESSIONS[name]
    shown = sp.sympify(pg.analyse(text)["df_text"], locals={"u": u})
    assert sp.simplify((shown - sp.diff(native(text), u)).rewrite(sp.exp)) == 0


@pytest.mark.parametrize("name", ["mish", "gelu", "softplus", "power"])
def test_plot_samples_are_the_functions(name):
    text = EXPRESSIONS[name]
    out = pg.analyse(text)
    f = native(text)
    assert len(out["plot"]["u"]) == 401 and out["plot"]["u"][0] == -5 and out["plot"]["u"][-1] == 5
    for key, expr in (("f", f), ("df", sp.diff(f, u))):
        for x, got in zip(out["plot"]["u"], out["plot"][key], strict=True):
            want = float(sp.N(expr.subs(u, sp.Rational(x)), 50))
            # float64 through exp/log/erf: a few ulps of the result, plus 1e-14 absolute for
            # GELU's 1/2 + erf/2 near -5, where the sum cancels
            assert got == pytest.approx(want, rel=1e-13, abs=1e-14), (key, x)


def test_gaps_where_there_is_no_real_value():
    out = pg.analyse("sqrt(u)")
    for x, v in zip(out["plot"]["u"], out["plot"]["f"], strict=True):
        assert (v is None) == (x < 0)
    assert out["sup"]["kind"] == "unbounded"


def test_delta_recursion_uses_the_sites_macros():
    out = pg.analyse(EXPRESSIONS["sigmoid"])
    tex = out["delta_tex"]
    assert r"\Delta_{1} &= \left(\Delta_{3} W^{(2)}\right) \had f'(Z_{1})" in tex
    df_at_z1 = sp.sympify(out["df_text"], locals={"u": u}).xreplace(
        {u: sp.Symbol("Z_1", real=True)})
    assert sp.latex(df_at_z1) in tex and "Z_{1}" in sp.latex(df_at_z1)
    used = set(re.findall(r"\\[A-Za-z]+", tex))
    assert r"\had" in used and r"\odot" not in used
    assert set(KATEX_MACROS) >= {m for m in used if m in {r"\had", r"\T", r"\ones"}}


@pytest.mark.parametrize(("text", "message"), [
    ("", "type an expression in u"),
    ("u +* 2", "syntax error"),
    ("(u + 1", "parenthesis is not closed"),
    ("2u", "syntax error"),
    ("foo(u)", "unknown name 'foo'"),
    ("x + u", "unknown name 'x'"),
    ("__import__('os')", "unknown name '__import__'"),
    ("u.__class__", "attribute access"),
    ("(u).func", "attribute access"),
    ("lambda: u", "unknown name 'lambda'"),
    ("'u'", "unexpected"),
    ("2 + 3", "does not depend on u"),
    ("exp(1)", "does not depend on u"),
    ("u > 0", "one expression"),
    ("u, 1", "one expression"),
    ("u/0", "not finite"),
    ("sqrt(-1 - u^2)", "no real value"),
    ("u" * 301, "longer than 300"),
])
def test_bad_input_says_why(text, message):
    with pytest.raises(pg.ActivationError, match=re.escape(message)):
        pg.parse(text) if message != "no real value" else pg.analyse(text)
    answer = json.loads(pg.respond(text))
    assert answer["ok"] is False and message in answer["error"]


def test_every_allowed_name_parses():
    calls = {"Max": "Max(0, u)", "Min": "Min(0, u)", "pi": "pi*u", "E": "E*u",
             "Piecewise": "Piecewise((u, u > 0), (0, True))", "True": "Piecewise((u, True))"}
    for name in pg.allowed_names():
        text = calls.get(name, f"{name}(u)" if name != "u" else "u")
        assert u in pg.parse(text).free_symbols, name


def test_caret_is_power():
    assert pg.parse("u^2") == u**2


def test_respond_and_setup_are_json():
    answer = json.loads(pg.respond(EXPRESSIONS["tanh"]))
    assert answer["ok"] is True and answer["sup"]["tex"] == "1"
    setup = json.loads(pg.page_setup())
    assert setup["macros"] == KATEX_MACROS and setup["names"][0] == "u"
