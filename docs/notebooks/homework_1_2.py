# %% [markdown]
# # 1.2 Classification: $f = g = \sigma$, then binary cross-entropy, then $f = (\cdot)^+$
#
# The notation, the layout and the sizes of [1.1](homework_1_1.py): one sample, column vectors,
# the homework's $z_1, z_2, z_3$, and every formula in a box printed by `derivations` and checked
# against `diff` in the cell that prints it. Where 1.2.a and 1.2.b say "(b)", "(c)" and "(d)",
# they mean 1.1.b, 1.1.c and 1.1.d, the parts the question asks to revisit. The sigmoid's
# formulas are rational functions of exponentials; their checks substitute exact rational
# points and treat each exponential as an unknown set at random (`derivations.exact`).

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import sympy as sp
import torch
from IPython.display import HTML, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

from derivations import boxes, layers, sample
from derivations import losses as symbolic_losses
from derivations.activations import ACTIVATIONS as SYMBOLIC
from derivations.activations import derivative_identity, s
from derivations.boxes import answer, mistake
from derivations.exact import is_zero, rational_point
from derivations.latex import matrix, tex
from mlp import ACTIVATIONS, MLP, bce_loss

set_matplotlib_formats("svg")
plt.rcParams.update({"font.size": 11, "legend.fontsize": 10, "figure.figsize": (6.4, 3.6)})
torch.manual_seed(0)  # the same numbers at every build
sym = sample.symbols(n_in=3, n_hidden=4, n_out=5)
(m, n), K = sym["W1"].shape, sym["W2"].rows
POINTS = [rational_point(sym, seed) for seed in range(2)]
CHECKER = "check_your_homework.py"


def shown(claims, names):
    """The claims' formulas with their shapes for an answer box; each held at the points
    first, the exponentials left as unknowns set at random (seed 1)."""
    for name in names:
        assert all(claims[name].holds(at=p, seed=1) for p in POINTS), name
    return [f"$${claims[name].latex()}$$" for name in names]


def numbers(t):
    return boxes.numbers(t.tolist())


# One sample in numbers, float64, for the common mistakes.
gen = torch.Generator().manual_seed(0)
x_, W1_, b1_, W2_, b2_ = (torch.randn(*shape, generator=gen, dtype=torch.float64)
                          for shape in ((n, 1), (m, n), (m, 1), (K, m), (K, 1)))
y_ = (torch.rand(K, 1, generator=gen, dtype=torch.float64) < 0.5).double()
z3_ = W2_ @ torch.sigmoid(W1_ @ x_ + b1_) + b2_
y_hat_ = torch.sigmoid(z3_)

# %% [markdown]
# ## 1.2.a Sigmoid activations, same squared error

# %% tags=["remove-input"]
mse = sample.identities("sigmoid", "sigmoid", "mse", sym)
assert layers.check("sigmoid", "sigmoid", "mse", sym)
display(HTML(answer("1.2.a", [
    r"**(b) of 1.1**: every layer keeps its input; $f$ and $g$ are now $\sigma$, so $z_2$, "
    r"$\hat y$ and $\ell$ change:",
    f"$${layers.latex('sigmoid', 'sigmoid', 'mse', sym)}$$",
    r"**(c) of 1.1**: the four gradients keep their form in the three Jacobians, but $z_2$ "
    r"inside $\nabla_{W^{(2)}} \ell$ is now $\sigma(W^{(1)} x + b^{(1)})$:",
    *shown(mse, ["dldW2", "dldb2", "dldW1", "dldb1"]),
    r"**(d) of 1.1**: both activation Jacobians stay diagonal, now with the sigmoid's "
    r"derivative at the pre-activations $z_1$ and $z_3$; $\frac{\partial \ell}{\partial "
    r"\hat y}$ is unchanged:",
    *shown(mse, ["dz2dz1", "dy_hatdz3", "dldy_hat"]),
    r"with $\sigma'(z_{1,i}) = \sigma(z_{1,i})\big(1 - \sigma(z_{1,i})\big) = z_{2,i}(1 - "
    r"z_{2,i})$ and $\sigma'(z_{3,k}) = \hat y_k (1 - \hat y_k)$.",
])))

# %% [markdown]
# The sigmoid's derivative is proven first, `diff` against the closed form, for every real
# argument; the cell then checks the Jacobians of the box against `Matrix.jacobian`:

# %%
claim = derivative_identity("sigmoid")
assert claim.holds()
display(Math(claim.latex()))
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
     f"$${numbers(at_output.T)}, \\qquad {numbers(right.T)}.$$",
     r"Every value of $\sigma'(\hat y)$ lies between $\sigma'(1) = 0.197$ and $\sigma'(0) = "
     r"0.25$, whatever $z_3$ is: the slip also hides saturation."],
    "The checker reports \"the gradients below g are what its derivative gives when taken at "
    f"g's output\" ([what the checker "
    f"says]({CHECKER}#the-sigmoids-derivative-taken-at-its-output))."
)))

# %% [markdown]
# ## 1.2.b Binary cross-entropy

# %% tags=["remove-input"]
bce = sample.identities("sigmoid", "sigmoid", "bce", sym)
y_hat_s = matrix(r"\hat{y}", K, 1, vector=True)
fused = (y_hat_s - sym["y"]).T / symbolic_losses.K
assert layers.check("sigmoid", "sigmoid", "bce", sym)
display(HTML(answer("1.2.b", [
    r"**(b) of 1.1**: the layers of 1.2.a, and a new loss, the mean over the $K$ outputs:",
    rf"$$\ell = {layers.rows('sigmoid', 'sigmoid', 'bce', sym)[-1].rhs}$$",
    r"**(c) of 1.1**: the four gradients are those of 1.2.a, formula for formula; only "
    r"$\frac{\partial \ell}{\partial \hat y}$ inside them has a new value.",
    r"**(d) of 1.1**: $\frac{\partial z_2}{\partial z_1}$ and $\frac{\partial \hat y}{\partial "
    r"z_3}$ are those of 1.2.a; $\frac{\partial \ell}{\partial \hat y}$ is new:",
    *shown(bce, ["dldy_hat"]),
    r"and with $\frac{\partial \hat y}{\partial z_3} = \diag\big(\hat y (1 - \hat y)\big)$ the "
    r"denominator cancels:",
    rf"$$\frac{{\partial \ell}}{{\partial \hat y}}\frac{{\partial \hat y}}{{\partial z_3}} = "
    rf"{tex(fused)} \quad (1 \times K)$$",
])))

# %% [markdown]
# The four gradients hold with the new $\frac{\partial \ell}{\partial \hat y}$, each against
# `diff` of $\ell_{\text{BCE}}$, and print as in 1.2.a; SymPy multiplies out the product that
# cancels, at every entry, and compares it with the box's $\frac{1}{K}(\hat y - y)\T$:

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

# %% [markdown] context="bridge"
# **For a batch** torch's BCE is the mean over all $N K$ entries, and the homework's per-sample
# $\ell_{\text{BCE}}$ already averages over the $K$ outputs, so $J = \frac{1}{N}\sum_n \ell_n$:
# the batch scales each sample's gradient by $\frac{1}{N}$ (for the squared error, which sums
# over $K$, by $\frac{1}{NK}$). The fused rows of the code's $\delta_2$ are then
# $\frac{1}{N}\cdot\frac{1}{K}(\hat y - y)\T$, that is $(\hat y - y)/(NK)$, proven by `diff`:

# %%
fused_batch = symbolic_losses.fused_sigmoid_bce()
assert fused_batch.holds()
display(Math(fused_batch.latex()))
net = MLP(2, 20, "sigmoid", 20, 5, "sigmoid", dtype=torch.float64)
x = torch.randn(10, 2, dtype=torch.float64)
y = (torch.rand(10, 5, dtype=torch.float64) < 0.5).double()
y_hat = net.forward(x)
_, dJdy_hat = bce_loss(y, y_hat)
delta2 = ACTIVATIONS["sigmoid"].backward(dJdy_hat, net.cache["s2"], y_hat)
assert torch.allclose(delta2, (y_hat - y) / y.numel(), rtol=1e-10, atol=0)
print("mlp's delta2 for sigmoid + BCE equals (y_hat - y) / (N K)")

# %% tags=["hide-input"] context="bridge"
twice = (y_hat - y) / y.numel() * y_hat * (1 - y_hat)
ratio = (twice / delta2)
assert torch.allclose(ratio, y_hat * (1 - y_hat), rtol=1e-10)
display(HTML(mistake(
    "the fused gradient used as the loss's gradient",
    r"\nabla_{\hat y} J \overset{?}{=} \frac{\hat y - y}{NK}, \quad\text{then}\quad "
    r"\delta_2 = \nabla_{\hat y} J \had \sigma'(s_2)",
    [r"$(\hat y - y)/(NK)$ is the gradient by the sigmoid's input $s_2$, the product that "
     r"already holds $\sigma'$. Returned by the loss and multiplied by $\sigma'$ again in "
     r"backward, it scales every $\delta_2$ entry by a second $\hat y(1 - \hat y) \le "
     r"\tfrac14$: here the entries of $\delta_2$ come out "
     f"{ratio.min().item():.3f} to {ratio.max().item():.3f} times the right ones."],
    "The checker reports \"dJdy_hat is wrong in a known way: it is (y_hat - y)/(N·K), the "
    "gradient with respect to the sigmoid's input s2\" ([what the checker "
    f"says]({CHECKER}#the-fused-gradient-used-as-the-losss-gradient))."
)))

# %% [markdown]
# ## 1.2.c Why $f = (\cdot)^+$ trains a deeper network better

# %% tags=["remove-input"]
display(HTML(answer("1.2.c", [
    r"Backprop reaches a hidden layer through one factor $\diag(f'(z))$ per layer, $z$ that "
    r"layer's pre-activation.",
    [r"**The sigmoid** gives a factor $\sigma'(z) \le \frac14$, and nearly 0 once $|z|$ is "
     r"large (the unit *saturates*). Through $L$ sigmoid layers the gradient shrinks by at "
     r"least $4^{-L}$ on top of whatever the weights do: the first layers of a deep network "
     r"barely learn.",
     r"**ReLU** gives a factor exactly 1 on every active unit, however large $z$ is: the "
     r"gradient passes through undiminished, and ReLU costs one comparison. Its inactive units "
     r"pass nothing; that is its price."],
])))

# %% [markdown]
# SymPy finds the sigmoid's largest slope, and the plots show both derivatives and what $L$
# layers' worth of the best-case factor leaves.

# %%
slope = sp.diff(SYMBOLIC["sigmoid"].value, s)
peak = sp.solve(sp.diff(slope, s), s)
assert peak == [0] and slope.subs(s, 0) == sp.Rational(1, 4)
display(Math(r"\max_s \sigma'(s) = \sigma'(" + tex(peak[0]) + ") = " + tex(slope.subs(s, 0))))

# %% tags=["hide-input"] alt="The derivatives of the sigmoid and of ReLU against the pre-activation z from -6 to 6: the sigmoid's is a bump of height one quarter at z = 0, ReLU's is 0 for negative z and 1 for positive z."
grid = torch.linspace(-6, 6, 601, dtype=torch.float64)
fig, ax = plt.subplots()
for name, style in (("sigmoid", "-"), ("relu", "--")):
    ax.plot(grid, ACTIVATIONS[name].derivative(grid), style, lw=2, label=f"{name}'")
ax.set(xlabel="pre-activation $z$", ylabel="$f'(z)$", title="the factor per layer",
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
dead = (dead_net.cache["s1"] <= 0).all(0)
assert dead[:4].all() and (dead_net.grads["dJdW1"][dead] == 0).all()
display(HTML(mistake(
    "ReLU's gradient never vanishes",
    r"\operatorname{ReLU}'(s_{1,ni}) = 1 \quad\text{for every unit } i",
    [r"Only on active units. A unit with $s_{1,ni} \le 0$ for every sample $n$ passes "
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
