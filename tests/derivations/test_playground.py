"""derivations.playground: what the "Derive your own" page shows, checked natively.

The derivative shown is compared with `sympy.diff` of the same text parsed by plain
`sympify`, not by the module's own parser; the plot's samples with 50-digit evaluation.
"""

import json
import re

import pytest
import sympy as sp

from derivations import playground as pg
from derivations.notation import KATEX_MACROS

s = pg.s
EXPRESSIONS = {
    "mish": "s*tanh(log(1+exp(s)))",
    "sigmoid": "1/(1+exp(-s))",
    "gelu": "s*(1+erf(s/sqrt(2)))/2",
    "silu": "s/(1+exp(-s))",
    "softplus": "log(1+exp(s))",
    "tanh": "tanh(s)",
    "softsign": "s/(1+Abs(s))",
    "power": "s^3 - 2*s",
}
POINTS = [sp.Rational(k, 7) for k in range(-30, 31, 3)]


def native(text: str) -> sp.Expr:
    return sp.sympify(text.replace("^", "**"), locals={"s": s})


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_derivative_is_sympys(name):
    text = EXPRESSIONS[name]
    out = pg.analyse(text)
    shown = sp.sympify(out["df_text"], locals={"s": s})
    expected = sp.diff(native(text), s)
    for r in POINTS:  # exact values, compared to 50 digits (Abs and Piecewise defeat simplify)
        assert abs(sp.N(shown.subs(s, r) - expected.subs(s, r), 50)) < 1e-45
    assert out["df_tex"] == sp.latex(shown)
    assert out["f_tex"] == sp.latex(native(text))


@pytest.mark.parametrize("name", ["mish", "sigmoid", "gelu"])
def test_derivative_difference_simplifies_to_zero(name):
    text = EXPRESSIONS[name]
    shown = sp.sympify(pg.analyse(text)["df_text"], locals={"s": s})
    assert sp.simplify((shown - sp.diff(native(text), s)).rewrite(sp.exp)) == 0


@pytest.mark.parametrize("name", ["mish", "gelu", "softplus", "power"])
def test_plot_samples_are_the_functions(name):
    text = EXPRESSIONS[name]
    out = pg.analyse(text)
    f = native(text)
    assert len(out["plot"]["s"]) == 401 and out["plot"]["s"][0] == -5 and out["plot"]["s"][-1] == 5
    for key, expr in (("f", f), ("df", sp.diff(f, s))):
        for x, got in zip(out["plot"]["s"], out["plot"][key], strict=True):
            want = float(sp.N(expr.subs(s, sp.Rational(x)), 50))
            # float64 through exp/log/erf: a few ulps of the result, plus 1e-14 absolute for
            # GELU's 1/2 + erf/2 near -5, where the sum cancels
            assert got == pytest.approx(want, rel=1e-13, abs=1e-14), (key, x)


def test_gaps_where_there_is_no_real_value():
    out = pg.analyse("sqrt(s)")
    for x, v in zip(out["plot"]["s"], out["plot"]["f"], strict=True):
        assert (v is None) == (x < 0)
    assert out["sup"]["kind"] == "unbounded"


def test_delta_recursion_uses_the_sites_macros():
    out = pg.analyse(EXPRESSIONS["sigmoid"])
    tex = out["delta_tex"]
    assert r"\delta_{1} &= \left(\delta_{2} W^{(2)}\right) \had f'(s_{1})" in tex
    df_at_s1 = sp.sympify(out["df_text"], locals={"s": s}).xreplace(
        {s: sp.Symbol("s_1", real=True)})
    assert sp.latex(df_at_s1) in tex and "s_{1}" in sp.latex(df_at_s1)
    used = set(re.findall(r"\\[A-Za-z]+", tex))
    assert r"\had" in used and r"\odot" not in used
    assert set(KATEX_MACROS) >= {m for m in used if m in {r"\had", r"\T", r"\ones"}}


@pytest.mark.parametrize(("text", "message"), [
    ("", "type an expression in s"),
    ("s +* 2", "syntax error"),
    ("(s + 1", "parenthesis is not closed"),
    ("2s", "syntax error"),
    ("foo(s)", "unknown name 'foo'"),
    ("x + s", "unknown name 'x'"),
    ("__import__('os')", "unknown name '__import__'"),
    ("s.__class__", "attribute access"),
    ("(s).func", "attribute access"),
    ("lambda: s", "unknown name 'lambda'"),
    ("'s'", "unexpected"),
    ("2 + 3", "does not depend on s"),
    ("exp(1)", "does not depend on s"),
    ("s > 0", "one expression"),
    ("s, 1", "one expression"),
    ("s/0", "not finite"),
    ("sqrt(-1 - s^2)", "no real value"),
    ("s" * 301, "longer than 300"),
])
def test_bad_input_says_why(text, message):
    with pytest.raises(pg.ActivationError, match=re.escape(message)):
        pg.parse(text) if message != "no real value" else pg.analyse(text)
    answer = json.loads(pg.respond(text))
    assert answer["ok"] is False and message in answer["error"]


def test_every_allowed_name_parses():
    calls = {"Max": "Max(0, s)", "Min": "Min(0, s)", "pi": "pi*s", "E": "E*s",
             "Piecewise": "Piecewise((s, s > 0), (0, True))", "True": "Piecewise((s, True))"}
    for name in pg.allowed_names():
        text = calls.get(name, f"{name}(s)" if name != "s" else "s")
        assert s in pg.parse(text).free_symbols, name


def test_caret_is_power():
    assert pg.parse("s^2") == s**2


def test_respond_and_setup_are_json():
    answer = json.loads(pg.respond(EXPRESSIONS["tanh"]))
    assert answer["ok"] is True and answer["sup"]["tex"] == "1"
    setup = json.loads(pg.page_setup())
    assert setup["macros"] == KATEX_MACROS and setup["names"][0] == "s"
