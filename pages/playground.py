r"""A reader's own activation, derived: the browser bridge of the "Derive your own" page.

The page runs this module in the browser (Pyodide) and the tests import it natively: pure SymPy,
no torch; the math is `derivations.bound`'s. `analyse(text)` parses a SymPy expression in the
generic argument $u$ and returns what the page shows, as JSON:

- $f(u)$ and $f'(u)$ (simplified), as LaTeX in the site's notation and as SymPy text;
- the upstream gradient through the hidden layer with that $f'$:
  $\Delta_1 = (\Delta_3 W^{(2)}) \had f'(Z_1)$;
- $f$ and $f'$ sampled for the plot;
- $M = \sup_u |f'(u)|$ (`derivations.bound`), the best case for the activations' factor
  $\prod_{l=1}^{L} |f'(u_l)|$.

Input is parsed with `parse_expr` over a whitelist of names only: no other name, no attribute
access, no string reaches `eval`. Every refusal is an `ActivationError` with a message for the
reader. `respond(text)` wraps it all in the JSON the page reads.
"""

from __future__ import annotations

import io
import json
import tokenize

import sympy as sp
from sympy.parsing.sympy_parser import auto_number, convert_xor, parse_expr

from derivations.bound import FLOAT_MODULES, Bound, sup_abs, value_at
from derivations.notation import KATEX_MACROS

u = sp.Symbol("u", real=True)
"""The generic argument, real as in `derivations.activations`."""

FUNCTIONS: dict[str, object] = {f.__name__: f for f in (
    sp.exp, sp.log, sp.sqrt, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh, sp.asinh,
    sp.atan, sp.erf, sp.erfc, sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Piecewise)}
"""Every function a reader may call, by its SymPy name."""
CONSTANTS: dict[str, sp.Basic] = {"pi": sp.pi, "E": sp.E, "True": sp.true}
"""`True` is for `Piecewise`'s last branch: `Piecewise((u, u > 0), (0, True))`."""
MAX_LENGTH = 300
PLOT = [k / 40 for k in range(-200, 201)]
"""The plot's grid: u from -5 to 5 in steps of 1/40, 401 points."""

_GLOBALS = {"__builtins__": {}, "Integer": sp.Integer, "Float": sp.Float,
            "Rational": sp.Rational, **FUNCTIONS, **CONSTANTS}
_REFUSED_OPS = {".": "attribute access", "=": "assignment", ";": "a second statement",
                "[": "brackets", "{": "braces", ":": "a colon", "@": "@", "...": "..."}


class ActivationError(ValueError):
    """The reader's expression cannot be used; the message says why, in the page's words."""


def allowed_names() -> list[str]:
    """Every name an expression may use, `u` first."""
    return ["u", *FUNCTIONS, *CONSTANTS]


def _check_tokens(text: str) -> None:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as err:
        unclosed = "EOF" in str(err.args[0])
        raise ActivationError("syntax error: " + ("a parenthesis is not closed" if unclosed
                                                  else str(err.args[0]))) from None
    for tok in tokens:
        if tok.type == tokenize.NAME and tok.string not in _GLOBALS and tok.string != "u":
            raise ActivationError(f"unknown name {tok.string!r}; allowed: "
                                  + ", ".join(allowed_names()))
        if tok.type == tokenize.OP and tok.string in _REFUSED_OPS:
            raise ActivationError(f"{_REFUSED_OPS[tok.string]} is not allowed here")
        if tok.type in (tokenize.STRING, tokenize.ERRORTOKEN) and tok.string.strip():
            raise ActivationError(f"unexpected {tok.string!r}")


def parse(text: str) -> sp.Expr:
    r"""The expression $f(u)$ a reader typed; `^` means power, as in `u^2`.

    Raises:
        ActivationError: empty or too long, a syntax error, a name outside `allowed_names()`,
            not a single expression, no $u$ in it, or not finite (`1/0`).
    """
    text = text.strip()
    if not text:
        raise ActivationError("type an expression in u, for example u*tanh(log(1 + exp(u)))")
    if len(text) > MAX_LENGTH:
        raise ActivationError(f"the expression is longer than {MAX_LENGTH} characters")
    _check_tokens(text)
    try:
        f = parse_expr(text, local_dict={"u": u}, global_dict=dict(_GLOBALS),
                       transformations=(auto_number, convert_xor))
    except SyntaxError as err:
        raise ActivationError(f"syntax error: {err.msg or err}") from None
    except (TypeError, ValueError) as err:
        raise ActivationError(f"SymPy cannot build this expression: {err}") from None
    if not isinstance(f, sp.Expr):
        raise ActivationError("f must be one expression in u, not a comparison or a list")
    if u not in f.free_symbols:
        raise ActivationError(f"f(u) = {f} does not depend on u")
    if f.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ActivationError(f"f(u) = {f} is not finite")
    return f


def derivative(f: sp.Expr) -> sp.Expr:
    r"""$f'(u)$, simplified: `simplify(diff(f, u))`."""
    return sp.simplify(sp.diff(f, u))


def delta_latex(df: sp.Expr) -> str:
    r"""$\Delta_1 = (\Delta_3 W^{(2)}) \had f'(Z_1)$, then with this $f'$, entry by entry."""
    at_z1 = sp.latex(df.xreplace({u: sp.Symbol("Z_1", real=True)}))
    upstream = r"\left(\Delta_{3} W^{(2)}\right)"
    return (r"\begin{aligned} \Delta_{1} &= " + upstream + r" \had f'(Z_{1}) \\ &= "
            + upstream + r" \had \left(" + at_z1 + r"\right) \end{aligned}")


def samples(expr: sp.Expr, points: list[float]) -> list[float | None]:
    """`expr` at each point in float64; None where it has no finite real value (a gap)."""
    fn = sp.lambdify(u, expr, modules=FLOAT_MODULES)
    return [value_at(fn, x) for x in points]


def analyse(text: str) -> dict:
    r"""Everything the page shows for one expression, JSON-ready.

    Returns:
        dict with ``f_tex``, ``df_tex``, ``f_text``, ``df_text`` (SymPy's `str`),
        ``delta_tex``, ``plot`` (``u``, ``f``, ``df``: 401 floats or None each) and ``sup``
        (`Bound` as a dict: ``value`` is None when $|f'|$ is unbounded).
    """
    f = parse(text)
    f_values = samples(f, PLOT)
    if all(v is None for v in f_values):
        raise ActivationError(f"f(u) = {f} has no real value for u in [-5, 5]")
    df = derivative(f)
    bound: Bound = sup_abs(df, u)
    return {
        "f_tex": sp.latex(f), "df_tex": sp.latex(df), "f_text": str(f), "df_text": str(df),
        "delta_tex": delta_latex(df),
        "plot": {"u": PLOT, "f": f_values, "df": samples(df, PLOT)},
        "sup": bound.as_dict(),
    }


def respond(text: str) -> str:
    """`analyse` as the JSON the page reads: ``{"ok": true, ...}`` or ``{"ok": false, "error"}``."""
    try:
        return json.dumps({"ok": True, **analyse(text)})
    except ActivationError as err:
        return json.dumps({"ok": False, "error": str(err)})
    except Exception as err:  # noqa: BLE001 -- SymPy's own failures are shown, not raised
        return json.dumps({"ok": False, "error": f"SymPy failed: {type(err).__name__}: {err}"})


def page_setup() -> str:
    """What the page needs once: the KaTeX macros and the allowed names, as JSON."""
    return json.dumps({"macros": KATEX_MACROS, "names": allowed_names()})
