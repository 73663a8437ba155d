r"""The whole network, Linear -> f -> Linear -> g -> loss, on a batch of concrete small size.

With $X$ ($N \times n$), sample $p$ in row $p$, exactly as `mlp/model.py` computes it:

$$Z_1 = X {W^{(1)}}\T + \ones_N {b^{(1)}}\T,\quad Z_2 = f(Z_1),\quad
Z_3 = Z_2 {W^{(2)}}\T + \ones_N {b^{(2)}}\T,\quad \hat Y = g(Z_3),\quad
J = \frac{1}{NK} \sum_{p,k} \phi(\hat Y_{pk}, Y_{pk}).$$

`gradients` is backprop: the chain rule in matrix form, with the upstream gradients
$\Delta_3 = \nabla_{Z_3} J$ and $\Delta_1 = \nabla_{Z_1} J$, each gradient $\nabla_\theta J$ in
the shape of $\theta$, as torch stores it in `.grad`:

$$\Delta_3 = \nabla_{\hat Y} J \had g'(Z_3),\;
\nabla_{W^{(2)}} J = \Delta_3\T Z_2,\;
\nabla_{b^{(2)}} J = \Delta_3\T \ones_N,\;
\Delta_1 = (\Delta_3 W^{(2)}) \had f'(Z_1),\;
\nabla_{W^{(1)}} J = \Delta_1\T X,\;
\nabla_{b^{(1)}} J = \Delta_1\T \ones_N.$$

`gradients_by_entry` differentiates the scalar $J$ by each parameter entry instead, and
`identities` pairs the two, step by step, at one concrete size; `derivations.all_sizes` proves
the same six steps for every size. `one_sample` proves the step from the batch to the
homework's single sample. Notebook use:

```python
from derivations import network
sym = network.symbols(**network.DEFAULT_SIZE)                 # N, n, m, K = 2, 3, 4, 5
grads = network.gradients("relu", "identity", "mse", sym)      # dict of sympy Matrices
for claim in network.identities("relu", "identity", "mse", sym).values():
    display(Math(claim.latex()))                              # \Delta_{3}\T Z_{2} (5 x 4) ...
```
"""

from __future__ import annotations

import sympy as sp

from .activations import ACTIVATIONS, apply_tex
from .configurations import configurations as all_configurations
from .exact import at_point, branches_at
from .identity import Identity, evaluate
from .latex import display, display_symbols, equation, matrix, tex
from .linear import forward as linear
from .losses import LOSSES

PARAMETERS = ("W1", "b1", "W2", "b2")
"""The parameter names; their gradients are keyed ``"dJd" + name``, as `MLP.grads`."""
STEPS = ("dJdz3", "dJdW2", "dJdb2", "dJdz1", "dJdW1", "dJdb1")
"""Backprop's six steps in order, named as `mlp`'s backward names them."""
DEFAULT_SIZE = dict(batch=2, n_in=3, n_hidden=4, n_out=5)
"""The size the site derives at: N, n, m, K pairwise distinct and none 1, so a shape label
tells every product from its transpose."""


def configurations() -> list[tuple[str, str, str]]:
    """Every (f, g, loss) of `derivations.configurations` whose f and g are element-wise, the
    networks whose steps are the ones below (softmax's are in `derivations.softmax`)."""
    return [c for c in all_configurations() if all(ACTIVATIONS[a].elementwise for a in c[:2])]


def symbols(batch: int, n_in: int, n_hidden: int, n_out: int) -> dict[str, sp.ImmutableMatrix]:
    r"""Real symbols, keyed as `mlp` names them: x = $X$ (batch, n_in), y = $Y$ (batch, n_out),
    W1 (n_hidden, n_in), b1 (n_hidden, 1), W2 (n_out, n_hidden), b2 (n_out, 1); named
    ``X_{pi}``, ``W^{(1)}_{ji}``, ``b^{(1)}_{j}``."""
    return dict(x=matrix("X", batch, n_in), y=matrix("Y", batch, n_out),
                W1=matrix("W^{(1)}", n_hidden, n_in),
                b1=matrix("b^{(1)}", n_hidden, 1, vector=True),
                W2=matrix("W^{(2)}", n_out, n_hidden), b2=matrix("b^{(2)}", n_out, 1, vector=True))


def _applied(name: str, M: sp.MatrixBase, near: dict | None) -> sp.ImmutableMatrix:
    """The activation entry by entry; with `near`, each entry's Piecewise branch taken there."""
    act = ACTIVATIONS[name]
    if near is None or not act.value.has(sp.Piecewise):
        return act(M)
    u = next(iter(act.value.free_symbols))
    return sp.ImmutableMatrix(M.rows, M.cols, [
        branches_at(act.value, {u: at_point(e, near)}).xreplace({u: e}) for e in M])


def forward(f: str, g: str, sym: dict, near: dict | None = None) -> dict[str, sp.ImmutableMatrix]:
    r"""z1 = $Z_1$, z2 = $Z_2$ (N, n_hidden), z3 = $Z_3$, y_hat = $\hat Y$ (N, n_out): SymPy
    matrices in the symbols, keyed as `mlp`'s cache (z1 the pre-activation).

    With `near` (an exact point), each ReLU entry is the branch it takes at that point: the same
    function near the point, without a Piecewise (`identities` explains why)."""
    z1 = linear(sym["x"], sym["W1"], sym["b1"])
    z2 = _applied(f, z1, near)
    z3 = linear(z2, sym["W2"], sym["b2"])
    return dict(z1=z1, z2=z2, z3=z3, y_hat=_applied(g, z3, near))


def forward_latex(f: str, g: str, sym: dict) -> list[str]:
    r"""The batch forward pass as the code runs it, one LaTeX line per step with its shape.

    E.g. ``Z_{1} = X {W^{(1)}}\T + \ones_{N} {b^{(1)}}\T \quad (2 \times 4)``, then $Z_2$,
    $Z_3$, $\hat Y$.
    """
    (N, n), m, K = sym["x"].shape, sym["W1"].rows, sym["W2"].rows
    D = display_symbols(n, m, K, batch=N)
    W1, b1 = display("W^{(1)}", m, n), display("b^{(1)}", m, 1)
    b2 = display("b^{(2)}", K, 1)
    # order="none" keeps X W^T + 1 b^T as written (SymPy would sort the bias term first).
    rows = [("Z_{1}", tex(sp.MatAdd(D["x"] * W1.T, D["one"] * b1.T), order="none"), (N, m)),
            ("Z_{2}", apply_tex(ACTIVATIONS[f].tex, "Z_{1}"), (N, m)),
            ("Z_{3}", tex(sp.MatAdd(D["z2"] * D["W2"].T, D["one"] * b2.T), order="none"),
             (N, K)),
            (r"\hat{Y}", apply_tex(ACTIVATIONS[g].tex, "Z_{3}"), (N, K))]
    return [equation(lhs, rhs, shape) for lhs, rhs, shape in rows]


def objective(f: str, g: str, loss: str, sym: dict) -> sp.Expr:
    r"""The scalar $J$, torch's mean over the $N K$ entries, as one SymPy expression."""
    return LOSSES[loss].J(forward(f, g, sym)["y_hat"], sym["y"])


def _display(sym: dict) -> dict[str, sp.MatrixSymbol]:
    (batch, n_in), n_hidden, n_out = sym["x"].shape, sym["W1"].rows, sym["W2"].rows
    return display_symbols(n_in, n_hidden, n_out, batch=batch)


def steps(D: dict[str, sp.MatrixSymbol]) -> list[tuple[str, str, sp.MatrixExpr]]:
    """Backprop's six steps: (name, LaTeX of the left side, formula in the display symbols `D`,
    as `latex.display_symbols` returns them for a batch)."""
    return [
        ("dJdz3", r"\Delta_{3} = \nabla_{Z_{3}} J",
         sp.HadamardProduct(D["dJdy_hat"], D["g_prime"])),
        ("dJdW2", r"\nabla_{W^{(2)}} J", D["dJdz3"].T * D["z2"]),
        ("dJdb2", r"\nabla_{b^{(2)}} J", D["dJdz3"].T * D["one"]),
        ("dJdz1", r"\Delta_{1} = \nabla_{Z_{1}} J",
         sp.HadamardProduct(D["dJdz3"] * D["W2"], D["f_prime"])),
        ("dJdW1", r"\nabla_{W^{(1)}} J", D["dJdz1"].T * D["x"]),
        ("dJdb1", r"\nabla_{b^{(1)}} J", D["dJdz1"].T * D["one"]),
    ]


def _backprop(f: str, g: str, loss: str, sym: dict, fwd: dict) -> dict[str, tuple]:
    """Each step's (lhs, formula, value), evaluating the formulas in order."""
    values = dict(x=sym["x"], z2=fwd["z2"], W2=sym["W2"], one=sp.ones(sym["x"].rows, 1),
                  dJdy_hat=LOSSES[loss].gradient(fwd["y_hat"], sym["y"]),
                  g_prime=ACTIVATIONS[g].prime(fwd["z3"]), f_prime=ACTIVATIONS[f].prime(fwd["z1"]))
    D, out = _display(sym), {}
    for name, lhs, formula in steps(D):
        values[name] = evaluate(formula, {D[k]: v for k, v in values.items() if k in D})
        out[name] = (lhs, formula, values[name])
    return out


def gradients(f: str, g: str, loss: str, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    r"""Backprop in SymPy: dJdW1 (n_hidden, n_in), dJdb1 (n_hidden, 1), dJdW2 (n_out, n_hidden),
    dJdb2 (n_out, 1), by the chain rule in matrix form (the module docstring's six steps).

    Args:
        f: the hidden activation, a key of `ACTIVATIONS`.
        g: the output activation, a key of `ACTIVATIONS`.
        loss: a key of `LOSSES`.
        sym: as `symbols` returns (or any matrices of those shapes, numbers included).

    Returns:
        dict of `ImmutableMatrix`, each entry the gradient of J by that parameter entry.
    """
    done = _backprop(f, g, loss, sym, forward(f, g, sym))
    return {f"dJd{p}": done[f"dJd{p}"][2] for p in PARAMETERS}


def _by_entry(J: sp.Expr, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    return {f"dJd{p}": sp.ImmutableMatrix(*sym[p].shape, [sp.diff(J, v) for v in sym[p]])
            for p in PARAMETERS}


def gradients_by_entry(f: str, g: str, loss: str, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    """The same dict as `gradients`, by `diff` of the scalar J with respect to each entry.

    The arguments are those of `gradients`; the parameters in `sym` must be symbols, since they
    are differentiated.
    """
    return _by_entry(objective(f, g, loss, sym), sym)


def _by_pre_activation(f: str, g: str, loss: str, sym: dict, z: sp.MatrixBase,
                       layer: int, near: dict | None = None) -> sp.ImmutableMatrix:
    """dJ/dZ by diff, for Z = Z_1 or Z_3 (`layer`) replaced by free symbols, put back after."""
    free = matrix(f"Z_{{{layer}}}", *z.shape)
    back = dict(zip(free, z, strict=True))
    local = None if near is None else {**near, **{v: at_point(e, near) for v, e in back.items()}}
    z3 = linear(_applied(f, free, local), sym["W2"], sym["b2"]) if layer == 1 else free
    J = LOSSES[loss].J(_applied(g, z3, local), sym["y"])
    return at_point(sp.ImmutableMatrix(*z.shape, [sp.diff(J, v) for v in free]), back)


def identities(f: str, g: str, loss: str, sym: dict,
               near: dict | None = None) -> dict[str, Identity]:
    r"""Each backprop step as an `Identity`: the matrix formula against `diff` of $J$.

    The arguments are those of `gradients`, and `near`: an exact point (`rational_point`) at
    which alone the identities will be checked. Then each ReLU entry is the branch it takes
    there (`exact.branches_at`), in the forward pass both sides are computed from: the network
    is the same function near the point, so both sides are exact there, and SymPy never builds
    or differentiates nested Piecewise (15 s to about 1 s for relu/relu/mse at 2x3x4x5). Such
    identities hold at `near` only: check them with `holds(at=near)`.

    Returns:
        dict, in backprop's order (`STEPS`): ``"dJdz3"`` (N, n_out), ``"dJdW2"``
        (n_out, n_hidden), ``"dJdb2"`` (n_out, 1), ``"dJdz1"`` (N, n_hidden), ``"dJdW1"``
        (n_hidden, n_in), ``"dJdb1"`` (n_hidden, 1). `closed_form` is the step's formula
        evaluated (for the gradients, exactly what `gradients` returns); `derived` is `diff` of
        $J$ by each entry of the parameter, or of $Z_3$, $Z_1$ for the upstream gradients.

    Check them with `claim.holds(at=rational_point(sym), seed=0)`: exact, and fast. A bare
    `claim.holds()` proves the identity everywhere, which takes minutes once two sigmoids nest.
    """
    fwd = forward(f, g, sym, near)
    done = _backprop(f, g, loss, sym, fwd)
    derived = _by_entry(LOSSES[loss].J(fwd["y_hat"], sym["y"]), sym)
    derived.update(dJdz3=_by_pre_activation(f, g, loss, sym, fwd["z3"], 3, near),
                   dJdz1=_by_pre_activation(f, g, loss, sym, fwd["z1"], 1, near))
    # A bias gradient prints the shape torch stores, (K,), not SymPy's column (K, 1).
    return {name: Identity(name, lhs, formula, value, derived[name],
                           (value.rows,) if name.startswith("dJdb") else None)
            for name, (lhs, formula, value) in done.items()}


def one_sample(f: str, g: str, loss: str, n_in: int, n_hidden: int,
               n_out: int) -> dict[str, Identity]:
    r"""The step from a batch to the homework's one sample, proven at $N = 1$.

    With $X = x\T$ (one row) and $Y = y\T$, the homework's column vectors are the batch's rows
    transposed, $z_i = Z_i\T$ and $\hat y = \hat Y\T$; its loss is $\ell = c\,J$ with
    $c = K$ for MSE and 1 for BCE (`losses.per_sample_factor`); so each numerator-layout
    derivative $\partial\ell/\partial\theta$ is $c\,(\nabla_\theta J)\T$.

    Returns:
        dict of `Identity`: ``"z1"``, ``"z2"``, ``"z3"``, ``"y_hat"`` (the sample's column,
        computed as the homework writes it, against the batch's row transposed); ``"l"``
        ($\ell$ against $c J$); ``"dldW1"`` (n, m), ``"dldb1"`` (1, m), ``"dldW2"`` (m, K),
        ``"dldb2"`` (1, K): `diff` of $\ell$ by each entry, in numerator layout, against
        $c\,(\nabla_\theta J)\T$ from `gradients`. Exact identities: `holds()` needs no point
        for polynomial configurations; use `holds(at=rational_point(sym))` otherwise.
    """
    sym = symbols(1, n_in, n_hidden, n_out)
    x, y = sym["x"].T, sym["y"].T  # the sample's columns
    act_f, act_g, lossf = ACTIVATIONS[f], ACTIVATIONS[g], LOSSES[loss]
    # The homework's forward pass, in columns: z_1 = W x + b, z_2 = f(z_1), ...
    z1 = sp.ImmutableMatrix(sym["W1"] * x + sym["b1"])
    z2 = act_f(z1)
    z3 = sp.ImmutableMatrix(sym["W2"] * z2 + sym["b2"])
    y_hat = act_g(z3)
    ell = lossf.per_sample(y_hat, y)
    batch = forward(f, g, sym)
    J = lossf.J(batch["y_hat"], sym["y"])
    c = sp.Integer(n_out) if not lossf.sample_mean else sp.Integer(1)
    c_tex = "K" if not lossf.sample_mean else ""
    out = {}
    for key, column, name in (("z1", z1, "z_{1}"), ("z2", z2, "z_{2}"), ("z3", z3, "z_{3}"),
                              ("y_hat", y_hat, r"\hat{y}")):
        upper = name.replace("z_", "Z_").replace(r"\hat{y}", r"\hat{Y}")
        shown = display(upper, 1, column.rows)
        out[key] = Identity(key, name, shown.T, batch[key].T, column)
    out["l"] = Identity("l", r"\ell", sp.Symbol(rf"{c_tex} J".strip()), c * J, ell)
    grads = gradients(f, g, loss, sym)
    factor = sp.Symbol("K", positive=True) if c != 1 else None  # printed K, not its value
    for p, name in (("W1", "W^{(1)}"), ("b1", "b^{(1)}"), ("W2", "W^{(2)}"), ("b2", "b^{(2)}")):
        param = sym[p]
        # Numerator layout: entry (i, j) of d l / d W is d l / d W_{ji}, the transposed shape.
        derived = sp.ImmutableMatrix(param.cols, param.rows,
                                     [sp.diff(ell, param[j, i]) for i in range(param.cols)
                                      for j in range(param.rows)])
        shown = sp.Transpose(display(rf"\nabla_{{{name}}} J", *param.shape))
        formula = shown if factor is None else sp.MatMul(factor, shown)
        out[f"dld{p}"] = Identity(f"dld{p}", rf"\frac{{\partial \ell}}{{\partial {name}}}",
                                  formula, sp.ImmutableMatrix(c * grads[f"dJd{p}"].T), derived)
    return out
