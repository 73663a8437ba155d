# %% [markdown]
# # 1.2 Classification: $f = g = \sigma$, then binary cross-entropy, then $f = (\cdot)^+$
#
# The notation, the layout and the sizes of [1.1](homework_1_1.py): one sample, column vectors,
# the homework's $z_1, z_2, z_3$, derivatives in numerator layout. Where 1.2.a and 1.2.b say
# "(b)", "(c)" and "(d)", they mean 1.1.b, 1.1.c and 1.1.d, the parts the question asks to
# revisit. Each heading also carries the course PDF's number: its 1.1 only defines the network,
# so this page's 1.2.a to 1.2.c are the PDF's 1.3(a) to 1.3(c).

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import HTML, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

from derivations import layers, sample
from derivations import losses as symbolic_losses
from derivations.activations import ACTIVATIONS as SYMBOLIC
from derivations.activations import apply_tex, derivative_identity, u
from derivations.exact import is_zero, rational_point
from derivations.identity import evaluate
from derivations.latex import display as display_symbol
from derivations.latex import matrix, tex
from mlp import ACTIVATIONS, MLP, bce_loss
from mlp.losses import GRAD_EPS, LOG_FLOOR
from pages import answer_check
from pages.boxes import answer, how_checked, mistake
from pages.boxes import numbers as numbers_tex

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10, "figure.figsize": (6.4, 3.6)})
torch.manual_seed(0)  # the same numbers at every build
sym = sample.symbols(n_in=3, n_hidden=4, n_out=5)
(m, n), K = sym["W1"].shape, sym["W2"].rows
POINTS = [rational_point(sym, seed) for seed in range(2)]
CHECKER = "check_your_homework.py"
ORDER = ["dl_dW1", "dl_db1", "dl_dW2", "dl_db2"]


def shown(claims, names):
    """The claims' formulas for an answer box, shapes in the widths' letters; each held at the
    points first, the exponentials left as unknowns set at random (seed 1)."""
    for name in names:
        assert all(claims[name].holds(at=p, seed=1) for p in POINTS), name
    return [f"$${sample.boxed(claims[name], sym)}$$" for name in names]


def numbers(t):
    return numbers_tex(t.tolist())


# One sample in numbers, float64, for the common mistakes.
gen = torch.Generator().manual_seed(0)
x_, W1_, b1_, W2_, b2_ = (torch.randn(*shape, generator=gen, dtype=torch.float64)
                          for shape in ((n, 1), (m, n), (m, 1), (K, m), (K, 1)))
y_ = (torch.rand(K, 1, generator=gen, dtype=torch.float64) < 0.5).double()
z3_ = W2_ @ torch.sigmoid(W1_ @ x_ + b1_) + b2_
y_hat_ = torch.sigmoid(z3_)

# %% tags=["remove-input"] context="bridge"
display(HTML(how_checked([
    f"The formulas of the answer boxes of 1.2.a and 1.2.b are printed by `derivations` (SymPy) "
    f"and checked in the cell that prints them, at $n = {n}$, $m = {m}$, $K = {K}$, against "
    f"SymPy's `diff` of $\\ell$ by every entry, or `Matrix.jacobian`, at {len(POINTS)} exact "
    "rational points. The sigmoid's formulas are rational functions of exponentials; their "
    "checks treat each exponential left after substitution as an unknown and set it at "
    "random (`derivations.exact`).",
    ["**1.2.a**: the forward rows against `derivations.sample`'s forward pass; the four "
     "derivatives in numerator layout and the three Jacobians as above; the sigmoid's "
     "derivative $\\sigma' = \\sigma(1 - \\sigma)$ proven for every real argument.",
     "**1.2.b**: the loss's row and the four derivatives as above, the latter printed "
     "identically to 1.2.a's; the product that cancels multiplied out by SymPy at every entry "
     "of $z_3$. For a batch, the fused $(\\hat Y - Y)/(NK)$ holds by `diff` of $J$ for every "
     "value of $Z_3$ and $Y$ at $N = 2$, $K = 5$ (a check at one size; the $N$ and $K$ of the "
     "printed formula are symbols written in), and `mlp`'s $\\Delta_3$ equals it in float64. "
     "Torch's clamps are checked on `F.binary_cross_entropy` and `mlp.bce_loss`, and the NaN "
     "counts are run at build, seed by seed.",
     "**1.2.c**: SymPy finds the sigmoid's largest slope; the dead units are counted in a "
     "built network."],
    "Written by hand: the words of every answer, the answer to 1.2.c, and the formulas of "
    "the common-mistake boxes; the numbers in those boxes are computed at build and asserted.",
])))

# %% [markdown]
# ## 1.2.a (PDF 1.3(a)) Sigmoid activations, same squared error
#
# > You choose $f = g = \sigma$, the logistic sigmoid. To train this network with the same
# > squared-error loss, what changes in the equations of (b), (c) and (d)?

# %% tags=["remove-input"]
display(HTML(answer_check.boxes("dyhat_dz3_sigmoid", syntax=True)))

# %% tags=["remove-input"]
jac_mse = sample.jacobians("sigmoid", "sigmoid", "mse", sym)
mse = {**jac_mse, **sample.numerator_gradients("sigmoid", "sigmoid", "mse", sym, jac_mse)}
assert layers.check("sigmoid", "sigmoid", "mse", sym)
sigmoid_prime = derivative_identity("sigmoid")
assert sigmoid_prime.holds()
dldy_hat = mse["dldy_hat"]
display(HTML(answer("1.2.a (PDF 1.3(a))", [
    r"**(b) of 1.1**: every layer keeps its input; $f$ and $g$ are now $\sigma$, so $z_2$, "
    r"$z_3$ (it is computed from $z_2$), $\hat y$ and $\ell$ change:",
    f"$${layers.latex('sigmoid', 'sigmoid', 'mse', sym)}$$",
    r"**(c) of 1.1**: the four derivatives keep their form in the three Jacobians, in "
    r"numerator layout, but $z_2$ inside $\frac{\partial \ell}{\partial W^{(2)}}$ is now "
    r"$\sigma(W^{(1)} x + b^{(1)})$:",
    *shown(mse, ORDER),
    r"and, as in 1.1.c, $\nabla_\theta \ell = \big(\frac{\partial \ell}{\partial "
    r"\theta}\big)\T$ is what torch stores in `.grad`.",
    r"**(d) of 1.1**: both activation Jacobians stay diagonal, now with the sigmoid's "
    r"derivative at the pre-activations $z_1$ and $z_3$; $\frac{\partial \ell}{\partial "
    r"\hat y}$ is unchanged:",
    *shown(mse, ["dz2dz1", "dy_hatdz3"]),
    f"$${dldy_hat.lhs} = {tex(dldy_hat.formula)}, \\quad k = 1, \\dots, K$$",
    f"with, for every real $u$, $${sigmoid_prime.latex()},$$ so at $u = z_{{1,i}}$ the "
    r"derivative is $z_{2,i}(1 - z_{2,i})$, and at $u = z_{3,k}$ it is "
    r"$\hat y_k (1 - \hat y_k)$.",
])))

# %% [markdown]
# **The derivation.** The chain rule of 1.1.c does not depend on which $f$ and $g$ are used:
# only the values of the three Jacobians change. The sigmoid's derivative is proven first,
# `diff` against the closed form, for every real argument; the cell then checks the
# Jacobians of the box against `Matrix.jacobian`:

# %%
assert sigmoid_prime.holds()
display(Math(sigmoid_prime.latex()))
for name in ("dz2dz1", "dy_hatdz3", "dldy_hat"):
    assert all(mse[name].holds(at=p, seed=1) for p in POINTS), name

# %% tags=["hide-input"] mistake=true
at_output = torch.sigmoid(y_hat_) * (1 - torch.sigmoid(y_hat_))     # sigma'(y_hat)
right = y_hat_ * (1 - y_hat_)                                       # sigma'(z_3)
assert not torch.allclose(at_output, right)
display(HTML(mistake(
    "the sigmoid's derivative taken at its output",
    r"\frac{\partial \hat y}{\partial z_3} \overset{?}{=} \diag\big(\sigma(\hat y)(1 - "
    r"\sigma(\hat y))\big) = \diag\big(\sigma'(\hat y)\big)",
    [r"$\sigma'$ belongs at the pre-activation $z_3$: $\sigma'(z_3) = \hat y(1 - \hat y)$. "
     r"Taken at the output $\hat y$, it puts a sigmoid on the sigmoid. For this build's "
     r"sample, the diagonals $\sigma'(\hat y)\T$ and $\sigma'(z_3)\T$ are",
     f"$$\\sigma'(\\hat y)\\T = {numbers(at_output.T)},$$",
     f"$$\\sigma'(z_3)\\T = {numbers(right.T)}.$$",
     r"Every value of $\sigma'(\hat y)$ lies between $\sigma'(1) = 0.197$ and $\sigma'(0) = "
     r"0.25$, whatever $z_3$ is: the slip also hides saturation."],
    "The checker reports \"the gradients below g are what its derivative gives when taken at "
    f"g's output\" ([what the checker "
    f"says]({CHECKER}#the-sigmoids-derivative-taken-at-its-output))."
)))

# %% [markdown]
# ## 1.2.b (PDF 1.3(b)) Binary cross-entropy
#
# > You think a binary cross-entropy loss does better,
# > $\ell_{\text{BCE}}(\hat y, y) = \frac{1}{K} \sum_{i=1}^{K} -\big[y_i \log \hat y_i + (1 - y_i)
# > \log(1 - \hat y_i)\big]$. What changes in the equations of (b), (c) and (d)?

# %% tags=["remove-input"]
display(HTML(answer_check.boxes("dl_dyhat_bce")))

# %% tags=["remove-input"] context="bridge"
# How often an unclamped BCE gives NaN in float32, as the course's tests draw their data.
def unclamped_bce(y, y_hat):
    """The textbook BCE and its gradient, without torch's clamps."""
    J = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()
    return J, (y_hat - y) / (y_hat * (1 - y_hat)) / y.numel()


SEEDS = 300
nan_runs = {}
for f_name in ("sigmoid", "relu"):      # the course's test2 (sigmoid, sigmoid), then ReLU
    nan_runs[f_name] = 0
    for seed in range(SEEDS):
        torch.manual_seed(seed)
        course_net = MLP(2, 20, f_name, 20, 5, "sigmoid")
        xb = torch.randn(10, 2)
        yb = (torch.randn(10, 5) < 0.5) * 1.0
        Jb, dJb = unclamped_bce(yb, course_net.forward(xb))
        course_net.backward(dJb)
        nan_runs[f_name] += any(t.isnan().any() for t in (Jb, *course_net.grads.values()))
assert nan_runs["relu"] > 0          # the saturating network does reach y_hat = 1.0
torch.manual_seed(0)

# torch's clamps, as mlp.bce_loss copies them: at y_hat in {0, 1} each log is LOG_FLOOR.
edge_y, edge_y_hat = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])
assert torch.nn.functional.binary_cross_entropy(edge_y_hat, edge_y) == -LOG_FLOOR
assert bce_loss(edge_y, edge_y_hat)[0] == -LOG_FLOOR

jac_bce = sample.jacobians("sigmoid", "sigmoid", "bce", sym)
bce = {**jac_bce, **sample.numerator_gradients("sigmoid", "sigmoid", "bce", sym, jac_bce)}
y_hat_s = matrix(r"\hat{y}", K, 1, vector=True)
fused = (y_hat_s - sym["y"]).T / symbolic_losses.K
# The same product in display symbols, K a symbol, held equal to `fused` entry by entry.
shown_y_hat, shown_y = display_symbol(r"\hat{y}", K, 1), display_symbol("y", K, 1)
fused_shown = sp.MatMul(1 / symbolic_losses.K, sp.Transpose(sp.MatAdd(shown_y_hat, -shown_y)))
assert evaluate(fused_shown, {shown_y_hat: y_hat_s, shown_y: sym["y"]}) == fused
assert layers.check("sigmoid", "sigmoid", "bce", sym)
display(HTML(answer("1.2.b (PDF 1.3(b))", [
    r"**(b) of 1.1**: the layers of 1.2.a, and a new loss, the mean over the $K$ outputs:",
    rf"$$\ell = {layers.rows('sigmoid', 'sigmoid', 'bce', sym)[-1].rhs}$$",
    r"**(c) of 1.1**: the four derivatives are those of 1.2.a, formula for formula; only "
    r"$\frac{\partial \ell}{\partial \hat y}$ inside them has a new value.",
    r"**(d) of 1.1**: $\frac{\partial z_2}{\partial z_1}$ and $\frac{\partial \hat y}{\partial "
    r"z_3}$ are those of 1.2.a; $\frac{\partial \ell}{\partial \hat y}$ ($1 \times K$) is new:",
    f"$${bce['dldy_hat'].lhs} = {tex(bce['dldy_hat'].formula)}, \\quad k = 1, \\dots, K$$",
    r"and with $\frac{\partial \hat y}{\partial z_3} = \diag\big(\hat y (1 - \hat y)\big)$ the "
    r"denominator cancels:",
    rf"$$\frac{{\partial \ell}}{{\partial \hat y}}\frac{{\partial \hat y}}{{\partial z_3}} = "
    rf"{tex(fused_shown)} \quad (1 \times K)$$",
    f"**As torch computes it**: `nn.BCELoss` clamps each log at ${LOG_FLOOR:g}$, so $\\ell$ "
    f"stays finite at $\\hat y_k \\in \\{{0, 1\\}}$ (a certainly wrong entry costs "
    f"${-LOG_FLOOR:g}$), and the denominator $\\hat y_k (1 - \\hat y_k)$ of its gradient at "
    f"$10^{{-12}}$ (as float32 stores it, {GRAD_EPS!r}); `mlp.bce_loss` does the same "
    f"([Matching PyTorch](matching_pytorch.py)). Without the clamps, in float32, as the "
    f"course's tests draw weights and data ($2 \\to 20 \\to 5$, a batch of 10, seeds 0 to "
    f"{SEEDS - 1}), the loss or a gradient is NaN on {nan_runs['sigmoid']} of {SEEDS} seeds "
    f"with the course's $f = g = \\sigma$, and on {nan_runs['relu']} of {SEEDS} with "
    f"$f = (\\cdot)^+$, $g = \\sigma$, whose unbounded hidden units push $\\hat y$ to "
    f"exactly 1.0.",
])))

# %% [markdown]
# **The derivation.** The four derivatives hold with the new $\frac{\partial \ell}{\partial
# \hat y}$, each against `diff` of $\ell_{\text{BCE}}$, and print as in 1.2.a; SymPy multiplies
# out the product that cancels, at every entry, and compares it with the box's
# $\frac{1}{K}(\hat y - y)\T$:

# %%
for name, claim in bce.items():
    assert all(claim.holds(at=p, seed=1) for p in POINTS), name
    assert claim.latex() == mse[name].latex() or name == "dldy_hat"
z3s = matrix("z_{3}", K, 1, vector=True)
loss = symbolic_losses.LOSSES["bce"]
sigmoid_z3 = SYMBOLIC["sigmoid"](z3s)
upstream = loss.per_sample_gradient(sigmoid_z3, sym["y"]) * SYMBOLIC["sigmoid"].jacobian(z3s)
# the product at every entry of z_3, against the box's formula with K = 5 put in
at_z3 = {symbolic_losses.K: K, **dict(zip(y_hat_s, sigmoid_z3, strict=True))}
assert is_zero(upstream - fused.xreplace(at_z3))

# %% [markdown] context="batch"
# **For a batch** torch's BCE is the mean over all $N K$ entries, and the homework's per-sample
# $\ell_{\text{BCE}}$ already averages over the $K$ outputs, so $J = \frac{1}{N}\sum_p \ell_p$,
# sample $p$'s loss $\ell_p$: the batch scales each sample's gradient by $\frac{1}{N}$ (for
# the squared error, which sums over $K$, by $\frac{1}{NK}$). Row $p$ of the code's $\Delta_3$
# is then $\frac{1}{N}\cdot\frac{1}{K}(\hat y_p - y_p)\T$, that is
# $(\hat Y - Y)/(NK)$ entry by entry. SymPy's `diff` of $J$ by every entry of $Z_3$ gives it
# for every value at $N = 2$, $K = 5$, with $N$ and $K$ written as symbols:

# %% context="batch"
fused_batch = symbolic_losses.fused_sigmoid_bce()
assert fused_batch.holds()
display(Math(fused_batch.latex()))
net = MLP(2, 20, "sigmoid", 20, 5, "sigmoid", dtype=torch.float64)
X = torch.randn(10, 2, dtype=torch.float64)
Y = (torch.rand(10, 5, dtype=torch.float64) < 0.5).double()
Y_hat = net.forward(X)
_, dJdY_hat = bce_loss(Y, Y_hat)
Delta3 = ACTIVATIONS["sigmoid"].backward(dJdY_hat, net.cache["z3"], Y_hat)
assert torch.allclose(Delta3, (Y_hat - Y) / Y.numel(), rtol=1e-10, atol=0)
print("mlp's Delta_3 for sigmoid + BCE equals (Y_hat - Y) / (N K)")

# %% tags=["hide-input"] context="batch"
twice = (Y_hat - Y) / Y.numel() * Y_hat * (1 - Y_hat)
ratio = (twice / Delta3)
assert torch.allclose(ratio, Y_hat * (1 - Y_hat), rtol=1e-10)
display(HTML(mistake(
    "the fused gradient used as the loss's gradient",
    r"\nabla_{\hat Y} J \overset{?}{=} \frac{\hat Y - Y}{NK}, \quad\text{then}\quad "
    r"\Delta_3 = \nabla_{\hat Y} J \had \sigma'(Z_3)",
    [r"$(\hat Y - Y)/(NK)$ is the gradient by the sigmoid's input $Z_3$, the product that "
     r"already holds $\sigma'$. Returned by the loss and multiplied by $\sigma'$ again in "
     r"backward, it scales every entry of $\Delta_3$ by a second $\hat Y(1 - \hat Y) \le "
     r"\tfrac14$: here the entries of $\Delta_3$ come out "
     f"{ratio.min().item():.3f} to {ratio.max().item():.3f} times the right ones."],
    "The checker reports \"dJdy_hat is wrong in a known way: it is (y_hat - y)/(N·K)\", "
    "the gradient by the sigmoid's input ([what the checker "
    f"says]({CHECKER}#the-fused-gradient-used-as-the-losss-gradient))."
)))

# %% [markdown]
# ## 1.2.c (PDF 1.3(c)) Why $f = (\cdot)^+$ trains a deeper network better
#
# > Not every hidden activation needs to be binary, or a soft version of binary. You choose
# > $f = (\cdot)^+$ but keep $g = \sigma$. Explain why this $f$ can be better for training a
# > deeper network.

# %% tags=["remove-input"]
relu_prime = apply_tex(SYMBOLIC["relu"].tex, "u", prime=True)
display(HTML(answer("1.2.c (PDF 1.3(c))", [
    r"Backprop reaches a hidden layer through one factor $\diag(f'(u))$ per layer, $u$ that "
    r"layer's pre-activation.",
    [r"**The sigmoid** gives a factor $\sigma'(u) \le \frac14$, and nearly 0 once $|u|$ is "
     r"large (the unit *saturates*). Through $L$ sigmoid layers the activations alone shrink "
     r"the gradient by a factor of at least $4^L$, on top of whatever the weights do: the "
     r"first layers of a deep network barely learn.",
     f"**ReLU** gives a factor ${relu_prime} = 1$ on every active unit, however large $u$ "
     r"is: the gradient passes through undiminished, and ReLU costs one comparison. Its "
     r"inactive units pass nothing; that is its price."],
])))

# %% [markdown]
# **The derivation.** SymPy finds the sigmoid's largest slope, and the plots show both
# derivatives and what $L$ layers' worth of the best-case factor leaves.

# %%
slope = sp.diff(SYMBOLIC["sigmoid"].value, u)
peak = sp.solve(sp.diff(slope, u), u)
assert peak == [0] and slope.subs(u, 0) == sp.Rational(1, 4)
display(Math(r"\max_u \sigma'(u) = \sigma'(" + tex(peak[0]) + ") = " + tex(slope.subs(u, 0))))

# %% tags=["hide-input"] alt="The derivatives of the sigmoid and of ReLU against the pre-activation u from -6 to 6: the sigmoid's is a bump of height one quarter at u = 0, ReLU's is 0 for negative u and 1 for positive u."
grid = torch.linspace(-6, 6, 601, dtype=torch.float64)
fig, ax = plt.subplots()
for name, style in (("sigmoid", "-"), ("relu", "--")):
    ax.plot(grid, ACTIVATIONS[name].derivative(grid), style, lw=2, label=f"{name}'")
ax.set(xlabel="pre-activation $u$", ylabel="$f'(u)$", title="the factor per layer",
       ylim=(-0.05, 1.1))
ax.legend(loc="upper left")
plt.show()

# %% tags=["hide-input"] alt="The factor left after L layers, on a log scale, for L from 1 to 10: the sigmoid's best case (1/4) to the power L falls from 0.25 to about one in a million; ReLU's factor on an active unit stays 1."
layers_L = torch.arange(1, 11)
fig, ax = plt.subplots()
ax.semilogy(layers_L, 0.25 ** layers_L, "o-", label="sigmoid, best case $(1/4)^L$")
ax.semilogy(layers_L, torch.ones(10), "s--", label="ReLU, active unit $1^L$")
ax.set(xlabel="layers $L$", ylabel="factor left", title="through $L$ layers", ylim=(1e-7, 5))
ax.legend(loc="lower left")
plt.show()

# %% tags=["hide-input"] context="batch"
dead_net = MLP(3, 8, "relu", 8, 1, "sigmoid", dtype=torch.float64,
               generator=torch.Generator().manual_seed(0))
dead_net.parameters["b1"][:4] = -100.0                    # four units pushed far below 0
xs = torch.randn(64, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
ys = (torch.rand(64, 1, generator=torch.Generator().manual_seed(2)) < 0.5).double()
dead_net.backward(bce_loss(ys, dead_net.forward(xs))[1])
dead = (dead_net.cache["z1"] <= 0).all(0)
assert dead[:4].all() and (dead_net.grads["dJdW1"][dead] == 0).all()
display(HTML(mistake(
    "ReLU's gradient never vanishes",
    apply_tex(SYMBOLIC["relu"].tex, "(Z_1)_{pi}", prime=True)
    + r" = 1 \quad\text{for every unit } i",
    [r"Only on active units. A unit with $(Z_1)_{pi} \le 0$ for every sample $p$ passes "
     r"exactly 0, "
     f"and its weights stop learning. In this build's network four of the {dead.numel()} "
     f"hidden units have a bias of $-100$ (a large step can leave a unit there); "
     f"{int(dead.sum())} units are off for all 64 samples, and their rows of "
     r"$\nabla_{W^{(1)}} J$ are exactly 0."],
    "The checker has no diagnosis for it: it is a property of training, not a wrong formula "
    f"([why]({CHECKER}#relus-gradient-never-vanishes))."
)))

# %% [markdown]
# The [saturation experiment](saturation.py) measures it: the first layer's gradient norm in
# networks of growing depth and with growing inputs, sigmoid against ReLU.
