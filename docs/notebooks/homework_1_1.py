# %% [markdown]
# # 1.1 Regression: $f = (\cdot)^+$, $g = \operatorname{id}$, squared error
#
# One sample $(x, y)$ in the homework's notation: column vectors, $z_1, z_2, z_3$ for the
# outputs of Linear$_1$, $f$ and Linear$_2$, the loss $\ell = \lVert \hat y - y \rVert^2$, and
# derivatives in numerator layout, the homework's: $\frac{\partial \ell}{\partial \hat y}$ is a
# row, $\frac{\partial \ell}{\partial W^{(2)}}$ has the shape of ${W^{(2)}}\T$ (the
# [notation](../index.md#notation) and [layout](../index.md#layout) of the home page).
#
# Each question is stated, then answered in a box, then derived, then followed by its common
# mistakes. Each heading also carries the number the course's PDF gives the question: its 1.1
# only defines the network, so this page's 1.1.a to 1.1.d are the PDF's 1.2(a) to 1.2(d).
# A [worked example](#a-worked-example-by-hand) in small integers follows the questions.

# %% tags=["remove-cell"]
import sympy as sp
import torch
from IPython.display import HTML, Math, display

from derivations import layers, network, sample
from derivations.activations import ACTIVATIONS as SYMBOLIC
from derivations.activations import apply_tex
from derivations.exact import is_zero, rational_point
from derivations.identity import evaluate
from derivations.latex import display as display_symbol
from derivations.latex import matrix, tex
from derivations.losses import LOSSES as SYMBOLIC_LOSSES
from derivations.losses import per_sample_factor
from mlp import MLP, mse_loss, train
from pages import answer_check, graph, worked
from pages.boxes import answer, box, how_checked, mistake, note, shapes_in_letters
from pages.boxes import numbers as numbers_tex

F, G, LOSS = "relu", "identity", "mse"
SIZES = dict(n_in=3, n_hidden=4, n_out=5)
sym = sample.symbols(**SIZES)
(m, n), K = sym["W1"].shape, sym["W2"].rows
POINTS = [rational_point(sym, seed) for seed in range(3)]
CHECKER = "check_your_homework.py"


def holds(claim, points=POINTS):
    """Fail the build unless the claim holds, exactly, at every point."""
    assert all(claim.holds(at=p) for p in points), f"{claim.name} no longer holds"


def shown(claims, names):
    """The claims' formulas for a box, shapes in the widths' letters, each one checked first."""
    for name in names:
        holds(claims[name])
    return [f"$${sample.boxed(claims[name], sym)}$$" for name in names]


def torch_shape(claim):
    """The shape torch stores a gradient in, in the widths' letters: (K, m), or (K,) for a bias."""
    names = sample.size_names(sym)
    rows, cols = claim.shape
    return f"({names[rows]},)" if cols == 1 else f"({names[rows]}, {names[cols]})"


def numbers(t):
    """A tensor as a LaTeX matrix, 3 significant digits."""
    return numbers_tex(t.tolist())


# One sample in numbers, float64, for the common mistakes.
gen = torch.Generator().manual_seed(0)
x_, y_, W1_, b1_, W2_, b2_ = (torch.randn(*shape, generator=gen, dtype=torch.float64)
                              for shape in ((n, 1), (K, 1), (m, n), (m, 1), (K, m), (K, 1)))
z1_ = W1_ @ x_ + b1_
z2_ = torch.relu(z1_)
y_hat_ = W2_ @ z2_ + b2_
dl_dyhat_ = 2 * (y_hat_ - y_).T                                     # (1, K)
dl_dz1_ = dl_dyhat_ @ W2_ @ torch.diag((z1_[:, 0] > 0).double())   # (1, m)
dl_dW1_, dl_dW2_ = x_ @ dl_dz1_, z2_ @ dl_dyhat_                    # numerator layout
# The true gradients, by autograd, laid out as the parameters: the transposes.
leaves = [t.clone().requires_grad_() for t in (W1_, b1_, W2_, b2_)]
ell = ((leaves[2] @ torch.relu(leaves[0] @ x_ + leaves[1]) + leaves[3] - y_) ** 2).sum()
auto_W1, _, auto_W2, _ = torch.autograd.grad(ell, leaves)
assert torch.allclose(dl_dW1_.T, auto_W1, rtol=1e-14) and torch.allclose(dl_dW2_.T, auto_W2,
                                                                          rtol=1e-14)

# %% tags=["remove-input"] context="bridge"
display(HTML(how_checked([
    f"Every formula in an answer box of 1.1.b to 1.1.d is printed by `derivations` (SymPy) "
    f"and checked in the cell that prints it, in exact arithmetic, at $n = {n}$ inputs, "
    f"$m = {m}$ hidden units and $K = {K}$ outputs: sizes that differ, so that a shape tells a "
    f"matrix from its transpose. The shapes in the boxes are written in the letters $n, m, K$; "
    f"the formulas are checked at these sizes only.",
    ["**1.1.b**: each output, evaluated at symbolic $x, W^{(i)}, b^{(i)}$, equals the "
     "forward pass of `derivations.sample` entry by entry.",
     f"**1.1.c**: each of the four derivatives in numerator layout, and each gradient "
     f"$\\nabla_\\theta \\ell$, equals SymPy's `diff` of $\\ell$ by every entry of $\\theta$ "
     f"at {len(POINTS)} exact rational points; so does the CS231n form of the note. For a "
     "batch, the six steps of backprop at $N = 2$ equal `diff` of $J$ at 2 points, the "
     "step from one sample to a batch of one (the factor $K$ and the transposes) holds at "
     f"{len(POINTS)} points, and the per-sample formulas summed over a batch of 10 give "
     "`MLP`'s gradients in float64 (relative tolerance $10^{-12}$).",
     "**1.1.d**: each element comes from `Matrix.jacobian` and equals the closed form "
     "after `simplify`; the closed forms hold at the points.",
     "**The worked example**: its values are computed exactly by SymPy, every gradient held "
     "against `diff` at the example; `MLP` (float64) and autograd give the same numbers.",
     "**1.1.a**: the five steps run with PyTorch and with `mlp` from the same weights give the "
     "same $J$ at each of 3 steps (relative tolerance $10^{-12}$)."],
    "Written by hand: the words of every answer, the answer to 1.1.a, and the formulas of the "
    "common-mistake boxes; the numbers in those boxes are computed at build and asserted. "
    "The batch chain rule is proven for every size, with sizes as symbols, on "
    "[The whole network](network.py#every-size-at-once); the one-sample formulas here are "
    "checked at the sizes above, not proven for every size.",
])))

# %% [markdown]
# ## 1.1.a (PDF 1.2(a)) The five steps of one SGD step
#
# > Name and mathematically describe the 5 programming steps you would take to train this model
# > with PyTorch using SGD on a single batch of data.

# %% tags=["remove-input"] context="batch"
display(HTML(answer("1.1.a (PDF 1.2(a))", [
    r"For a batch of $N$ samples as rows, $X$ ($N \times n$) and targets $Y$ ($N \times K$), "
    r"a learning rate $\eta$, and $\theta$ each of $W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$:",
    [r"**Forward**: $\hat Y = g\big(f(X {W^{(1)}}\T + \ones_N {b^{(1)}}\T) {W^{(2)}}\T + "
     r"\ones_N {b^{(2)}}\T\big)$ (`y_hat = model(x)`).",
     r"**Loss**: $J$, torch's `F.mse_loss(y_hat, y)`, the mean of the squared errors over "
     r"all $N K$ entries.",
     r"**Zero the gradients**: each `.grad` set to 0, since torch adds into `.grad` "
     r"(`optimizer.zero_grad()`).",
     r"**Backward**: the chain rule from $J$ back to every $\nabla_\theta J$, stored in "
     r"`.grad` (`J.backward()`).",
     r"**Update**: $\theta \leftarrow \theta - \eta\, \nabla_\theta J$ "
     r"(`optimizer.step()`)."],
])))

# %% [markdown]
# The same five steps, once with PyTorch and once by hand with `mlp` (`mlp.train` names each
# step), from the same weights, on a batch of $N = 10$ with $n = 2$, $m = 20$, $K = 5$, the
# course's first test:

# %%
torch.manual_seed(0)
x, y = torch.randn(10, 2, dtype=torch.float64), torch.randn(10, 5, dtype=torch.float64)
net = MLP(2, 20, F, 20, 5, G, dtype=torch.float64)
model = torch.nn.Sequential(torch.nn.Linear(2, 20), torch.nn.ReLU(), torch.nn.Linear(20, 5))
model = model.double()
with torch.no_grad():
    for layer, i in ((model[0], "1"), (model[2], "2")):
        layer.weight.copy_(net.parameters["W" + i])
        layer.bias.copy_(net.parameters["b" + i])
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for step in range(3):
    y_hat = model(x)                                  # 1 forward
    J = torch.nn.functional.mse_loss(y_hat, y)        # 2 loss
    optimizer.zero_grad()                             # 3 zero the gradients
    J.backward()                                      # 4 backward
    optimizer.step()                                  # 5 update

    y_hat_mlp = train.forward(net, x)                 # 1 forward
    J_mlp, dJdy_hat = train.loss(LOSS, y, y_hat_mlp)  # 2 loss
    train.zero_grad(net)                              # 3 zero the gradients
    train.backward(net, dJdy_hat)                     # 4 backward, by hand
    train.sgd_update(net, lr=0.01)                    # 5 update
    print(f"step {step}: J torch {J.item():.12f}   J mlp {J_mlp.item():.12f}")
    assert torch.allclose(J, J_mlp, rtol=1e-12, atol=0)
assert torch.allclose(model[0].weight, net.parameters["W1"], rtol=1e-12, atol=1e-14)

# %% tags=["hide-input"] context="batch"
fresh = [p.detach().clone() for p in model.parameters()]
model.zero_grad()
torch.nn.functional.mse_loss(model(x), y).backward()
first = [p.grad.clone() for p in model.parameters()]
optimizer.step()                                      # step 1, then no zero_grad
torch.nn.functional.mse_loss(model(x), y).backward()  # step 2 adds into .grad
stale = model[0].weight.grad.clone()
second = stale - first[0]                             # what step 2 alone computed
assert torch.allclose(stale, first[0] + second, rtol=1e-14)
off = ((stale - second).norm() / second.norm()).item()
with torch.no_grad():
    for p, v in zip(model.parameters(), fresh, strict=True):
        p.copy_(v)
display(HTML(mistake(
    "no zero_grad between steps",
    r"\texttt{W1.grad} = \nabla_{W^{(1)}} J^{[1]} + \nabla_{W^{(1)}} J^{[2]}"
    r"\quad\text{(step 3 left out)}",
    [r"$J^{[t]}$ is the batch loss at step $t$. Without `zero_grad`, the second step's "
     f"`W1.grad` holds the first step's gradient as well: here it is off from the second "
     f"step's own gradient $\\nabla_{{W^{{(1)}}}} J^{{[2]}}$ by {off:.0%} of that gradient's "
     "norm, and SGD steps along the sum of every gradient so far."],
    f"The checker notes a `clear_grad_and_cache` that leaves your gradients growing, and "
    f"gradients that are assigned where torch adds into `.grad` ([what the checker "
    f"says]({CHECKER}#no-zero_grad-between-steps))."
)))

# %% [markdown]
# ## 1.1.b (PDF 1.2(b)) The forward pass, layer by layer
#
# > For a single data point $(x, y)$, write down all inputs and outputs for the forward pass of
# > each layer. Use only $x, y, W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$.

# %% tags=["remove-input"]
display(HTML(answer_check.boxes("z1", "z2", "z3", "y_hat", syntax=True)))

# %% tags=["remove-input"]
assert layers.check(F, G, LOSS, sym)
display(HTML(answer("1.1.b (PDF 1.2(b))", [
    r"For one data point $(x, y)$, each layer's input is the output of the layer before it, "
    r"and each output in $x, y, W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$ only:",
    f"$${layers.latex(F, G, LOSS, sym)}$$",
])))

# %% [markdown]
# **The derivation.** Each output in the box is a SymPy matrix expression, each layer's output
# put into the next layer. The cell below evaluates each one at symbolic $x, W^{(i)}, b^{(i)}$
# and compares it, entry by entry, with the forward pass of `derivations.sample`; the loss row
# writes the squared error around the printed $\hat y$.

# %%
assert layers.check(F, G, LOSS, sym)
for line in sample.forward_latex(F, G, sym):
    display(Math(shapes_in_letters(line, sym)))

# %% [markdown] context="bridge"
# With a batch the code stacks the $N$ samples as rows: $X$ is $N \times n$, and the same layers
# read $Z_1 = X {W^{(1)}}\T + \ones_N {b^{(1)}}\T$, $Z_2 = f(Z_1)$,
# $Z_3 = Z_2 {W^{(2)}}\T + \ones_N {b^{(2)}}\T$, $\hat Y = g(Z_3)$: row $p$ of $Z_1$ is
# sample $p$'s $z_1\T$, and so on.

# %% tags=["hide-input"]
swapped = torch.relu(W2_ @ (W1_ @ x_ + b1_) + b2_)
assert (swapped >= 0).all() and (y_hat_ < 0).any()
display(HTML(mistake(
    "f and g swapped",
    r"\hat y = \left(W^{(2)} \left(W^{(1)} x + b^{(1)}\right) + b^{(2)}\right)^+",
    [r"A ReLU at the output, none inside: no $\hat y$ can be negative. For this build's "
     r"sample, $\hat y\T$ and the swapped network's output are",
     f"$$\\hat y\\T = {numbers(y_hat_.T)},$$",
     f"$$\\text{{swapped: }} {numbers(swapped.T)}.$$"],
    f"The checker reports \"y_hat is what f and g swapped give\" ([what the checker "
    f"says]({CHECKER}#f-and-g-swapped))."
)))
half = 0.5 * ((y_hat_ - y_) ** 2).sum()
full = ((y_hat_ - y_) ** 2).sum()
assert torch.allclose(half, full / 2, rtol=1e-15)
display(HTML(mistake(
    "the lecture's ½ in the loss",
    r"\ell = \tfrac{1}{2} \lVert \hat y - y \rVert^2",
    [f"Half of the homework's loss: {half.item():.4f} for this sample where "
     f"$\\lVert \\hat y - y \\rVert^2$ is {full.item():.4f}, and every gradient half of the "
     f"course's. Torch's `F.mse_loss` has no ½ either."],
    f"The checker reports \"J is half of torch's: F.mse_loss has no 1/2\" ([what the "
    f"checker says]({CHECKER}#the-lectures-half-in-the-loss))."
)))

# %% [markdown]
# ## 1.1.c (PDF 1.2(c)) The gradients of the backward pass
#
# > Write down the gradients calculated by the backward pass. Use only
# > $x, y, W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$, $\frac{\partial \ell}{\partial \hat y}$,
# > $\frac{\partial z_2}{\partial z_1}$ and $\frac{\partial \hat y}{\partial z_3}$.

# %% tags=["remove-input"]
display(HTML(answer_check.boxes("dl_dW1", "dl_db1", "dl_dW2", "dl_db2")))

# %% tags=["remove-input"]
jac = sample.jacobians(F, G, LOSS, sym)
grads = sample.numerator_gradients(F, G, LOSS, sym, jac)
nablas = sample.gradient_transposes(grads, sym)
ORDER = ["dl_dW1", "dl_db1", "dl_dW2", "dl_db2"]
nabla_lines = []
for key in ORDER:
    claim = nablas[key.replace("dl_d", "grad_")]
    nabla_lines.append(f"$${claim.lhs} = {tex(claim.formula)} \\quad "
                       f"\\texttt{{.grad {torch_shape(claim)}}}$$")
display(HTML(answer("1.1.c (PDF 1.2(c))", [
    r"In numerator layout, the homework's, in $x, W^{(1)}, b^{(1)}, W^{(2)}$ and the three "
    r"Jacobians $\frac{\partial \ell}{\partial \hat y}$ ($1 \times K$), "
    r"$\frac{\partial \hat y}{\partial z_3}$ ($K \times K$) and "
    r"$\frac{\partial z_2}{\partial z_1}$ ($m \times m$):",
    *shown(grads, ORDER),
    r"Each is laid out as the transpose of its parameter. The gradient "
    r"$\nabla_\theta \ell = \big(\frac{\partial \ell}{\partial \theta}\big)\T$ has the "
    r"parameter's own shape; it is what SGD subtracts and what torch stores in `.grad` "
    r"(a bias's as a 1-D tensor):",
    *nabla_lines,
    r"One transpose separates the two layouts: $\nabla_\theta \ell$ holds the same numbers "
    r"as $\frac{\partial \ell}{\partial \theta}$, rows and columns swapped. The "
    r"[worked example](#a-worked-example-by-hand) "
    r"has every one of these in small integers.",
])))

# %% [markdown]
# **The derivation.** Write $\frac{\partial \ell}{\partial z_3} = \frac{\partial \ell}{\partial
# \hat y}\frac{\partial \hat y}{\partial z_3}$ ($1 \times K$). From $z_3 = W^{(2)} z_2 +
# b^{(2)}$, $\frac{\partial z_{3,k}}{\partial W^{(2)}_{kj}} = z_{2,j}$ and $\frac{\partial
# z_{3,k}}{\partial b^{(2)}_k} = 1$, so $\frac{\partial \ell}{\partial W^{(2)}_{kj}} =
# z_{2,j} \big(\frac{\partial \ell}{\partial z_3}\big)_k$. Numerator layout puts the
# derivative by $W^{(2)}_{kj}$ at row $j$, column $k$: the outer product of the column $z_2$
# with the row $\frac{\partial \ell}{\partial z_3}$, $m \times K$, with $z_2 = (W^{(1)} x +
# b^{(1)})^+$ by 1.1.b. One layer down, $\frac{\partial \ell}{\partial z_1} = \frac{\partial
# \ell}{\partial z_3} W^{(2)} \frac{\partial z_2}{\partial z_1}$ ($1 \times m$), and
# $z_1 = W^{(1)} x + b^{(1)}$ gives the outer product $x \frac{\partial \ell}{\partial z_1}$,
# $n \times m$. The cell holds each formula against `diff` of $\ell$ by every entry of the
# parameter, and prints both for $\frac{\partial \ell}{\partial b^{(2)}}$ at the first point:

# %%
for claim in (*grads.values(), *nablas.values()):
    holds(claim)
claim, point = grads["dl_db2"], POINTS[0]
by_formula, by_diff = claim.closed_form.xreplace(point), claim.derived.xreplace(point)
assert by_formula == by_diff
print("by the formula:", list(by_formula))
print("by diff:       ", list(by_diff))

# %% tags=["remove-input"] context="bridge" mistake=true
# CS231n's column form, in its own delta notation on purpose (so the cell is exempt from the
# notation check's old names, as a mistake cell is), generated and held against the transpose
# of this page's row dl/dz1.
D = sample.shown_symbols(sym)
delta2 = display_symbol(r"\delta_2", K, 1)
f_prime = display_symbol("f'(z_{1})", m, 1)                 # CS231n writes f', any f
cs231n = sp.HadamardProduct(sp.MatMul(sp.Transpose(D["W2"]), delta2), f_prime)
upstream3 = jac["dldy_hat"].closed_form * jac["dy_hatdz3"].closed_form      # dl/dz3, (1, K)
row_dl_dz1 = upstream3 * sym["W2"] * jac["dz2dz1"].closed_form              # dl/dz1, (1, m)
z1_values = sample.forward(F, G, sym)["z1"]
by_cs231n = evaluate(cs231n, {D["W2"]: sym["W2"], delta2: upstream3.T,
                              f_prime: SYMBOLIC[F].prime(z1_values)})
for p in POINTS:
    assert is_zero((by_cs231n - row_dl_dz1.T).xreplace(p))
numerator_row = sp.MatMul(display_symbol(r"\frac{\partial \ell}{\partial z_{3}}", 1, K),
                          D["W2"], D["dz2dz1"])
display(HTML(note("W or W transposed?", [
    r"CS231n writes backprop with columns, $\delta_2 = \big(\frac{\partial \ell}{\partial "
    r"z_3}\big)\T$ ($K \times 1$), and gets",
    f"$$\\delta_1 = {tex(cs231n)} \\quad (m \\times 1)$$",
    r"This page's row $\frac{\partial \ell}{\partial z_1} = "
    f"{tex(numerator_row)}$ ($1 \\times m$) is the same vector laid flat: transpose the "
    r"product once and each factor turns around, $W^{(2)}$ into ${W^{(2)}}\T$ and the diagonal "
    r"$\frac{\partial z_2}{\partial z_1}$ into the entry-by-entry $\had$. With rows, "
    r"$W^{(2)}$ multiplies from the right untransposed; with columns, ${W^{(2)}}\T$ from the "
    r"left. Both hold at this page's points; a mix of the two does not multiply.",
])))

# %% [markdown] context="bridge"
# **For a batch**, as `MLP.backward` computes it into `dJdW1`, `dJdb1`, `dJdW2` and `dJdb2`,
# the four gradients in the shapes torch stores: row $p$ of $\Delta_3 = \nabla_{Z_3} J$
# ($N \times K$) is sample $p$'s $\frac{\partial \ell}{\partial z_3}$ scaled by torch's
# $\frac{1}{NK}$, so each product $\Delta\T(\cdot)$ sums the samples' gradients. Printed at
# $N = 2$, each step checked against `diff` of $J$:

# %% context="batch"
net_sym = network.symbols(**network.DEFAULT_SIZE)
net_points = [rational_point(net_sym, seed) for seed in range(2)]
net_letters = {net_sym["x"].rows: "N", n: "n", m: "m", K: "K", 1: "1"}   # 2, 3, 4, 5
for claim in network.identities(F, G, LOSS, net_sym).values():
    holds(claim, net_points)
    display(Math(shapes_in_letters(claim.latex(), names=net_letters)))

# %% [markdown] context="bridge"
# One sample is a batch of one, its row the transpose of its column. With $N = 1$ torch's mean
# divides by $K$ where the homework's $\ell$ sums over the $K$ outputs, so $\ell = K J$, and
# each derivative of this page is $K$ times the transpose of the code's gradient:
# $\frac{\partial \ell}{\partial \theta} = K \big(\nabla_\theta J\big)\T$. The cell computes
# the factor from the two losses and holds the identity, for all four parameters, at three
# exact points ([The whole network](network.py#from-the-batch-to-one-sample) does the same for
# every configuration, the forward values included):

# %%
factor = per_sample_factor(LOSS, K)
assert factor == K
as_batch = dict(sym, x=sym["x"].T, y=sym["y"].T)               # N = 1: the sample as a row
batch_grads = network.gradients(F, G, LOSS, as_batch)
for p in network.PARAMETERS:
    for point in POINTS:
        gap = grads[f"dl_d{p}"].closed_form - factor * batch_grads[f"dJd{p}"].T
        assert is_zero(gap.xreplace(point)), p
print(f"l / J = {factor}; dl/dtheta == {factor} (dJ/dtheta)^T for W1, b1, W2, b2")

# %% [markdown] context="bridge"
# The same in numbers: the per-sample formulas of the box, transcribed to torch, transposed to
# torch's layout, summed over a batch and divided by $N K$ give `MLP`'s gradients.

# %% tags=["hide-input"]
net = MLP(2, 20, F, 20, 5, G, dtype=torch.float64)
x, y = torch.randn(10, 2, dtype=torch.float64), torch.randn(10, 5, dtype=torch.float64)
J, dJdy_hat = mse_loss(y, net.forward(x))
net.backward(dJdy_hat)
W1v, b1v, W2v, b2v = net.parameters.values()
total = {k: torch.zeros_like(v) for k, v in net.grads.items()}
for xi, yi in zip(x, y, strict=True):
    xi, yi = xi[:, None], yi[:, None]                       # columns
    z1v = W1v @ xi + b1v[:, None]
    z2v = torch.relu(z1v)
    y_hat_i = W2v @ z2v + b2v[:, None]
    dl_dyhat = 2 * (y_hat_i - yi).T                         # (1, K)
    dyhat_dz3 = torch.eye(5, dtype=torch.float64)           # (K, K)
    dz2_dz1 = torch.diag((z1v[:, 0] > 0).double())          # (m, m)
    dl_dz3 = dl_dyhat @ dyhat_dz3                           # (1, K)
    dl_dz1 = dl_dz3 @ W2v @ dz2_dz1                         # (1, m)
    numerator = {"dJdW2": z2v @ dl_dz3, "dJdb2": dl_dz3, "dJdW1": xi @ dl_dz1, "dJdb1": dl_dz1}
    for key, value in numerator.items():                    # torch's layout: the transpose
        total[key] += value.T.reshape(total[key].shape) / y.numel()
for key in total:
    assert torch.allclose(total[key], net.grads[key], rtol=1e-12, atol=1e-14), key
print("sum over samples of (dl/dtheta)^T / (N K) == MLP.grads, for all four")

# %% tags=["hide-input"]
ones_x = torch.ones(m, 1, dtype=torch.float64) @ x_.T       # the squashed 1_m x^T, (m, n)
squashed = dl_dz1_ @ ones_x                                 # (1, n)
assert torch.allclose(squashed, dl_dW1_.sum(1, keepdim=True).T, rtol=1e-14)
display(HTML(mistake(
    r"$\frac{\partial z_1}{\partial W^{(1)}}$ squashed to a matrix",
    r"\frac{\partial \ell}{\partial W^{(1)}} \overset{?}{=} \frac{\partial \ell}{\partial z_1}"
    r"\left(\ones_m x\T\right) \quad (1 \times m)(m \times n) = (1 \times n)",
    [r"$\frac{\partial z_1}{\partial W^{(1)}}$ has three indices, $\frac{\partial z_{1,i}}"
     r"{\partial W^{(1)}_{jk}} = [i = j]\, x_k$: it is no matrix. Squashed to the "
     r"$m \times n$ matrix $\ones_m x\T$ (every row $x\T$), the product is one row: the "
     r"**row sums** of the true $\frac{\partial \ell}{\partial W^{(1)}}$ ($n \times m$), laid "
     r"flat. For this build's sample,",
     f"$$\\frac{{\\partial \\ell}}{{\\partial z_1}} \\left(\\ones_m x\\T\\right) = "
     f"{numbers(squashed)} = \\Big(\\frac{{\\partial \\ell}}{{\\partial W^{{(1)}}}} "
     f"\\ones_m\\Big)\\T,$$",
     f"$$\\frac{{\\partial \\ell}}{{\\partial W^{{(1)}}}} = {numbers(dl_dW1_)}.$$",
     r"The entry-wise derivative above is what the answer's outer product "
     r"$x \frac{\partial \ell}{\partial z_1}$ collects."],
    f"In code this is a `dJdW1` of the wrong shape, which the checker reports beside torch's "
    f"shape ([what the checker says]({CHECKER}#dz1dw1-squashed-to-a-matrix))."
)))

# %% tags=["hide-input"]
# The eight ways to put z_2 (or its transpose) beside u = dl/dz3 (or its transpose), at m != K.
u_ = dl_dyhat_                                              # g = id: dl/dz3 = dl/dyhat, (1, K)
factors = {"z_2": z2_, r"z_2\T": z2_.T, r"\tfrac{\partial \ell}{\partial z_3}": u_,
           r"\big(\tfrac{\partial \ell}{\partial z_3}\big)\T": u_.T}
right, gradient_form, no_product = [], [], []
for a_name, a in list(factors.items())[:2]:
    for b_name, b in list(factors.items())[2:]:
        for left, right_factor in (((a_name, a), (b_name, b)), ((b_name, b), (a_name, a))):
            name = f"{left[0]} {right_factor[0]}"
            if left[1].shape[1] != right_factor[1].shape[0]:
                no_product.append(name)
            elif torch.equal(left[1] @ right_factor[1], dl_dW2_):
                right.append(name)
            elif torch.equal(left[1] @ right_factor[1], dl_dW2_.T):
                gradient_form.append(name)
            else:
                raise AssertionError(f"{name} multiplies to something else")
# Exact: outer products, one multiplication per entry, so no summation order to differ.
assert len(right) == len(gradient_form) == 1 and len(no_product) == 6
display(HTML(mistake(
    "the transpose left out",
    r"\frac{\partial \ell}{\partial W^{(2)}} \overset{?}{=} "
    + gradient_form[0] + r" \quad (K \times m)",
    [f"Right in one layout, wrong in the other. In numerator layout, which the homework asks "
     f"for, $\\frac{{\\partial \\ell}}{{\\partial W^{{(2)}}}} = {right[0]}$ is $m \\times K$; "
     f"its transpose ${gradient_form[0]}$ is $\\nabla_{{W^{{(2)}}}} \\ell$, $K \\times m$ like "
     f"$W^{{(2)}}$, what `W2.grad` holds. Handed in as the answer to 1.1.c it counts as "
     f"wrong, as a missing transpose does.",
     "Wrong in both layouts: the other six ways to multiply the two factors, "
     + ", ".join(f"${p}$" for p in no_product)
     + f", which do not multiply at all when $m \\ne K$ (here $m = {m}$, $K = {K}$). With "
     "$m = K$ two of them, the inner products, do multiply, to one number: only the shape "
     "check of different sizes catches that."],
    f"The checker reports \"dJdW2 is transposed\" ([what the checker "
    f"says]({CHECKER}#the-transpose-left-out))."
)))

# %% tags=["hide-input"] context="batch"
N_batch = x.shape[0]
Delta3 = dJdy_hat                                  # g = id: Delta_3 = dJ/dY_hat, (N, K)
averaged, summed = Delta3.mean(0), Delta3.sum(0)
assert torch.allclose(summed, net.grads["dJdb2"], rtol=1e-14)
display(HTML(mistake(
    "the bias gradient averaged over the batch",
    r"\nabla_{b^{(2)}} J \overset{?}{=} \tfrac{1}{N} \Delta_3\T \ones_N",
    [f"$J$'s mean over the batch is already inside $\\Delta_3$; averaging again divides "
     f"$\\nabla_{{b^{{(2)}}}} J$ by $N$ = {N_batch} a second time, while "
     f"$\\nabla_{{W^{{(2)}}}} J = \\Delta_3\\T Z_2$ keeps the sum. For the batch above, "
     f"averaged and right:",
     f"$$\\text{{averaged: }} {numbers(averaged[None])},$$",
     f"$$\\text{{right: }} {numbers(summed[None])}.$$"],
    f"The checker reports \"only the bias gradients are wrong\" and the factor 1/N ([what "
    f"the checker says]({CHECKER}#the-bias-gradient-averaged-over-the-batch))."
)))

# %% [markdown]
# ## 1.1.d (PDF 1.2(d)) The elements of the three Jacobians
#
# > Show the elements of $\frac{\partial z_2}{\partial z_1}$, $\frac{\partial \hat y}{\partial
# > z_3}$ and $\frac{\partial \ell}{\partial \hat y}$. Be careful about dimensionality.

# %% tags=["remove-input"]
display(HTML(answer_check.boxes("dl_dyhat", "dz2_dz1", "dyhat_dz3")))

# %% tags=["remove-input"]
# The elements, by Matrix.jacobian in free symbols z_1, z_3, y_hat, each against the closed form.
z1s, z3s = matrix("z_{1}", m, 1, vector=True), matrix("z_{3}", K, 1, vector=True)
y_hat_s = matrix(r"\hat{y}", K, 1, vector=True)
loss = SYMBOLIC_LOSSES[LOSS]
elements = {
    jac["dz2dz1"].lhs: (SYMBOLIC[F](z1s).jacobian(z1s), SYMBOLIC[F].jacobian(z1s)),
    jac["dy_hatdz3"].lhs: (SYMBOLIC[G](z3s).jacobian(z3s), SYMBOLIC[G].jacobian(z3s)),
    r"\frac{\partial \ell}{\partial \hat{y}}": (
        sp.Matrix([loss.per_sample(y_hat_s, sym["y"])]).jacobian(y_hat_s),
        loss.per_sample_gradient(y_hat_s, sym["y"])),
}
for by_jacobian, closed_form in elements.values():
    assert sp.simplify(by_jacobian - closed_form) == sp.zeros(*closed_form.shape)
for claim in jac.values():
    holds(claim)
relu_prime = apply_tex(SYMBOLIC[F].tex, r"z_{1,i}", prime=True)
display(HTML(answer("1.1.d (PDF 1.2(d))", [
    r"$f$ and $g$ act entry by entry, so their Jacobians are diagonal; the loss is a scalar, so "
    r"its derivative is a row:",
    *shown(jac, ["dz2dz1", "dy_hatdz3"]),
    f"$${jac['dldy_hat'].lhs} = {tex(jac['dldy_hat'].formula)}, \\quad k = 1, \\dots, K$$",
    r"the entries of the row $\frac{\partial \ell}{\partial \hat y}$ ($1 \times K$),",
    f"with ${relu_prime} = 1$ where $z_{{1,i}} > 0$ and $0$ elsewhere, 0 at 0 too "
    f"(torch's convention, see [Activations](activations.py)). Element by element, at "
    f"$m = {m}$ and $K = {K}$:",
    *[f"$${lhs} = {tex(by_jacobian)}$$" for lhs, (by_jacobian, _) in elements.items()],
])))

# %% [markdown]
# **The derivation.** The elements come from `Matrix.jacobian` of $f(z_1)$, $g(z_3)$ and
# $\ell$ by their arguments, each held against the closed form in the cell above; the cell
# below checks each closed form against the Jacobian at the forward pass's values:

# %%
for claim in jac.values():
    holds(claim)
assert jac["dy_hatdz3"].derived == sp.eye(K) and jac["dz2dz1"].derived.is_diagonal()

# %% tags=["hide-input"]
as_vector = dl_dyhat_ @ W2_ @ (z1_ > 0).double()             # f'(z_1) as an (m, 1) column
assert as_vector.shape == (1, 1) and torch.allclose(as_vector, dl_dz1_.sum(1, keepdim=True))
display(HTML(mistake(
    r"$\frac{\partial z_2}{\partial z_1}$ as a vector",
    r"\frac{\partial \ell}{\partial z_1} \overset{?}{=} \frac{\partial \ell}{\partial \hat y}"
    r"\frac{\partial \hat y}{\partial z_3} W^{(2)} f'(z_1) \quad (1 \times m)(m \times 1) = "
    r"(1 \times 1)",
    [r"$f'(z_1)$ is the diagonal of $\frac{\partial z_2}{\partial z_1}$, not the matrix. As a "
     r"column it turns the row $\frac{\partial \ell}{\partial z_1}$ into one number, the sum "
     f"of its entries: here {as_vector.item():.4f}, where the row is "
     f"${numbers(dl_dz1_)}$. Multiply entry by entry ($\\had$), or by $\\diag(f'(z_1))$."],
    f"In code the gradients below $f$ come out of the wrong shape, which the checker reports "
    f"beside torch's ([what the checker says]({CHECKER}#dz2dz1-as-a-vector))."
)))
display(HTML(mistake(
    r"$\frac{\partial \ell}{\partial \hat y}$ without the 2",
    r"\frac{\partial \ell}{\partial \hat y} \overset{?}{=} (\hat y - y)\T",
    [r"The derivative of the lecture's $\tfrac12 \lVert \hat y - y \rVert^2$, not of the "
     r"homework's loss: every gradient comes out half of the right one, "
     f"${numbers((y_hat_ - y_).T)}$ where the answer gives ${numbers(dl_dyhat_)}$."],
    f"The checker reports \"dJdy_hat is half of torch's\" and that \"a 2 is missing\" "
    f"([what the checker says]({CHECKER}#dldy-without-the-2))."
)))

# %% [markdown] mistake=true
# **The ReLU's derivative taken at its output** happens to be harmless: $(z)^+ > 0$ exactly
# where $z > 0$, so the derivative at $z_2$ equals the derivative at $z_1$ entry by entry. The
# same slip with a sigmoid is wrong, see [1.2.a](homework_1_2.py#12a-pdf-13a-sigmoid-activations-same-squared-error).

# %%
assert torch.equal((z2_ > 0), (z1_ > 0))

# %% [markdown]
# ## A worked example, by hand
#
# One sample small enough to follow with pencil and paper: $n = 2$ inputs, $m = 3$ hidden units,
# $K = 2$ outputs, the network of 1.1, and integers chosen so that the first hidden unit is off.
# The graph below shows every forward value (upright) and every backward quantity (in italics,
# in the link colour) at its node. `[1 −1; 2 0]` is a matrix written row by row, `[1; 2]` a
# column and `[0 6 −4]` a row; each derivative of $\ell$ is in numerator layout, so
# $\frac{\partial \ell}{\partial z_1}$ is a row and $\frac{\partial \ell}{\partial W^{(1)}}$ is
# $n \times m$.

# %% tags=["remove-input"]
values = worked.example()
off_units = worked.hidden_unit_off(values)
assert off_units == [1]
ALT = ("Computational graph of the worked example: x goes through Linear 1, the ReLU, Linear 2, "
       "the identity and the squared error to the loss; beside each node its forward value and "
       "its derivative of the loss in numerator layout, beside each layer its parameters, their "
       "gradients, and the local Jacobian.")
display(HTML(graph.svg(values, ALT)))


# %% tags=["remove-input"]
def eq(name, key):
    value = values[key]
    return f"{name} = {tex(value)}"


display(HTML(box("example", "Every value of the example", [
    r"**Forward**, input to loss:",
    *[f"$${line}$$" for line in (
        eq("x", "x") + r", \quad " + eq("y", "y"),
        eq("W^{(1)}", "W1") + r", \quad " + eq("b^{(1)}", "b1"),
        eq("z_1 = W^{(1)} x + b^{(1)}", "z1"),
        eq("z_2 = (z_1)^+", "z2"),
        eq("W^{(2)}", "W2") + r", \quad " + eq("b^{(2)}", "b2"),
        eq("z_3 = W^{(2)} z_2 + b^{(2)}", "z3"),
        eq(r"\hat y = z_3", "y_hat"),
        rf"\ell = \lVert \hat y - y \rVert^2 = {values['l']}")],
    f"Unit {off_units[0]} of $z_1$ is negative, so the ReLU sends 0 on, and its derivative "
    "there is 0.",
    r"**Backward**, loss to input, each derivative of $\ell$ a row, or by a matrix the "
    r"transpose of its shape:",
    *[f"$${line}$$" for line in (
        eq(r"\frac{\partial \ell}{\partial \hat y} = 2 (\hat y - y)\T", "dl_dyhat"),
        eq(r"\frac{\partial \hat y}{\partial z_3}", "dyhat_dz3"),
        eq(r"\frac{\partial \ell}{\partial z_3} = \frac{\partial \ell}{\partial \hat y}"
           r"\frac{\partial \hat y}{\partial z_3}", "dl_dz3"),
        eq(r"\frac{\partial \ell}{\partial W^{(2)}} = z_2 \frac{\partial \ell}{\partial z_3}",
           "dl_dW2"),
        eq(r"\frac{\partial \ell}{\partial b^{(2)}} = \frac{\partial \ell}{\partial z_3}",
           "dl_db2"),
        eq(r"\frac{\partial \ell}{\partial z_2} = \frac{\partial \ell}{\partial z_3} W^{(2)}",
           "dl_dz2"),
        eq(r"\frac{\partial z_2}{\partial z_1}", "dz2_dz1"),
        eq(r"\frac{\partial \ell}{\partial z_1} = \frac{\partial \ell}{\partial z_2}"
           r"\frac{\partial z_2}{\partial z_1}", "dl_dz1"),
        eq(r"\frac{\partial \ell}{\partial W^{(1)}} = x \frac{\partial \ell}{\partial z_1}",
           "dl_dW1"),
        eq(r"\frac{\partial \ell}{\partial b^{(1)}} = \frac{\partial \ell}{\partial z_1}",
           "dl_db1"))],
    r"The first column of $\frac{\partial \ell}{\partial W^{(1)}}$ is 0: the unit that is off "
    r"passes no gradient to its weights. `W1.grad` would hold the transpose, and `mlp`'s "
    r"`dJdW1` the transpose divided by $K = 2$, since torch's mean divides by $N K$.",
])))

# %% [markdown]
# The numbers above are SymPy's, exact. The cell below runs the same sample through `MLP`
# (float64, a batch of one) and through autograd, with every intermediate's gradient kept, and
# asserts that each gives the same numbers: `MLP`'s gradients times $K$, transposed, and
# autograd's `.grad` of each node, transposed.

# %%
def tensor(key):
    return torch.tensor([[float(v) for v in values[key].row(i)]
                         for i in range(values[key].rows)], dtype=torch.float64)


small = MLP(2, 3, F, 3, 2, G, dtype=torch.float64)
for p in network.PARAMETERS:
    small.parameters[p].copy_(tensor(p).reshape(small.parameters[p].shape))
X1, Y1 = tensor("x").T, tensor("y").T                                # a batch of one row
J1, dJdy_hat1 = mse_loss(Y1, small.forward(X1))
small.backward(dJdy_hat1)
assert torch.equal(small.cache["z1"], tensor("z1").T) and torch.equal(small.cache["z3"],
                                                                       tensor("z3").T)
K_example = values["y"].rows                                         # l = K J for one sample
assert J1.item() * K_example == int(values["l"])
for p in network.PARAMETERS:
    expected = tensor(f"dl_d{p}").T.reshape(small.grads[f"dJd{p}"].shape)
    assert torch.equal(small.grads[f"dJd{p}"] * K_example, expected), p

leaf = {p: tensor(p).requires_grad_() for p in network.PARAMETERS}
z1 = leaf["W1"] @ tensor("x") + leaf["b1"]
z2 = torch.relu(z1)
z3 = leaf["W2"] @ z2 + leaf["b2"]
for node in (z1, z2, z3):
    node.retain_grad()
loss_auto = ((z3 - tensor("y")) ** 2).sum()
loss_auto.backward()
assert loss_auto.item() == int(values["l"])
for name, t in (("dl_dz1", z1), ("dl_dz2", z2), ("dl_dz3", z3)):
    assert torch.equal(t.grad.T, tensor(name)), name
for p in network.PARAMETERS:
    assert torch.equal(leaf[p].grad.T, tensor(f"dl_d{p}")), p
print("SymPy, MLP (x K, transposed) and autograd (transposed) agree on every value, exactly")
