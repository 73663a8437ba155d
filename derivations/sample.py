r"""One sample, as the homework writes it (1.1.b-1.1.d, 1.2.a-b): column vectors, its names.

The layer outputs are $z_1 = W^{(1)} x + b^{(1)}$ (m, 1), $z_2 = f(z_1)$ (m, 1),
$z_3 = W^{(2)} z_2 + b^{(2)}$ (K, 1) and $\hat y = g(z_3)$ (K, 1), and the loss $\ell(\hat y, y)$.
The batch code (`network`, `mlp`) keys the same quantities by the same names (`z1`, `z2`, `z3`,
`y_hat`), one sample being one row of its matrices (the table on the home page); `BATCH_NAMES`
says so for the tests. For a batch of one, the homework's loss is `losses.per_sample_factor`
times torch's mean ($K$ for MSE, 1 for BCE), and so is every gradient.

Layout, the homework's numerator layout: a derivative $\partial a/\partial b$ of a vector by a
vector has row $i$ for $a_i$, so $\partial z_2/\partial z_1$ is (m, m) and, for the scalar
$\ell$, $\partial \ell/\partial \hat y$ is a row (1, K); by a matrix $\theta$ the derivative
of $\ell$ is laid out as $\theta\T$ (`numerator_gradients`: $\partial \ell/\partial W^{(2)}$ is
(m, K)). The gradient $\nabla_\theta \ell = (\partial \ell/\partial \theta)\T$ has the shape of
$\theta$, what torch stores in `.grad` (`gradients`, `gradient_transposes`).
"""

from __future__ import annotations

import sympy as sp

from .activations import ACTIVATIONS, apply_tex
from .identity import Identity, evaluate
from .latex import display, display_symbols, equation, matrix, tex
from .losses import LOSSES, K

BATCH_NAMES = {"x": "x", "z1": "z1", "z2": "z2", "z3": "z3", "y_hat": "y_hat"}
"""Homework name (as `forward` keys it) -> the batch code's name (as `network.forward` keys
it): the same names, one sample a row of the batch's matrices."""


def symbols(n_in: int, n_hidden: int, n_out: int) -> dict[str, sp.ImmutableMatrix]:
    r"""x (n_in, 1), y (n_out, 1), W1 (n_hidden, n_in), b1 (n_hidden, 1), W2 (n_out, n_hidden),
    b2 (n_out, 1): real symbols named ``x_{i}``, ``W^{(1)}_{ji}``... as in `network.symbols`."""
    return dict(x=matrix("x", n_in, 1, vector=True), y=matrix("y", n_out, 1, vector=True),
                W1=matrix("W^{(1)}", n_hidden, n_in),
                b1=matrix("b^{(1)}", n_hidden, 1, vector=True),
                W2=matrix("W^{(2)}", n_out, n_hidden), b2=matrix("b^{(2)}", n_out, 1, vector=True))


def shown_symbols(sym: dict) -> dict[str, sp.MatrixSymbol]:
    """One sample's display symbols (`latex.display_symbols`) at the sizes of `sym`."""
    (m, n), K = sym["W1"].shape, sym["W2"].rows
    return display_symbols(n, m, K)


def applied(name: str, M: sp.MatrixExpr) -> sp.MatrixExpr:
    r"""The activation `name` entry by entry on a matrix expression, printed $f(M)$; the
    identity leaves `M` as it is. `evaluate` needs `{function(name): ACTIVATIONS[name].at}`."""
    return M if name == "identity" else M.applyfunc(function(name))


def function(name: str) -> sp.Function:
    """The undefined function that prints as the activation's LaTeX name."""
    return sp.Function(ACTIVATIONS[name].tex)


def forward(f: str, g: str, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    """z1, z2 (n_hidden, 1), z3, y_hat (n_out, 1): the homework's forward pass (1.1.b)."""
    z1 = sp.ImmutableMatrix(sym["W1"] * sym["x"] + sym["b1"])
    z2 = ACTIVATIONS[f](z1)
    z3 = sp.ImmutableMatrix(sym["W2"] * z2 + sym["b2"])
    return dict(z1=z1, z2=z2, z3=z3, y_hat=ACTIVATIONS[g](z3))


def forward_latex(f: str, g: str, sym: dict) -> list[str]:
    r"""The four forward equations, each in the layer before it: ``z_{1} = W^{(1)} x + b^{(1)}
    \quad (4 \times 1)``, ..."""
    D = shown_symbols(sym)
    rows = [("z_{1}", sp.MatAdd(D["W1"] * D["x"], D["b1"])), ("z_{2}", applied(f, D["z1"])),
            ("z_{3}", sp.MatAdd(D["W2"] * D["z2"], D["b2"])), (r"\hat{y}", applied(g, D["z3"]))]
    return [equation(lhs, tex(rhs, order="none"), rhs.shape) for lhs, rhs in rows]


def objective(f: str, g: str, loss: str, sym: dict) -> sp.Expr:
    r"""The homework's $\ell(\hat y, y)$ for this one sample (`network.objective` is the batch's
    loss)."""
    return LOSSES[loss].per_sample(forward(f, g, sym)["y_hat"], sym["y"])


def _jacobian_of(fn, at: sp.MatrixBase, base: str) -> sp.ImmutableMatrix:
    """The Jacobian of `fn` at the column `at`, by `jacobian` in free symbols put back after."""
    free = matrix(base, at.rows, 1, vector=True)
    jac = sp.Matrix(fn(free)).jacobian(free)
    return sp.ImmutableMatrix(jac.xreplace(dict(zip(free, at, strict=True))))


def jacobians(f: str, g: str, loss: str, sym: dict) -> dict[str, Identity]:
    r"""1.1.d: the elements of $\partial z_2/\partial z_1$ (m, m), $\partial\hat y/\partial z_3$
    (K, K) and $\partial \ell/\partial \hat y$ (1, K), each by `jacobian` against its closed form.

    f and g are keys of `ACTIVATIONS`, loss a key of `LOSSES`, sym as `symbols` returns; the
    same for `gradients`.

    Returns:
        dict keyed ``"dz2dz1"`` ($\diag(f'(z_1))$), ``"dy_hatdz3"`` ($\diag(g'(z_3))$) and
        ``"dldy_hat"``, whose formula is entry $k$ with the output width a symbol $K$; the
        closed form is that formula at each entry, with $K$ set to the width of `sym`.
    """
    fwd, D, lossf = forward(f, g, sym), shown_symbols(sym), LOSSES[loss]
    act_f, act_g = ACTIVATIONS[f], ACTIVATIONS[g]
    diag_f = display(rf"\diag({apply_tex(act_f.tex, 'z_{1}', prime=True)})", *D["dz2dz1"].shape)
    diag_g = display(rf"\diag({apply_tex(act_g.tex, 'z_{3}', prime=True)})",
                     *D["dy_hatdz3"].shape)
    y_hat_k, y_k = sp.Symbol(r"\hat{y}_{k}", real=True), sp.Symbol("y_{k}", real=True)
    entry_k = lossf.claim(y_hat_k, y_k) / (K if lossf.sample_mean else 1)
    width = sym["y"].rows
    loss_row = sp.ImmutableMatrix(1, width, [entry_k.xreplace({y_hat_k: a, y_k: b, K: width})
                                             for a, b in zip(fwd["y_hat"], sym["y"], strict=True)])
    return {
        "dz2dz1": Identity("dz2dz1", tex(D["dz2dz1"]), diag_f,
                            sp.ImmutableMatrix(sp.diag(*act_f.prime(fwd["z1"]))),
                            _jacobian_of(act_f, fwd["z1"], "z_{1}")),
        "dy_hatdz3": Identity("dy_hatdz3", tex(D["dy_hatdz3"]), diag_g,
                               sp.ImmutableMatrix(sp.diag(*act_g.prime(fwd["z3"]))),
                               _jacobian_of(act_g, fwd["z3"], "z_{3}")),
        "dldy_hat": Identity("dldy_hat",
                              r"\left(\frac{\partial \ell}{\partial \hat{y}}\right)_{k}",
                              entry_k, loss_row,
                              _jacobian_of(lambda v: [lossf.per_sample(v, sym["y"])],
                                           fwd["y_hat"], r"\hat{y}")),
    }


def gradients(f: str, g: str, loss: str, sym: dict,
              jac: dict[str, Identity] | None = None) -> dict[str, Identity]:
    r"""1.1.c: the four gradients in the symbols the question allows, each against `diff`.

    $$\nabla_{W^{(2)}}\ell = \Big(\frac{\partial\ell}{\partial\hat y}
    \frac{\partial\hat y}{\partial z_3}\Big)\T f(W^{(1)} x + b^{(1)})\T, \quad
    \nabla_{W^{(1)}}\ell = \Big(\frac{\partial\ell}{\partial\hat y}
    \frac{\partial\hat y}{\partial z_3} W^{(2)}
    \frac{\partial z_2}{\partial z_1}\Big)\T x\T,$$

    and the biases without the last factor; $z_2$ is written out, since the question allows
    only $x, y, W^{(i)}, b^{(i)}$ and the three Jacobians.

    The arguments are those of `jacobians`, and `jac`: what `jacobians` returned, if at hand.

    Returns:
        dict keyed ``"dldW1"`` (m, n), ``"dldb1"`` (m, 1), ``"dldW2"`` (K, m),
        ``"dldb2"`` (K, 1), each an `Identity` shaped like its parameter; `derived` is `diff`
        of $\ell$ by each entry of the parameter.
    """
    D = shown_symbols(sym)
    jac = jacobians(f, g, loss, sym) if jac is None else jac
    bind = {D["x"]: sym["x"], D["W1"]: sym["W1"], D["b1"]: sym["b1"], D["W2"]: sym["W2"],
            function(f): ACTIVATIONS[f].at,
            **{D[k]: jac[k].closed_form for k in ("dldy_hat", "dy_hatdz3", "dz2dz1")}}
    z2 = applied(f, sp.MatAdd(D["W1"] * D["x"], D["b1"]))
    upstream3 = D["dldy_hat"] * D["dy_hatdz3"]       # dl/dz3, (1, K)
    upstream1 = upstream3 * D["W2"] * D["dz2dz1"]    # dl/dz1, (1, m)
    # Built unevaluated, (AB)^T stays as written; `.T` and `*` would print it as B^T A^T.
    t3, t1 = sp.Transpose(upstream3), sp.Transpose(upstream1)
    formulas = {"W2": sp.MatMul(t3, sp.Transpose(z2)), "b2": t3,
                "W1": sp.MatMul(t1, sp.Transpose(D["x"])), "b1": t1}
    ell = objective(f, g, loss, sym)
    out = {}
    for p in ("W1", "b1", "W2", "b2"):
        derived = sp.ImmutableMatrix(*sym[p].shape, [sp.diff(ell, v) for v in sym[p]])
        out[f"dld{p}"] = Identity(f"dld{p}", rf"\nabla_{{{tex(D[p])}}} \ell", formulas[p],
                                   evaluate(formulas[p], bind), derived)
    return out


def identities(f: str, g: str, loss: str, sym: dict) -> dict[str, Identity]:
    """`jacobians` and `gradients` in one dict, in that order (the Jacobians derived once)."""
    jac = jacobians(f, g, loss, sym)
    return {**jac, **gradients(f, g, loss, sym, jac)}


PARAMETER_TEX = {"W1": "W^{(1)}", "b1": "b^{(1)}", "W2": "W^{(2)}", "b2": "b^{(2)}"}


def size_names(sym: dict) -> dict[int, str]:
    """Each width of `sym` -> its letter (n, m, K), and 1 -> 1: the sizes must differ pairwise,
    so that a printed shape names its dimensions unambiguously."""
    (m, n), K = sym["W1"].shape, sym["W2"].rows
    if len({1, n, m, K}) != 4:
        raise ValueError(f"n, m, K must differ from each other and from 1, got {n}, {m}, {K}")
    return {1: "1", n: "n", m: "m", K: "K"}


def shape_in_symbols(shape: tuple[int, int], sym: dict) -> str:
    r"""``(n \times m)``: a shape at the sizes of `sym`, written in the widths' letters."""
    names = size_names(sym)
    return rf"({names[shape[0]]} \times {names[shape[1]]})"


def numerator_gradients(f: str, g: str, loss: str, sym: dict,
                        jac: dict[str, Identity] | None = None) -> dict[str, Identity]:
    r"""1.1.c in numerator layout, the homework's: $\partial \ell/\partial \theta$ has one row
    per entry of... the transpose of $\theta$'s shape, each against `diff`.

    $$\frac{\partial\ell}{\partial W^{(2)}} = z_2 \frac{\partial\ell}{\partial\hat y}
    \frac{\partial\hat y}{\partial z_3}, \quad
    \frac{\partial\ell}{\partial W^{(1)}} = x \frac{\partial\ell}{\partial\hat y}
    \frac{\partial\hat y}{\partial z_3} W^{(2)} \frac{\partial z_2}{\partial z_1},$$

    and the biases without the first factor; $z_2$ is written out, as $f(W^{(1)} x + b^{(1)})$,
    since the question allows only $x, y, W^{(i)}, b^{(i)}$ and the three Jacobians.

    Returns:
        dict keyed ``"dl_dW1"`` (n, m), ``"dl_db1"`` (1, m), ``"dl_dW2"`` (m, K),
        ``"dl_db2"`` (1, K). `derived` is entry $(j, i)$ = `diff` of $\ell$ by $\theta_{ij}$:
        the transpose of the entry-by-entry gradient, built independently of the formula.
    """
    D = shown_symbols(sym)
    jac = jacobians(f, g, loss, sym) if jac is None else jac
    bind = {D["x"]: sym["x"], D["W1"]: sym["W1"], D["b1"]: sym["b1"], D["W2"]: sym["W2"],
            function(f): ACTIVATIONS[f].at,
            **{D[k]: jac[k].closed_form for k in ("dldy_hat", "dy_hatdz3", "dz2dz1")}}
    z2 = applied(f, sp.MatAdd(D["W1"] * D["x"], D["b1"]))
    formulas = {
        "W2": sp.MatMul(z2, D["dldy_hat"], D["dy_hatdz3"]),
        "b2": sp.MatMul(D["dldy_hat"], D["dy_hatdz3"]),
        "W1": sp.MatMul(D["x"], D["dldy_hat"], D["dy_hatdz3"], D["W2"], D["dz2dz1"]),
        "b1": sp.MatMul(D["dldy_hat"], D["dy_hatdz3"], D["W2"], D["dz2dz1"]),
    }
    ell = objective(f, g, loss, sym)
    out = {}
    for p in ("W1", "b1", "W2", "b2"):
        theta = sym[p]
        by_entry = sp.ImmutableMatrix(*theta.shape, [sp.diff(ell, v) for v in theta])
        out[f"dl_d{p}"] = Identity(
            f"dl_d{p}", rf"\frac{{\partial \ell}}{{\partial {PARAMETER_TEX[p]}}}",
            formulas[p], evaluate(formulas[p], bind), by_entry.T)
    return out


def gradient_transposes(numerator: dict[str, Identity], sym: dict) -> dict[str, Identity]:
    r"""$\nabla_\theta \ell = (\partial \ell/\partial \theta)\T$ for each of `numerator`'s
    four: shaped like $\theta$, what torch stores in `.grad`. The closed form transposes the
    numerator-layout formula's value; `derived` is `diff` of $\ell$ entry by entry, laid out as
    $\theta$ (the transpose of `numerator`'s `derived`, so computed once)."""
    out = {}
    for key, claim in numerator.items():
        p = key.removeprefix("dl_d")
        (rows, cols) = claim.shape
        shown = display(rf"\frac{{\partial \ell}}{{\partial {PARAMETER_TEX[p]}}}", rows, cols)
        out[f"grad_{p}"] = Identity(f"grad_{p}", rf"\nabla_{{{PARAMETER_TEX[p]}}} \ell",
                                    sp.Transpose(shown), claim.closed_form.T, claim.derived.T)
    return out


def boxed(claim: Identity, sym: dict) -> str:
    r"""``lhs = formula \quad (n \times m)``: an identity with its shape in the widths' letters."""
    return equation(claim.lhs, tex(claim.formula), None) + (
        "" if claim.shape is None else rf" \quad {shape_in_symbols(claim.shape, sym)}")
