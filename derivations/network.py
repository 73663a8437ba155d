r"""The whole network, Linear -> f -> Linear -> g -> loss, on a batch of concrete small size.

With $x$ (N, n), one sample per row, exactly as `mlp/model.py` computes it:

$$s_1 = x {W^{(1)}}\T + \ones {b^{(1)}}\T,\quad z_1 = f(s_1),\quad
s_2 = z_1 {W^{(2)}}\T + \ones {b^{(2)}}\T,\quad \hat y = g(s_2),\quad
J = \frac{1}{NK} \sum_{n,k} \phi(\hat y_{nk}, y_{nk}).$$

`gradients` is backprop: the chain rule in matrix form, with $\delta_i = \nabla_{s_i} J$, each
gradient laid out like what it is taken by:

$$\delta_2 = \nabla_{\hat y} J \had g'(s_2),\;
\nabla_{W^{(2)}} J = \delta_2\T z_1,\;
\nabla_{b^{(2)}} J = \delta_2\T \ones,\;
\delta_1 = (\delta_2 W^{(2)}) \had f'(s_1),\;
\nabla_{W^{(1)}} J = \delta_1\T x,\;
\nabla_{b^{(1)}} J = \delta_1\T \ones.$$

`gradients_by_entry` differentiates the scalar $J$ by each parameter entry instead, and
`identities` pairs the two, step by step, at one concrete size; `derivations.all_sizes` proves
the same six steps for every size. Notebook use:

```python
from derivations import network
sym = network.symbols(**network.DEFAULT_SIZE)                 # N, n, m, K = 2, 3, 4, 5
grads = network.gradients("relu", "identity", "mse", sym)      # dict of sympy Matrices
for claim in network.identities("relu", "identity", "mse", sym).values():
    display(Math(claim.latex()))                              # \delta_{2}\T z_{1} (5 x 4) ...
```
"""

from __future__ import annotations

import sympy as sp

from .activations import ACTIVATIONS
from .configurations import configurations as all_configurations
from .exact import at_point
from .identity import Identity, evaluate
from .latex import display, equation, matrix, tex
from .linear import forward as linear
from .losses import LOSSES

PARAMETERS = ("W1", "b1", "W2", "b2")
"""The parameter names; their gradients are keyed ``"dJd" + name``, as `MLP.grads`."""
DEFAULT_SIZE = dict(batch=2, n_in=3, n_hidden=4, n_out=5)
"""The size the tests and the site derive at: N, n, m, K pairwise distinct and none 1, so a
shape label tells every product from its transpose."""


def configurations() -> list[tuple[str, str, str]]:
    """Every (f, g, loss) of `derivations.configurations` whose f and g are element-wise, the
    networks whose steps are the ones below (softmax's are in `derivations.softmax`)."""
    return [c for c in all_configurations() if all(ACTIVATIONS[a].elementwise for a in c[:2])]


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

    E.g. ``s_{1} = x {W^{(1)}}\T + \ones {b^{(1)}}\T \quad (2 \times 4)``, then $z_1$, $s_2$,
    $\hat y$.
    """
    (n, n_in), m, K = sym["x"].shape, sym["W1"].rows, sym["W2"].rows
    x, one, z1 = display("x", n, n_in), display(r"\ones", n, 1), display("z_{1}", n, m)
    W1, b1 = display("W^{(1)}", m, n_in), display("b^{(1)}", m, 1)
    W2, b2 = display("W^{(2)}", K, m), display("b^{(2)}", K, 1)
    # order="none" keeps x W^T + 1 b^T as written (SymPy would sort the bias term first).
    rows = [("s_{1}", tex(sp.MatAdd(x * W1.T, one * b1.T), order="none"), (n, m)),
            ("z_{1}", rf"{ACTIVATIONS[f].tex}(s_{{1}})", (n, m)),
            ("s_{2}", tex(sp.MatAdd(z1 * W2.T, one * b2.T), order="none"), (n, K)),
            (r"\hat{y}", rf"{ACTIVATIONS[g].tex}(s_{{2}})", (n, K))]
    return [equation(lhs, rhs, shape) for lhs, rhs, shape in rows]


def objective(f: str, g: str, loss: str, sym: dict) -> sp.Expr:
    r"""The scalar $J$, torch's mean over the $N K$ entries, as one SymPy expression."""
    return LOSSES[loss].J(forward(f, g, sym)["y_hat"], sym["y"])


def display_symbols(batch, n_in, n_hidden, n_out) -> dict[str, sp.MatrixSymbol]:
    """The display symbols of backprop's formulas, keyed as the values they stand for.

    The sizes may be integers or SymPy symbols (`derivations.indexed` uses symbolic ones).
    """
    N, n, m, K = batch, n_in, n_hidden, n_out
    return dict(x=display("x", N, n), z1=display("z_{1}", N, m), W2=display("W^{(2)}", K, m),
                one=display(r"\ones", N, 1),
                dJdy_hat=display(r"\nabla_{\hat{y}} J", N, K),
                g_prime=display("g'(s_{2})", N, K), f_prime=display("f'(s_{1})", N, m),
                delta2=display(r"\delta_{2}", N, K), delta1=display(r"\delta_{1}", N, m))


def _display(sym: dict) -> dict[str, sp.MatrixSymbol]:
    (n, n_in), n_hidden, n_out = sym["x"].shape, sym["W1"].rows, sym["W2"].rows
    return display_symbols(n, n_in, n_hidden, n_out)


def steps(D: dict[str, sp.MatrixSymbol]) -> list[tuple[str, str, sp.MatrixExpr]]:
    """Backprop's six steps: (name, LaTeX of the left side, formula in the display symbols `D`,
    as `display_symbols` returns them)."""
    return [
        ("delta2", r"\delta_{2} = \nabla_{s_{2}} J",
         sp.HadamardProduct(D["dJdy_hat"], D["g_prime"])),
        ("dJdW2", r"\nabla_{W^{(2)}} J", D["delta2"].T * D["z1"]),
        ("dJdb2", r"\nabla_{b^{(2)}} J", D["delta2"].T * D["one"]),
        ("delta1", r"\delta_{1} = \nabla_{s_{1}} J",
         sp.HadamardProduct(D["delta2"] * D["W2"], D["f_prime"])),
        ("dJdW1", r"\nabla_{W^{(1)}} J", D["delta1"].T * D["x"]),
        ("dJdb1", r"\nabla_{b^{(1)}} J", D["delta1"].T * D["one"]),
    ]


def _backprop(f: str, g: str, loss: str, sym: dict, fwd: dict) -> dict[str, tuple]:
    """Each step's (lhs, formula, value), evaluating the formulas in order."""
    values = dict(x=sym["x"], z1=fwd["z1"], W2=sym["W2"], one=sp.ones(sym["x"].rows, 1),
                  dJdy_hat=LOSSES[loss].gradient(fwd["y_hat"], sym["y"]),
                  g_prime=ACTIVATIONS[g].prime(fwd["s2"]), f_prime=ACTIVATIONS[f].prime(fwd["s1"]))
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


def _by_pre_activation(f: str, g: str, loss: str, sym: dict, s: sp.MatrixBase,
                       layer: int) -> sp.ImmutableMatrix:
    """dJ/ds by diff, for s = s1 or s2 (`layer`) replaced by free symbols, put back after."""
    free = matrix(f"s_{{{layer}}}", *s.shape)
    s2 = linear(ACTIVATIONS[f](free), sym["W2"], sym["b2"]) if layer == 1 else free
    J = LOSSES[loss].J(ACTIVATIONS[g](s2), sym["y"])
    back = dict(zip(free, s, strict=True))
    return at_point(sp.ImmutableMatrix(*s.shape, [sp.diff(J, v) for v in free]), back)


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
    done = _backprop(f, g, loss, sym, fwd)
    derived = _by_entry(LOSSES[loss].J(fwd["y_hat"], sym["y"]), sym)
    derived.update(delta2=_by_pre_activation(f, g, loss, sym, fwd["s2"], 2),
                   delta1=_by_pre_activation(f, g, loss, sym, fwd["s1"], 1))
    return {name: Identity(name, lhs, formula, value, derived[name])
            for name, (lhs, formula, value) in done.items()}
