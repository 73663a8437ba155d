# %% [markdown]
# # 1.1 Regression: $f = (\cdot)^+$, $g = \operatorname{id}$, squared error
#
# One sample $(x, y)$ in the homework's notation: column vectors, $z_1, z_2, z_3$ for the
# outputs of Linear$_1$, $f$ and Linear$_2$, the loss $\ell = \lVert \hat y - y \rVert^2$, and
# the [layout of the home page](../index.md#layout): $\frac{\partial \ell}{\partial \hat y}$ is
# a row, a gradient $\nabla_\theta \ell$ has the shape of $\theta$.
#
# Each question opens with its answer. The formulas in the boxes of 1.1.b to 1.1.d are printed
# by `derivations` (SymPy) and checked in the cell that prints them against SymPy's `diff` of
# $\ell$, entry by entry, in exact arithmetic, at $n = 3$ inputs, $m = 4$ hidden units and
# $K = 5$ outputs, sizes that differ so that a shape tells a matrix from its transpose. The same
# chain rule for a batch, one sample being the case $N = 1$, is proven for every size on
# [The whole network](network.py#every-size-at-once). The words of 1.1.a are written by hand.

# %% tags=["remove-cell"]
import sympy as sp
import torch
from IPython.display import HTML, Math, display

from derivations import boxes, layers, network, sample
from derivations.activations import ACTIVATIONS as SYMBOLIC
from derivations.boxes import answer, checked, mistake
from derivations.exact import rational_point
from derivations.latex import matrix, shape_tex, tex
from derivations.losses import LOSSES as SYMBOLIC_LOSSES
from mlp import MLP, mse_loss, train

F, G, LOSS = "relu", "identity", "mse"
sym = sample.symbols(n_in=3, n_hidden=4, n_out=5)
(m, n), K = sym["W1"].shape, sym["W2"].rows
POINTS = [rational_point(sym, seed) for seed in range(3)]
CHECKER = "check_your_homework.py"


def holds(claim, points=POINTS):
    """Fail the build unless the claim holds, exactly, at every point."""
    assert all(claim.holds(at=p) for p in points), f"{claim.name} no longer holds"


def shown(claims, names):
    """The claims' formulas with their shapes for an answer box, each one checked first."""
    return checked(claims, names, POINTS)


def numbers(t):
    """A tensor as a LaTeX matrix, 3 significant digits."""
    return boxes.numbers(t.tolist())


# One sample in numbers, float64, for the common mistakes.
gen = torch.Generator().manual_seed(0)
x_, y_, W1_, b1_, W2_, b2_ = (torch.randn(*shape, generator=gen, dtype=torch.float64)
                              for shape in ((n, 1), (K, 1), (m, n), (m, 1), (K, m), (K, 1)))
z1_ = W1_ @ x_ + b1_
z2_ = torch.relu(z1_)
y_hat_ = W2_ @ z2_ + b2_
dl_dyhat_ = 2 * (y_hat_ - y_).T                      # (1, K)
dl_dz1_ = dl_dyhat_ @ W2_ @ torch.diag((z1_[:, 0] > 0).double())   # (1, m)
grad_W1_, grad_W2_ = dl_dz1_.T @ x_.T, dl_dyhat_.T @ z2_.T
# The true gradients, by autograd, for the references below.
leaves = [t.clone().requires_grad_() for t in (W1_, b1_, W2_, b2_)]
ell = ((leaves[2] @ torch.relu(leaves[0] @ x_ + leaves[1]) + leaves[3] - y_) ** 2).sum()
auto_W1, _, auto_W2, _ = torch.autograd.grad(ell, leaves)
assert torch.allclose(grad_W1_, auto_W1, rtol=1e-14) and torch.allclose(grad_W2_, auto_W2,
                                                                        rtol=1e-14)

# %% [markdown]
# ## 1.1.a The five steps of one SGD step

# %% tags=["remove-input"] context="bridge"
display(HTML(answer("1.1.a", [
    r"For a batch $(x, y)$, a learning rate $\eta$, and $\theta$ each of $W^{(1)}, b^{(1)}, "
    r"W^{(2)}, b^{(2)}$:",
    [r"**Forward**: $\hat y = g\big(W^{(2)} f(W^{(1)} x + b^{(1)}) + b^{(2)}\big)$ for every "
     r"sample (`y_hat = model(x)`).",
     r"**Loss**: $J$, torch's `F.mse_loss(y_hat, y)`, the mean of the squared errors over "
     r"all $N K$ entries: the per-sample losses $\ell$, summed over the batch, over $NK$.",
     r"**Zero the gradients**: $\nabla_\theta J \leftarrow 0$, since torch adds into "
     r"`.grad` (`optimizer.zero_grad()`).",
     r"**Backward**: the chain rule from $J$ back to every $\nabla_\theta J$ "
     r"(`J.backward()`).",
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
    r"\nabla_\theta \leftarrow \nabla_\theta + \frac{\partial J_2}{\partial \theta}"
    r"\quad\text{(step 3 left out)}",
    [f"The second step's `W1.grad` then holds the first step's gradient as well: here it is "
     f"off from the second step's own gradient by {off:.0%} of that gradient's norm, and SGD "
     "steps along the sum of every gradient so far."],
    f"The checker notes a `clear_grad_and_cache` that leaves your gradients growing, and "
    f"gradients that are assigned where torch adds into `.grad` ([what the checker "
    f"says]({CHECKER}#no-zero_grad-between-steps))."
)))

# %% [markdown]
# ## 1.1.b The forward pass, layer by layer

# %% tags=["remove-input"]
display(HTML(answer("1.1.b", [
    r"For one data point $(x, y)$, each layer's input is the output of the layer before it, "
    r"and each output in $x, y, W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$ only:",
    f"$${layers.latex(F, G, LOSS, sym)}$$",
])))

# %% [markdown]
# Each output in the box is a SymPy matrix expression. The cell evaluates each one at symbolic
# $x, W^{(i)}, b^{(i)}$ and compares it, entry by entry, with the forward pass of
# `derivations.sample`; the loss row writes the squared error around the printed $\hat y$.

# %%
assert layers.check(F, G, LOSS, sym)

# %% [markdown] context="bridge"
# With a batch the code stacks the $N$ samples as rows, $x$ is $N \times n$, and the same layers
# read $s_1 = x {W^{(1)}}\T + \ones {b^{(1)}}\T$, $z_1 = f(s_1)$,
# $s_2 = z_1 {W^{(2)}}\T + \ones {b^{(2)}}\T$, $\hat y = g(s_2)$: the homework's $z_1, z_2,
# z_3$ are the code's $s_1, z_1, s_2$, each sample a row instead of a column.

# %% tags=["hide-input"]
swapped = torch.relu(W2_ @ (W1_ @ x_ + b1_) + b2_)
assert (swapped >= 0).all() and (y_hat_ < 0).any()
display(HTML(mistake(
    "f and g swapped",
    r"\hat y = \left(W^{(2)} \left(W^{(1)} x + b^{(1)}\right) + b^{(2)}\right)^+",
    [r"A ReLU at the output, none inside: no $\hat y$ can be negative. For this build's "
     r"sample, $\hat y\T$ and the swapped network's output are",
     f"$${numbers(y_hat_.T)}, \\qquad {numbers(swapped.T)}.$$"],
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
# ## 1.1.c The gradients of the backward pass

# %% tags=["remove-input"]
grads = sample.gradients(F, G, LOSS, sym)
display(HTML(answer("1.1.c", [
    r"In $x, y, W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}$ and the three Jacobians "
    r"$\frac{\partial \ell}{\partial \hat y}$ ($1 \times K$), "
    r"$\frac{\partial \hat y}{\partial z_3}$ ($K \times K$) and "
    r"$\frac{\partial z_2}{\partial z_1}$ ($m \times m$), each gradient with the shape of its "
    r"parameter:",
    *shown(grads, ["dldW2", "dldb2", "dldW1", "dldb1"]),
    r"The shapes are printed at $n = 3$, $m = 4$, $K = 5$: $\nabla_{W^{(2)}} \ell$ is "
    r"$K \times m$, $\nabla_{b^{(2)}} \ell$ is $K \times 1$, $\nabla_{W^{(1)}} \ell$ is "
    r"$m \times n$, $\nabla_{b^{(1)}} \ell$ is $m \times 1$.",
])))

# %% [markdown]
# **The derivation.** $z_3 = W^{(2)} z_2 + b^{(2)}$ gives $\frac{\partial z_{3,k}}{\partial
# W^{(2)}_{kj}} = z_{2,j}$ and $\frac{\partial z_{3,k}}{\partial b^{(2)}_k} = 1$, so entry
# $(k, j)$ of $\nabla_{W^{(2)}} \ell$ is $\frac{\partial \ell}{\partial z_{3,k}} z_{2,j}$: the
# outer product of the column $\big(\frac{\partial \ell}{\partial \hat y}\frac{\partial \hat
# y}{\partial z_3}\big)\T$ with the row $z_2\T$, and $z_2 = (W^{(1)} x + b^{(1)})^+$ by 1.1.b.
# One layer down, $\frac{\partial \ell}{\partial z_1} = \frac{\partial \ell}{\partial \hat y}
# \frac{\partial \hat y}{\partial z_3} W^{(2)} \frac{\partial z_2}{\partial z_1}$ ($1 \times m$)
# and $z_1 = W^{(1)} x + b^{(1)}$ give the same outer product with $x\T$. The cell holds each
# formula against `diff` of $\ell$ by every entry of the parameter, at three exact points, and
# prints both for $\nabla_{b^{(2)}} \ell$ at the first:

# %%
for claim in grads.values():
    holds(claim)
claim, point = grads["dldb2"], POINTS[0]
by_formula, by_diff = claim.closed_form.xreplace(point), claim.derived.xreplace(point)
assert by_formula == by_diff
print("by the formula:", list(by_formula))
print("by diff:       ", list(by_diff))

# %% [markdown] context="bridge"
# **For a batch**, as `MLP.backward` computes it into `dJdW1`, `dJdb1`, `dJdW2` and `dJdb2`, the
# four gradients in the shapes of the box: the rows of $\delta_2 = \nabla_{s_2} J$ are
# the samples' rows $\frac{\partial \ell}{\partial \hat y}\frac{\partial \hat y}{\partial z_3}$
# scaled by torch's $\frac{1}{NK}$, so each product $\delta\T(\cdot)$ sums the samples'
# gradients. Printed at $N = 2$, each step checked against `diff` of $J$:

# %%
net_sym = network.symbols(**network.DEFAULT_SIZE)
net_points = [rational_point(net_sym, seed) for seed in range(2)]
for claim in network.identities(F, G, LOSS, net_sym).values():
    holds(claim, net_points)
    display(Math(claim.latex()))

# %% [markdown] context="bridge"
# The same in numbers: the per-sample formulas of the box, transcribed to torch, summed over a
# batch and divided by $N K$ (torch's mean over $N K$ entries against the homework's sum over
# $K$), give `MLP`'s gradients.

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
    y_hat_i = W2v @ torch.relu(z1v) + b2v[:, None]
    dl_dyhat = 2 * (y_hat_i - yi).T                         # (1, K)
    dyhat_dz3 = torch.eye(5, dtype=torch.float64)           # (K, K)
    dz2_dz1 = torch.diag((z1v[:, 0] > 0).double())          # (m, m)
    up3 = dl_dyhat @ dyhat_dz3
    up1 = up3 @ W2v @ dz2_dz1
    for key, value in (("dJdW2", up3.T @ torch.relu(W1v @ xi + b1v[:, None]).T),
                       ("dJdb2", up3.T[:, 0]), ("dJdW1", up1.T @ xi.T), ("dJdb1", up1.T[:, 0])):
        total[key] += value / y.numel()
for key in total:
    assert torch.allclose(total[key], net.grads[key], rtol=1e-12, atol=1e-14), key
print("sum over samples of the per-sample gradients / (N K) == MLP.grads, for all four")

# %% tags=["hide-input"]
ones_x = torch.ones(m, 1, dtype=torch.float64) @ x_.T       # the squashed "I x^T", (m, n)
squashed = dl_dz1_ @ ones_x                                 # (1, n)
assert torch.allclose(squashed, grad_W1_.sum(0, keepdim=True), rtol=1e-14)
display(HTML(mistake(
    r"$\frac{\partial z_1}{\partial W^{(1)}}$ squashed to $I x\T$",
    r"\nabla_{W^{(1)}} \ell \overset{?}{=} \frac{\partial \ell}{\partial z_1} \left(\ones x\T"
    r"\right) \quad (1 \times m)(m \times n) = (1 \times n)",
    [r"$\frac{\partial z_1}{\partial W^{(1)}}$ has three indices, $\frac{\partial z_{1,i}}"
     r"{\partial W^{(1)}_{jk}} = [i = j]\, x_k$: it is no matrix. Written as the $m \times n$ "
     r"matrix $I x\T$ read as $\ones x\T$ (every row $x\T$), the product is one row: the "
     r"**column sums** of the true gradient. For this build's sample,",
     f"$$\\frac{{\\partial \\ell}}{{\\partial z_1}} \\left(\\ones x\\T\\right) = "
     f"{numbers(squashed)} = \\ones\\T \\nabla_{{W^{{(1)}}}} \\ell, \\qquad "
     f"\\nabla_{{W^{{(1)}}}} \\ell = {numbers(grad_W1_)}.$$",
     r"The entry-wise derivative above is what the answer's outer product "
     r"$\left(\frac{\partial \ell}{\partial z_1}\right)\T x\T$ collects."],
    f"In code this is a `dJdW1` of the wrong shape, which the checker reports beside torch's "
    f"shape ([what the checker says]({CHECKER}#dz1dw1-squashed-to-a-matrix))."
)))
wrong_W2 = z2_ @ dl_dyhat_                                  # (m, K)
# Exact: both are outer products, one multiplication per entry, so no summation order.
assert wrong_W2.shape == (m, K) and torch.equal(wrong_W2, grad_W2_.T)
display(HTML(mistake(
    "the transpose left out",
    r"\nabla_{W^{(2)}} \ell \overset{?}{=} z_2 \frac{\partial \ell}{\partial \hat y} "
    r"\frac{\partial \hat y}{\partial z_3} \quad (m \times 1)(1 \times K) = (m \times K)",
    [f"The entries are right and the shape is not: ${m} \\times {K}$ where $W^{{(2)}}$ is "
     f"${K} \\times {m}$, the transpose of the answer. With $m = K$ the shapes would agree and "
     "only the numbers would say it; this page's sizes differ, so the shape does."],
    f"The checker reports \"dJdW2 is transposed\" ([what the checker "
    f"says]({CHECKER}#the-transpose-left-out))."
)))

# %% tags=["hide-input"] context="batch"
N_batch = x.shape[0]
delta2 = dJdy_hat                                  # g = id: delta_2 = dJ/dy_hat, (N, K)
averaged, summed = delta2.mean(0), delta2.sum(0)
assert torch.allclose(summed, net.grads["dJdb2"], rtol=1e-14)
display(HTML(mistake(
    "the bias gradient averaged over the batch",
    r"\nabla_{b^{(2)}} J \overset{?}{=} \tfrac{1}{N} \delta_2\T \ones",
    [f"$J$'s mean over the batch is already inside $\\delta_2$; averaging again divides "
     f"$\\nabla_b J$ by $N$ = {N_batch} a second time, while $\\nabla_W J = \\delta\\T x$ "
     f"keeps the sum. For the batch above, averaged and right:",
     f"$${numbers(averaged[None])}, \\qquad {numbers(summed[None])}.$$"],
    f"The checker reports \"only the bias gradients are wrong\" and the factor 1/N ([what "
    f"the checker says]({CHECKER}#the-bias-gradient-averaged-over-the-batch))."
)))

# %% [markdown]
# ## 1.1.d The elements of the three Jacobians

# %% tags=["remove-input"]
jac = sample.jacobians(F, G, LOSS, sym)
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
display(HTML(answer("1.1.d", [
    r"$f$ and $g$ act entry by entry, so their Jacobians are diagonal; the loss is a scalar, so "
    r"its derivative is a row:",
    *shown(jac, ["dz2dz1", "dy_hatdz3", "dldy_hat"]),
    r"with $\operatorname{ReLU}'(z_{1,i}) = 1$ where $z_{1,i} > 0$ and $0$ elsewhere, 0 at 0 "
    r"too (torch's convention, see [Activations](activations.py)). Element by element, "
    r"at $m = 4$ and $K = 5$:",
    *[f"$${lhs} = {tex(by_jacobian)} \\quad {shape_tex(by_jacobian.shape)}$$"
      for lhs, (by_jacobian, _) in elements.items()],
])))

# %% [markdown]
# The elements come from `Matrix.jacobian` of $f(z_1)$, $g(z_3)$ and $\ell$ by their arguments,
# each held against the closed form in the cell above; the cell below checks each closed form
# against the Jacobian at the forward pass's values, at three exact points.

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
# **ReLU's derivative at its output** happens to be harmless: $\operatorname{ReLU}(z) > 0$
# exactly where $z > 0$, so $\operatorname{ReLU}'(z_2) = \operatorname{ReLU}'(z_1)$ entry by
# entry. The same slip with a sigmoid is wrong, see
# [1.2.a](homework_1_2.py#12a-sigmoid-activations-same-squared-error).

# %%
assert torch.equal((z2_ > 0), (z1_ > 0))
