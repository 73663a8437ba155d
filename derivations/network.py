r"""The whole network, Linear -> f -> Linear -> g -> loss, on a batch of concrete small size.

With $x$ (N, n), one sample per row, exactly as `mlp/model.py` computes it:

$$s_1 = x W^{(1)\top} + \mathbf{1} b^{(1)\top},\quad z_1 = f(s_1),\quad
s_2 = z_1 W^{(2)\top} + \mathbf{1} b^{(2)\top},\quad \hat y = g(s_2),\quad
J = \text{loss}(\hat y, y).$$

`gradients` is backprop: the chain rule in matrix form, with $\delta = \partial J/\partial s$,

$$\delta_2 = \frac{\partial J}{\partial \hat y} \circ g'(s_2),\;
\frac{\partial J}{\partial W^{(2)}} = \delta_2^\top z_1,\;
\frac{\partial J}{\partial b^{(2)}} = \delta_2^\top \mathbf{1},\;
\delta_1 = \delta_2 W^{(2)} \circ f'(s_1),\;
\frac{\partial J}{\partial W^{(1)}} = \delta_1^\top x,\;
\frac{\partial J}{\partial b^{(1)}} = \delta_1^\top \mathbf{1}.$$

`gradients_by_entry` differentiates the scalar $J$ by each parameter entry instead, and
`identities` pairs the two, step by step, for the site. Notebook use:

```python
from derivations import network
sym = network.symbols(2, 2, 3, 2)
grads = network.gradients("relu", "identity", "mse", sym)      # dict of sympy Matrices
for claim in network.identities("relu", "identity", "mse", sym).values():
    display(Math(claim.latex()))                              # \delta_{2}^{T} z_{1} (2 x 3) ...
```
"""

from __future__ import annotations

import sympy as sp

from .activations import ACTIVATIONS
from .identity import Identity, evaluate
from .latex import display, equation, matrix
from .linear import forward as linear
from .losses import LOSSES

PARAMETERS = ("W1", "b1", "W2", "b2")
"""The parameter names; their gradients are keyed ``"dJd" + name``, as `MLP.grads`."""
DEFAULT_SIZE = dict(batch=2, n_in=2, n_hidden=3, n_out=2)
"""The small size the tests and the site derive at."""


def configurations() -> list[tuple[str, str, str]]:
    """Every (f, g, loss) from the registries: any f and g with MSE, BCE only where g's output
    lies in (0, 1). With relu/sigmoid/identity that is 9 + 3 = 12."""
    return [(f, g, loss) for loss in LOSSES for f in ACTIVATIONS for g in ACTIVATIONS
            if ACTIVATIONS[g].probabilities or not LOSSES[loss].needs_probabilities]


def symbols(batch: int, n_in: int, n_hidden: int, n_out: int) -> dict[str, sp.ImmutableMatrix]:
    r"""Real symbols: x (batch, n_in), y (batch, n_out), W1 (n_hidden, n_in), b1 (n_hidden, 1),
    W2 (n_out, n_hidden), b2 (n_out, 1); named ``x_{ni}``, ``W^{(1)}_{ji}``, ``b^{(1)}_{j}``."""
    return dict(x=matrix("x", batch, n_in), y=matrix("y", batch, n_out),
                W1=matrix("W^{(1)}", n_hidden, n_in),
                b1=matrix("b^{(1)}", n_hidden, 1, vector=True),
                W2=matrix("W^{(2)}", n_out, n_hidden), b2=matrix("b^{(2)}", n_out, 1, vector=True))


def forward(f: str, g: str, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    r"""s1, z1 (N, n_hidden) and s2, y_hat (N, n_out), as SymPy matrices in the symbols."""
    s1 = linear(sym["x"], sym["W1"], sym["b1"])
    z1 = ACTIVATIONS[f](s1)
    s2 = linear(z1, sym["W2"], sym["b2"])
    return dict(s1=s1, z1=z1, s2=s2, y_hat=ACTIVATIONS[g](s2))


def forward_latex(f: str, g: str, sym: dict) -> list[str]:
    r"""The batch forward pass as the code runs it, one LaTeX line per step with its shape.

    E.g. ``s_{1} = x \left(W^{(1)}\right)^{T} + \mathbf{1} \left(b^{(1)}\right)^{T} \quad
    (2 \times 3)``, then $z_1$, $s_2$, $\hat y$.
    """
    (n, n_in), m, K = sym["x"].shape, sym["W1"].rows, sym["W2"].rows
    x, one, z1 = display("x", n, n_in), display(r"\mathbf{1}", n, 1), display("z_{1}", n, m)
    W1, b1 = display("W^{(1)}", m, n_in), display("b^{(1)}", m, 1)
    W2, b2 = display("W^{(2)}", K, m), display("b^{(2)}", K, 1)
    # order="none" keeps x W^T + 1 b^T as written (SymPy would sort the bias term first).
    rows = [("s_{1}", sp.latex(sp.MatAdd(x * W1.T, one * b1.T), order="none"), (n, m)),
            ("z_{1}", rf"{ACTIVATIONS[f].tex}(s_{{1}})", (n, m)),
            ("s_{2}", sp.latex(sp.MatAdd(z1 * W2.T, one * b2.T), order="none"), (n, K)),
            (r"\hat{y}", rf"{ACTIVATIONS[g].tex}(s_{{2}})", (n, K))]
    return [equation(lhs, rhs, shape) for lhs, rhs, shape in rows]


def objective(f: str, g: str, loss: str, sym: dict) -> sp.Expr:
    r"""The scalar $J$, torch's mean over the $N K$ entries, as one SymPy expression."""
    return LOSSES[loss].J(forward(f, g, sym)["y_hat"], sym["y"])


def _display(sym: dict) -> dict[str, sp.MatrixSymbol]:
    """The display symbols of backprop's formulas, keyed as the values they stand for."""
    (n, n_in), n_hidden, n_out = sym["x"].shape, sym["W1"].rows, sym["W2"].rows
    return dict(x=display("x", n, n_in), z1=display("z_{1}", n, n_hidden),
             W2=display("W^{(2)}", n_out, n_hidden), one=display(r"\mathbf{1}", n, 1),
             dJdy_hat=display(r"\frac{\partial J}{\partial \hat{y}}", n, n_out),
             g_prime=display("g'(s_{2})", n, n_out), f_prime=display("f'(s_{1})", n, n_hidden),
             delta2=display(r"\delta_{2}", n, n_out), delta1=display(r"\delta_{1}", n, n_hidden))


def _steps(D: dict[str, sp.MatrixSymbol]) -> list[tuple[str, str, sp.MatrixExpr]]:
    """Backprop's six steps: (name, LaTeX of the left side, formula in display symbols)."""
    return [
        ("delta2", r"\delta_{2} = \frac{\partial J}{\partial s_{2}}",
         sp.HadamardProduct(D["dJdy_hat"], D["g_prime"])),
        ("dJdW2", r"\frac{\partial J}{\partial W^{(2)}}", D["delta2"].T * D["z1"]),
        ("dJdb2", r"\frac{\partial J}{\partial b^{(2)}}", D["delta2"].T * D["one"]),
        ("delta1", r"\delta_{1} = \frac{\partial J}{\partial s_{1}}",
         sp.HadamardProduct(D["delta2"] * D["W2"], D["f_prime"])),
        ("dJdW1", r"\frac{\partial J}{\partial W^{(1)}}", D["delta1"].T * D["x"]),
        ("dJdb1", r"\frac{\partial J}{\partial b^{(1)}}", D["delta1"].T * D["one"]),
    ]


def _backprop(f: str, g: str, loss: str, sym: dict, fwd: dict) -> dict[str, tuple]:
    """Each step's (lhs, formula, value), evaluating the formulas in order."""
    values = dict(x=sym["x"], z1=fwd["z1"], W2=sym["W2"], one=sp.ones(sym["x"].rows, 1),
                  dJdy_hat=LOSSES[loss].gradient(fwd["y_hat"], sym["y"]),
                  g_prime=ACTIVATIONS[g].prime(fwd["s2"]), f_prime=ACTIVATIONS[f].prime(fwd["s1"]))
    D, out = _display(sym), {}
    for name, lhs, formula in _steps(D):
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
    steps = _backprop(f, g, loss, sym, forward(f, g, sym))
    return {f"dJd{p}": steps[f"dJd{p}"][2] for p in PARAMETERS}


def _by_entry(J: sp.Expr, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    return {f"dJd{p}": sp.ImmutableMatrix(*sym[p].shape, [sp.diff(J, v) for v in sym[p]])
            for p in PARAMETERS}


def gradients_by_entry(f: str, g: str, loss: str, sym: dict) -> dict[str, sp.ImmutableMatrix]:
    """The same dict as `gradients`, by `diff` of the scalar J with respect to each entry.

    The arguments are those of `gradients`; the parameters in `sym` must be symbols, since they
    are differentiated.
    """
    return _by_entry(objective(f, g, loss, sym), sym)


def _by_pre_activation(f: str, g: str, loss: str, sym: dict, s: sp.MatrixBase,
                       layer: int) -> sp.ImmutableMatrix:
    """dJ/ds by diff, for s = s1 or s2 (`layer`) replaced by free symbols, put back after."""
    free = matrix(f"s_{{{layer}}}", *s.shape)
    s2 = linear(ACTIVATIONS[f](free), sym["W2"], sym["b2"]) if layer == 1 else free
    J = LOSSES[loss].J(ACTIVATIONS[g](s2), sym["y"])
    back = dict(zip(free, s, strict=True))
    return sp.ImmutableMatrix(*s.shape, [sp.diff(J, v).xreplace(back) for v in free])


def identities(f: str, g: str, loss: str, sym: dict) -> dict[str, Identity]:
    r"""Each backprop step as an `Identity`: the matrix formula against `diff` of $J$.

    The arguments are those of `gradients`.

    Returns:
        dict, in backprop's order: ``"delta2"`` (N, n_out), ``"dJdW2"`` (n_out, n_hidden),
        ``"dJdb2"`` (n_out, 1), ``"delta1"`` (N, n_hidden), ``"dJdW1"`` (n_hidden, n_in),
        ``"dJdb1"`` (n_hidden, 1). `closed_form` is the step's formula evaluated (for the
        gradients, exactly what `gradients` returns); `derived` is `diff` of $J$ by each entry
        of the parameter, or of $s_2$, $s_1$ for the deltas.

    Check them with `claim.holds(at=rational_point(sym), seed=0)`: exact, and fast. A bare
    `claim.holds()` proves the identity everywhere, which takes minutes once two sigmoids nest.
    """
    fwd = forward(f, g, sym)
    steps = _backprop(f, g, loss, sym, fwd)
    derived = _by_entry(LOSSES[loss].J(fwd["y_hat"], sym["y"]), sym)
    derived.update(delta2=_by_pre_activation(f, g, loss, sym, fwd["s2"], 2),
                   delta1=_by_pre_activation(f, g, loss, sym, fwd["s1"], 1))
    return {name: Identity(name, lhs, formula, value, derived[name])
            for name, (lhs, formula, value) in steps.items()}
