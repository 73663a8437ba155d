r"""The homework's own view: one sample as a column vector, numerator layout, names $z_1, z_2, z_3$.

For one sample $x \in \mathbb{R}^n$ (a column),

$$z_1 = W^{(1)} x + b^{(1)},\quad z_2 = f(z_1),\quad z_3 = W^{(2)} z_2 + b^{(2)},\quad
\hat y = g(z_3),\quad \ell = \ell(\hat y, y).$$

The batch code names the same quantities $s_1, z_1, s_2$ (pre-activations $s$, activations $z$):
homework $z_1, z_2, z_3$ = code `s1`, `z1`, `s2`.

In numerator layout $\frac{\partial \ell}{\partial \hat y}$ is a row $(1 \times K)$ and
$\frac{\partial \hat y}{\partial z_3}$ is $K \times K$. A gradient with respect to a parameter is
given in the parameter's own shape, as torch stores `.grad` and `MLP.grads` hold it: it is the
transpose of the numerator-layout derivative of a scalar by a matrix. Each result is an
`Identity`: the compact chain-rule formula against `diff` entry by entry.
"""

from __future__ import annotations

import random

import sympy as sp

from .activations import ACTIVATIONS
from .identity import Identity, evaluate
from .latex import display, matrix
from .losses import LOSSES

SIZE = dict(n_in=2, n_hidden=3, n_out=2)
"""The small size the homework pages derive at: $n = 2$, $m = 3$, $K = 2$."""


def symbols(n_in: int, n_hidden: int, n_out: int) -> dict[str, sp.ImmutableMatrix]:
    """x (n, 1), y (K, 1), W1 (m, n), b1 (m, 1), W2 (K, m), b2 (K, 1), and free symbols for
    the intermediate columns z1 (m, 1), z3 (K, 1) and y_hat (K, 1), to take Jacobians at."""
    return dict(x=matrix("x", n_in, 1, vector=True), y=matrix("y", n_out, 1, vector=True),
                W1=matrix("W^{(1)}", n_hidden, n_in),
                b1=matrix("b^{(1)}", n_hidden, 1, vector=True),
                W2=matrix("W^{(2)}", n_out, n_hidden), b2=matrix("b^{(2)}", n_out, 1, vector=True),
                z1=matrix("z_{1}", n_hidden, 1, vector=True),
                z3=matrix("z_{3}", n_out, 1, vector=True),
                y_hat=matrix(r"\hat{y}", n_out, 1, vector=True))


def forward(f: str, g: str, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    """1.1.b: z1, z2 (m, 1), z3, y_hat (K, 1) in x and the parameters."""
    z1 = sym["W1"] * sym["x"] + sym["b1"]
    z2 = ACTIVATIONS[f](z1)
    z3 = sym["W2"] * z2 + sym["b2"]
    return dict(z1=sp.ImmutableMatrix(z1), z2=z2, z3=sp.ImmutableMatrix(z3),
                y_hat=ACTIVATIONS[g](z3))


def jacobians(f: str, g: str, loss: str, sym: dict) -> dict[str, Identity]:
    r"""1.1.d: $\partial z_2/\partial z_1$ (m, m), $\partial\hat y/\partial z_3$ (K, K) and
    $\partial\ell/\partial\hat y$ (1, K), each by `Matrix.jacobian` against its closed form
    ($\operatorname{diag}(f'(z_1))$, $\operatorname{diag}(g'(z_3))$, the loss's $\ell'$)."""
    z1, z3, y_hat, y = sym["z1"], sym["z3"], sym["y_hat"], sym["y"]
    lo = LOSSES[loss]

    def diagonal(name: str, z: sp.MatrixBase, lhs: str) -> Identity:
        act = ACTIVATIONS[name]
        shown = sp.diag(*[act.claim(sp.Function(act.tex)(v), v) for v in z])  # sigma(z)(1 - ...)
        return Identity(lhs, LHS[lhs], shown, sp.diag(*act.prime(z)), act(z).jacobian(z))

    return {
        "dz2dz1": diagonal(f, z1, "dz2dz1"),
        "dyhatdz3": diagonal(g, z3, "dyhatdz3"),
        "dldyhat": Identity("dldyhat", LHS["dldyhat"], lo.per_sample_gradient(y_hat, y),
                            lo.per_sample_gradient(y_hat, y),
                            sp.Matrix([lo.per_sample(y_hat, y)]).jacobian(y_hat)),
    }


LHS = dict(dz2dz1=r"\frac{\partial z_2}{\partial z_1}",
           dyhatdz3=r"\frac{\partial \hat{y}}{\partial z_3}",
           dldyhat=r"\frac{\partial \ell}{\partial \hat{y}}")


def _display(sym: dict) -> dict[str, sp.MatrixSymbol]:
    (m, n), K = sym["W1"].shape, sym["W2"].rows
    return dict(dl=display(r"\frac{\partial \ell}{\partial \hat{y}}", 1, K),
                dg=display(r"\frac{\partial \hat{y}}{\partial z_3}", K, K),
                W2=display("W^{(2)}", K, m), df=display(r"\frac{\partial z_2}{\partial z_1}", m, m),
                z2=display("z_2", m, 1), x=display("x", n, 1))


def gradients(f: str, g: str, loss: str, sym: dict) -> dict[str, Identity]:
    r"""1.1.c: the gradients of $\ell$ for W2 (K, m), b2 (K, 1), W1 (m, n), b1 (m, 1), in
    $x$, $W^{(2)}$, $\partial\ell/\partial\hat y$, $\partial\hat y/\partial z_3$ and
    $\partial z_2/\partial z_1$ only, each against `diff` of $\ell$ by every entry."""
    fwd = forward(f, g, sym)
    jac = jacobians(f, g, loss, sym)
    at = {v: e for k in ("z1", "z3", "y_hat") for v, e in zip(sym[k], fwd[k], strict=True)}
    D = _display(sym)
    values = {D["dl"]: jac["dldyhat"].closed_form.xreplace(at),
              D["dg"]: jac["dyhatdz3"].closed_form.xreplace(at), D["W2"]: sym["W2"],
              D["df"]: jac["dz2dz1"].closed_form.xreplace(at), D["z2"]: fwd["z2"], D["x"]: sym["x"]}
    upstream2 = D["dl"] * D["dg"]               # dl/dz3, a row (1, K)
    upstream1 = upstream2 * D["W2"] * D["df"]   # dl/dz1, a row (1, m)
    # Transpose(...) built directly stays a transpose of the product, as the homework writes it
    # (.T would distribute it over the factors: equal, and harder to read).
    formulas = dict(dldW2=sp.MatMul(sp.Transpose(upstream2), D["z2"].T, evaluate=False),
                    dldb2=sp.Transpose(upstream2),
                    dldW1=sp.MatMul(sp.Transpose(upstream1), D["x"].T, evaluate=False),
                    dldb1=sp.Transpose(upstream1))
    ell = LOSSES[loss].per_sample(fwd["y_hat"], sym["y"])
    out = {}
    for name, formula in formulas.items():
        P = sym[name[3:]]
        derived = sp.ImmutableMatrix(P.rows, P.cols, [sp.diff(ell, v) for v in P])
        lhs = rf"\nabla_{{{sp.latex(display(_TEX[name[3:]], 1, 1))}}}\, \ell"
        out[name] = Identity(name, lhs, formula, evaluate(formula, values), derived)
    return out


_TEX = dict(W1="W^{(1)}", b1="b^{(1)}", W2="W^{(2)}", b2="b^{(2)}")


def random_point(sym: dict, seed: int) -> dict[sp.Symbol, sp.Rational]:
    r"""Exact rational values for every symbol in `sym`, drawn with `seed`.

    Targets and $\hat y$ lie in $[1/10, 9/10]$ (BCE needs $0 < \hat y < 1$), everything else in
    $[-2, 2]$; a value is never 0, so no ReLU sits on its kink. Checking an identity at such a
    point is exact arithmetic: one that holds at random points of a rational function of its
    symbols holds everywhere but on a set of measure zero.
    """
    rng = random.Random(seed)
    point = {}
    for name, M in sym.items():
        lo, hi = (1, 9) if name in ("y", "y_hat") else (-20, 20)
        for v in M:
            point[v] = sp.Rational(rng.choice([k for k in range(lo, hi + 1) if k]), 10)
    return point
