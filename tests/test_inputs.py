"""Every input gets a right answer or a clear error: each registered activation and loss, in
float16, bfloat16, float32 and float64, given dense, sparse, 0-d and empty tensors.

A right answer is torch's own, from its module or loss and autograd, in the same dtype, to
`strategies.tolerance` (8 eps of the dtype). A clear error is a TypeError or ValueError whose
message starts with the name of the argument at fault. Which one each kind must give is fixed
below, so an entry that raised everywhere would fail as surely as one that computed wrongly.

An activation entry is a plain tensor function: what reaches it passes the network's door
first, so a sparse tensor is tried on the network (as x and as dJdy_hat), and the entry itself
on the dense, 0-d and empty kinds.
"""

from __future__ import annotations

import re

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from mlp import ACTIVATIONS, LOSSES, MLP

from .reference import TORCH_LOSSES, make_twin, torch_activation, twin_grads
from .strategies import (
    ACTIVATION_NAMES,
    ALL_FLOAT_DTYPES,
    KINDS,
    LOSS_NAMES,
    PROPERTY,
    SIMPLEX_LOSSES,
    UNIT_INTERVAL_LOSSES,
    float_tensors,
    sizes,
    tensors_of_kind,
    tolerance,
)


def assert_names(err: pytest.ExceptionInfo, argument: str, *came: str) -> None:
    assert err.type in (TypeError, ValueError), f"{err.type.__name__}: {err.value}"
    message = str(err.value)
    assert re.match(rf"{re.escape(argument)}\b", message), f"names not {argument!r}: {message}"
    for c in came:
        assert c in message, f"{c!r} missing from: {message}"


def close(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype, scale: float,
          what: str) -> None:
    assert actual.dtype == expected.dtype == dtype and actual.shape == expected.shape, what
    torch.testing.assert_close(actual, expected, equal_nan=True, msg=lambda m: f"{what}: {m}",
                               **tolerance(dtype, scale))


def magnitude(*tensors: torch.Tensor) -> float:
    return max([1.0] + [t.abs().max().item() for t in tensors if t.numel()])


# --- activations: each entry, against torch's module and autograd -----------------------------

@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("dtype", ALL_FLOAT_DTYPES)
@PROPERTY
@given(data=st.data())
def test_activation_entries_equal_torch(name, dtype, data):
    kind = data.draw(st.sampled_from(["dense", "0-d", "empty"]))
    u = data.draw(tensors_of_kind(kind, dtype, -40.0, 40.0))
    grad_output = data.draw(float_tensors(tuple(u.shape), -10.0, 10.0)).to(dtype)
    a = ACTIVATIONS[name]
    leaf = u.clone().requires_grad_()
    expected = torch_activation(name)(leaf)
    expected.backward(grad_output)
    out = a.forward(u)
    scale = magnitude(u)
    close(out, expected.detach(), dtype, scale, f"{name} forward")
    close(a.backward(grad_output, u, out), leaf.grad, dtype, scale * magnitude(grad_output),
          f"{name} backward")


def test_softplus_in_float16_does_not_overflow():
    # e^12 > 65504, float16's largest value: log(1 + e^u) computed as written gave inf, and its
    # derivative e^u / (e^u + 1) gave inf / inf = nan.
    u = torch.tensor([12.0, 15.0, -12.0], dtype=torch.float16)
    softplus = ACTIVATIONS["softplus"]
    assert torch.equal(softplus.forward(u), torch.nn.functional.softplus(u))
    assert torch.isfinite(softplus.derivative(u)).all()


# --- activations: in the network, every kind of x and dJdy_hat -------------------------------

ROLES = [(f, "identity") for f in ACTIVATION_NAMES] + [("identity", g) for g in ACTIVATION_NAMES
                                                       if g != "identity"]


@pytest.mark.parametrize("f_name,g_name", ROLES)
@pytest.mark.parametrize("dtype", ALL_FLOAT_DTYPES)
@PROPERTY
@given(data=st.data())
def test_the_network_takes_every_kind_of_x(f_name, g_name, dtype, data):
    n, m, K = data.draw(sizes), data.draw(sizes), data.draw(sizes)
    net = MLP(n, m, f_name, m, K, g_name, dtype=dtype,
              generator=torch.Generator().manual_seed(data.draw(st.integers(0, 2**16))))
    kind = data.draw(st.sampled_from(KINDS))
    x = data.draw(tensors_of_kind(kind, dtype, -3.0, 3.0, width=n))
    if kind != "dense":
        with pytest.raises((TypeError, ValueError)) as err:
            net.forward(x)
        assert_names(err, "x", str(x.layout) if kind == "sparse" else str(tuple(x.shape)))
        assert not net.cache
        return
    twin = make_twin(net)
    y_hat_torch = twin(x)
    y_hat = net.forward(x)

    upstream = data.draw(st.sampled_from(KINDS))
    dJdy_hat = torch.randn(y_hat.shape, generator=torch.Generator().manual_seed(0)).to(dtype)
    bad = {"sparse": dJdy_hat.to_sparse(), "0-d": dJdy_hat[0, 0], "empty": dJdy_hat[:0]}
    if upstream != "dense":
        with pytest.raises((TypeError, ValueError)) as err:
            net.backward(bad[upstream])
        assert_names(err, "dJdy_hat", "torch.sparse_coo" if upstream == "sparse" else
                     str(tuple(bad[upstream].shape)))
        assert all(not g.any() for g in net.grads.values()), "a refused backward wrote"
        return
    y_hat_torch.backward(dJdy_hat)
    net.backward(dJdy_hat)
    expected = {"y_hat": y_hat_torch.detach(), **twin_grads(twin)}
    scales = term_scales(net, x, dJdy_hat)
    for key, value in {"y_hat": y_hat, **net.grads}.items():
        close(value, expected[key], dtype, scales[key], key)


def term_scales(net: MLP, x: torch.Tensor, dJdy_hat: torch.Tensor) -> dict[str, float]:
    """For y_hat and each gradient, (terms summed) x (largest term), in float64.

    Rounding in a sum of L terms is bounded by L eps times the sum of their magnitudes, not by
    the sum itself, which can cancel (the rows of a softmax's product sum to 0): the atol of
    `close` is ULPS eps times this. The terms come from the same network run in float64, with
    absolute values: |X| |W1|^T for Z1, |Z2| |W2|^T for Z3, |Delta3|^T |Z2| for dJdW2, ...
    """
    p = {k: v.double() for k, v in net.parameters.items()}
    x, v = x.double(), dJdy_hat.double()
    z1 = x @ p["W1"].T + p["b1"]
    z2 = net.f.forward(z1)
    z3 = z2 @ p["W2"].T + p["b2"]
    y_hat = net.g.forward(z3)
    # The terms of Delta3, entry by entry: |v| (1 + |g'(z3)|), since each derivative here sums
    # terms of size at most about 1 (1 - tanh^2 cancels near saturation), or a (|v| + a.|v|)
    # for a row-mixing g.
    delta3 = (v.abs() * (1 + net.g.derivative(z3).abs()) if net.g.elementwise else
              y_hat * (v.abs() + (y_hat * v.abs()).sum(-1, keepdim=True)))
    delta2 = delta3 @ p["W2"].abs()
    delta1 = (delta2 * (1 + net.f.derivative(z1).abs()) if net.f.elementwise else
              z2 * (delta2 + (z2 * delta2).sum(-1, keepdim=True)))
    N, n = x.shape
    m, K = z1.shape[1], z3.shape[1]
    terms = {
        "y_hat": ((z2.abs() @ p["W2"].abs().T + p["b2"].abs()) * (m + 1)
                  + (x.abs() @ p["W1"].abs().T + p["b1"].abs()).max() * (n + 1) * m
                  * p["W2"].abs().max()),
        "dJdW2": (delta3.T @ z2.abs()) * N, "dJdb2": delta3.sum(0) * N,
        "dJdW1": (delta1.T @ x.abs()) * N * (K + 1), "dJdb1": delta1.sum(0) * N * (K + 1),
    }
    return {k: max(1e-300, t.max().item()) for k, t in terms.items()}


@PROPERTY
@given(data=st.data())
def test_a_non_finite_x_is_refused_over_many_draws(data):
    # Refused, not propagated: ReLU's 1[u > 0] is 0 at NaN where autograd's kernel passes the
    # gradient, so a NaN's gradients would match autograd's only by accident.
    x = data.draw(tensors_of_kind("dense", torch.float64, -3.0, 3.0, width=2))
    p = data.draw(st.integers(0, x.shape[0] - 1))
    bad = data.draw(st.sampled_from([float("nan"), float("inf"), -float("inf")]))
    x[p, data.draw(st.integers(0, 1))] = bad
    net = MLP(2, 3, "sigmoid", 3, 2, "relu", dtype=torch.float64,
              generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError) as err:
        net.forward(x)
    assert_names(err, "x", "finite", str(bad))
    assert not net.cache


# --- losses -----------------------------------------------------------------------------------

@st.composite
def loss_pair_of_kind(draw, name: str, kind: str, dtype: torch.dtype):
    """(y, y_hat) of `kind` in the loss's domain (rows that sum to 1 for a simplex loss)."""
    dense = "dense" if kind == "sparse" else kind
    low, high = (0.0, 1.0) if name in SIMPLEX_LOSSES or name in UNIT_INTERVAL_LOSSES \
        else (-1e3, 1e3)
    y_hat = draw(tensors_of_kind(dense, torch.float64, low, high))
    y = draw(float_tensors(tuple(y_hat.shape), low, high))
    if name in SIMPLEX_LOSSES and y_hat.dim():  # rows summing to 1, y_hat kept >= 1e-3 / K
        y_hat = (y_hat + 1e-3) / (y_hat + 1e-3).sum(-1, keepdim=True)
        y = (y + 1e-3) / (y + 1e-3).sum(-1, keepdim=True)
    y, y_hat = y.to(dtype), y_hat.to(dtype)
    if kind == "sparse":
        which = draw(st.sampled_from(["y", "y_hat"]))
        return (y.to_sparse(), y_hat, which) if which == "y" else (y, y_hat.to_sparse(), which)
    return y, y_hat, None


@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("dtype", ALL_FLOAT_DTYPES)
@PROPERTY
@given(data=st.data())
def test_losses_equal_torch_or_name_the_argument(name, dtype, data):
    kind = data.draw(st.sampled_from(KINDS))
    y, y_hat, sparse = data.draw(loss_pair_of_kind(name, kind, dtype))
    loss = LOSSES[name].fn
    if kind == "sparse":
        with pytest.raises(TypeError) as err:
            loss(y, y_hat)
        assert_names(err, sparse, "torch.sparse_coo")
        return
    if kind == "empty":
        with pytest.raises(ValueError) as err:
            loss(y, y_hat)
        assert_names(err, "y_hat", "empty")
        return
    if kind == "0-d" and name in SIMPLEX_LOSSES:
        with pytest.raises(ValueError) as err:
            loss(y, y_hat)
        assert_names(err, "y_hat", "(N, K)", "()")
        return
    J, dJdy_hat = loss(y, y_hat)
    leaf = y_hat.clone().requires_grad_()
    J_torch = TORCH_LOSSES[name](leaf, y)
    J_torch.backward()
    grad_torch = leaf.grad
    scale = magnitude(dJdy_hat, grad_torch)
    if name in SIMPLEX_LOSSES:  # defined up to a constant per row: compare within the simplex
        dJdy_hat = dJdy_hat - dJdy_hat.mean(-1, keepdim=True)
        grad_torch = grad_torch - grad_torch.mean(-1, keepdim=True)
    close(J, J_torch.detach(), dtype, magnitude(J_torch), f"{name} J")
    close(dJdy_hat, grad_torch, dtype, scale, f"{name} dJdy_hat")
