"""Bad input: the right error type, a message that names the argument and what came, no change."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from mlp import ACTIVATIONS, LOSSES, MLP, BackwardBeforeForwardError

from .strategies import LOSS_NAMES, UNIT_INTERVAL_LOSSES

F64 = torch.float64
GOOD = dict(linear_1_in_features=2, linear_1_out_features=20, f_function="relu",
            linear_2_in_features=20, linear_2_out_features=5, g_function="identity")
WIDTHS = ["linear_1_in_features", "linear_1_out_features", "linear_2_in_features",
          "linear_2_out_features"]


def raises(error, argument, *came):
    """pytest.raises for a message that starts with the argument's name and quotes what came."""
    return pytest.raises(error, match=rf"^{re.escape(argument)}\b.*"
                         + "".join(rf"(?=.*{re.escape(c)})" for c in came))


def state(net):
    """What a rejected call must leave as it was: the cache and grads (objects and values)."""
    return ({k: id(v) for k, v in net.cache.items()}, id(net.cache),
            {k: (id(v), v.clone()) for k, v in net.grads.items()},
            {k: (id(v), v.clone()) for k, v in net.parameters.items()})


def assert_unchanged(net, before):
    cache_ids, cache_id, grads, params = before
    assert id(net.cache) == cache_id and {k: id(v) for k, v in net.cache.items()} == cache_ids
    for now, was in ((net.grads, grads), (net.parameters, params)):
        for k, (obj_id, value) in was.items():
            assert id(now[k]) == obj_id and torch.equal(now[k], value), f"{k} changed"


# --- the constructor -----------------------------------------------------------------------

@pytest.mark.parametrize("argument", WIDTHS)
@pytest.mark.parametrize("value,error", [(0, ValueError), (-3, ValueError), (2.0, TypeError),
                                         ("2", TypeError), (True, TypeError), (None, TypeError)])
def test_widths_must_be_positive_ints(argument, value, error):
    with raises(error, argument, repr(value)):
        MLP(**{**GOOD, argument: value})


def test_layers_must_chain():
    with raises(ValueError, "linear_2_in_features", "linear_1_out_features", "20", "19"):
        MLP(**{**GOOD, "linear_2_in_features": 19})


@pytest.mark.parametrize("argument", ["f_function", "g_function"])
@pytest.mark.parametrize("value", ["tanhh", "ReLU", ""])
def test_activation_must_be_a_registry_name(argument, value):
    with raises(ValueError, argument, repr(value), *ACTIVATIONS):
        MLP(**{**GOOD, argument: value})


@pytest.mark.parametrize("argument", ["f_function", "g_function"])
@pytest.mark.parametrize("value", [None, nn.ReLU(), torch.relu])
def test_activation_must_be_a_str(argument, value):
    with raises(TypeError, argument, type(value).__name__, *ACTIVATIONS):
        MLP(**{**GOOD, argument: value})


@pytest.mark.parametrize("dtype", [torch.int64, torch.complex64, "float64"])
def test_dtype_must_be_a_floating_torch_dtype(dtype):
    with raises(TypeError, "dtype", repr(dtype)):
        MLP(**GOOD, dtype=dtype)


# --- forward ------------------------------------------------------------------------------

def _csr(t: torch.Tensor) -> torch.Tensor:
    with warnings.catch_warnings():  # "Sparse CSR tensor support is in beta state"
        warnings.simplefilter("ignore", UserWarning)
        return t.to_sparse_csr()


BAD_X = {  # name: (x for a float64 net of input width 3, error, what came)
    "list": ([[0.0] * 3] * 5, TypeError, "list"),
    "numpy": (np.zeros((5, 3)), TypeError, "ndarray"),
    "1-D": (torch.zeros(3, dtype=F64), ValueError, "(3,)"),
    "3-D": (torch.zeros(5, 3, 1, dtype=F64), ValueError, "(5, 3, 1)"),
    "wrong width": (torch.zeros(5, 4, dtype=F64), ValueError, "(5, 4)"),
    "int64": (torch.zeros(5, 3, dtype=torch.int64), TypeError, "torch.int64"),
    "bool": (torch.zeros(5, 3, dtype=torch.bool), TypeError, "torch.bool"),
    "empty batch": (torch.zeros(0, 3, dtype=F64), ValueError, "(0, 3)"),
    "other float dtype": (torch.zeros(5, 3, dtype=torch.float32), TypeError, "torch.float32"),
    "other device": (torch.zeros(5, 3, dtype=F64, device="meta"), ValueError, "meta"),
    "sparse COO": (torch.eye(5, 3, dtype=F64).to_sparse(), TypeError, "torch.sparse_coo"),
    "sparse CSR": (_csr(torch.eye(5, 3, dtype=F64)), TypeError, "torch.sparse_csr"),
    "NaN": (torch.eye(5, 3, dtype=F64).index_put_((torch.tensor(2), torch.tensor(1)),
                                                    torch.tensor(float("nan"), dtype=F64)),
            ValueError, "nan at index (2, 1)"),
    "-inf": (torch.full((5, 3), -float("inf"), dtype=F64), ValueError, "15 NaN or infinite"),
}


@pytest.mark.parametrize("case", BAD_X)
def test_bad_x_raises_and_changes_nothing(case, net):
    x, error, came = BAD_X[case]
    before = state(net)
    with raises(error, "x", came):
        net.forward(x)
    assert_unchanged(net, before)


# --- backward -----------------------------------------------------------------------------

def test_backward_before_forward_raises_and_changes_nothing(net):
    assert issubclass(BackwardBeforeForwardError, RuntimeError)
    assert issubclass(BackwardBeforeForwardError, ValueError)
    fresh = MLP(**GOOD)
    net.clear_grad_and_cache()  # an emptied cache counts as no forward pass too
    for model, batch in ((fresh, 10), (net, 5)):
        before = state(model)
        for error in (BackwardBeforeForwardError, RuntimeError, ValueError):
            with pytest.raises(error, match="forward"):
                model.backward(torch.zeros(batch, model.parameters["b2"].shape[0]))
        assert_unchanged(model, before)


BAD_DJDY_HAT = {  # name: (dJdy_hat for the fixture's y_hat of shape (5, 2), error, what came)
    "list": ([[0.0] * 2] * 5, TypeError, "list"),
    "wider": (torch.ones(5, 3, dtype=F64), ValueError, "(5, 3)"),
    "other batch": (torch.ones(4, 2, dtype=F64), ValueError, "(4, 2)"),
    "flat": (torch.ones(10, dtype=F64), ValueError, "(10,)"),
    "3-D": (torch.ones(5, 2, 1, dtype=F64), ValueError, "(5, 2, 1)"),
    "int64": (torch.ones(5, 2, dtype=torch.int64), TypeError, "torch.int64"),
    "other float dtype": (torch.ones(5, 2, dtype=torch.float32), TypeError, "torch.float32"),
    "other device": (torch.ones(5, 2, dtype=F64, device="meta"), ValueError, "meta"),
    "sparse": (torch.ones(5, 2, dtype=F64).to_sparse(), TypeError, "torch.sparse_coo"),
}


@pytest.mark.parametrize("case", BAD_DJDY_HAT)
def test_bad_dJdy_hat_raises_and_leaves_the_grads_as_they_were(case, net):
    dJdy_hat, error, came = BAD_DJDY_HAT[case]
    before = state(net)
    assert all(g.abs().sum() > 0 for g in net.grads.values())  # grads hold a previous backward
    with raises(error, "dJdy_hat", came, *(["(5, 2)"] if error is ValueError and "(" in came
                                           else [])):
        net.backward(dJdy_hat)
    assert_unchanged(net, before)


# --- the losses ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("y_shape,y_hat_shape", [((5,), (5, 1)), ((5, 1), (5,)),
                                                 ((2, 3), (3, 2)), ((4, 2), (4,))])
def test_loss_inputs_must_have_the_same_shape(name, y_shape, y_hat_shape):
    # (N,) against (N, 1) would broadcast to (N, N): torch only warns about it.
    y, y_hat = torch.full(y_shape, 0.5, dtype=F64), torch.full(y_hat_shape, 0.5, dtype=F64)
    with raises(ValueError, "y", "y_hat", str(y_shape), str(y_hat_shape)):
        LOSSES[name].fn(y, y_hat)


HALF = torch.full((3, 2), 0.5, dtype=F64)
BAD_LOSS_INPUTS = {  # name: (y, y_hat, error, the argument named, what came)
    "y a list": ([[0.5] * 2] * 3, HALF, TypeError, "y", "list"),
    "y_hat a numpy array": (HALF, HALF.numpy(), TypeError, "y_hat", "ndarray"),
    "y integer": (torch.ones(3, 2, dtype=torch.int64), HALF, TypeError, "y", "torch.int64"),
    "y_hat integer": (HALF, torch.ones(3, 2, dtype=torch.int64), TypeError, "y_hat", "int64"),
    "dtypes differ": (HALF.float(), HALF, TypeError, "y", "torch.float32"),
    "empty": (torch.ones(0, 2, dtype=F64), torch.ones(0, 2, dtype=F64), ValueError, "y_hat",
              "empty"),
    "y sparse": (HALF.to_sparse(), HALF, TypeError, "y", "torch.sparse_coo"),
    "y_hat sparse": (HALF, HALF.to_sparse(), TypeError, "y_hat", "torch.sparse_coo"),
}


@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("case", BAD_LOSS_INPUTS)
def test_bad_loss_inputs_raise(name, case):
    y, y_hat, error, argument, came = BAD_LOSS_INPUTS[case]
    with raises(error, argument, came):
        LOSSES[name].fn(y, y_hat)


@pytest.mark.parametrize("name", sorted(UNIT_INTERVAL_LOSSES))
@pytest.mark.parametrize("argument", ["y", "y_hat"])
@pytest.mark.parametrize("value", [-0.1, 1.1, float("nan"), -float("inf")])
def test_probability_loss_inputs_must_lie_in_the_unit_interval(name, argument, value):
    inputs = dict(y=HALF.clone(), y_hat=HALF.clone())
    inputs[argument][1, 0] = value
    with raises(ValueError, argument, "[0, 1]", str(value)):
        LOSSES[name].fn(**inputs)


# --- the whole message, for both networks -----------------------------------------------------
# The tests above check that a message names the argument; these pin every word, so a message
# that names the wrong argument, a wrong count or a wrong expected shape cannot pass.

def _nets():
    from mlp.deep import DeepMLP
    return {"MLP": MLP(3, 4, "relu", 4, 2, "sigmoid", dtype=F64),
            "DeepMLP": DeepMLP((3, 4, 5, 2), "relu", "sigmoid", dtype=F64)}


@pytest.mark.parametrize("kind", ["MLP", "DeepMLP"])
def test_every_message_in_full(kind):
    net = _nets()[kind]
    calls = {
        "backward needs the cache of a forward pass; call forward(x) first":
            lambda: net.backward(torch.zeros(5, 2, dtype=F64)),
        "x has dtype torch.float32 but W1 has torch.float64; convert one with .to(torch.float64)":
            lambda: net.forward(torch.zeros(5, 3)),
        "x is on meta but W1 is on cpu":
            lambda: net.forward(torch.zeros(5, 3, dtype=F64, device="meta")),
        "x must have shape (batch >= 1, 3), got (5, 4)":
            lambda: net.forward(torch.zeros(5, 4, dtype=F64)),
        "x must be a dense (strided) tensor, got layout torch.sparse_coo; convert it with "
        "x.to_dense()": lambda: net.forward(torch.zeros(5, 3, dtype=F64).to_sparse()),
        "x must be finite; got 2 NaN or infinite entries, the first inf at index (1, 2)":
            lambda: net.forward(torch.tensor([[0, 0, 0], [0, 0, float("inf")],
                                              [float("nan"), 0, 0]], dtype=F64)),
    }
    for message, call in calls.items():
        with pytest.raises((TypeError, ValueError, RuntimeError)) as err:
            call()
        assert str(err.value) == message
    net.forward(torch.zeros(5, 3, dtype=F64))
    upstream = {
        "dJdy_hat must have shape (5, 2) (the shape of y_hat), got (5, 3)":
            torch.zeros(5, 3, dtype=F64),
        "dJdy_hat has dtype torch.float32 but y_hat has torch.float64; "
        "convert one with .to(torch.float64)": torch.zeros(5, 2),
        "dJdy_hat is on meta but y_hat is on cpu": torch.zeros(5, 2, dtype=F64, device="meta"),
        "dJdy_hat must be a dense (strided) tensor, got layout torch.sparse_coo; convert it "
        "with dJdy_hat.to_dense()": torch.zeros(5, 2, dtype=F64).to_sparse(),
    }
    for message, dJdy_hat in upstream.items():
        with pytest.raises((TypeError, ValueError)) as err:
            net.backward(dJdy_hat)
        assert str(err.value) == message


@pytest.mark.parametrize("name", UNIT_INTERVAL_LOSSES)
def test_out_of_range_count_leaves_out_the_edges(name):
    # 0 and 1 are inside [0, 1]; only 1.5 and -0.25 are outside, and NaN counts as outside.
    y = torch.zeros(6, dtype=F64)
    y_hat = torch.tensor([0.0, 1.0, 1.5, 0.5, -0.25, float("nan")], dtype=F64)
    with pytest.raises(ValueError) as err:
        LOSSES[name].fn(y, y_hat)
    assert str(err.value) == ("y_hat must lie in [0, 1] with no NaN; got 3 entries outside, "
                              "such as 1.5")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: MLP(**{**GOOD, "linear_1_in_features": 2.0}),
     "linear_1_in_features must be a positive int, got float 2.0"),
    (lambda: MLP(**GOOD).forward(np.zeros((5, 2))),
     "x must be a torch.Tensor, got numpy.ndarray; convert it with torch.as_tensor(...)"),
    (lambda: LOSSES["mse"].fn(torch.zeros(2, 2), torch.zeros(2, 2, dtype=F64)),
     "y has dtype torch.float32 but y_hat has torch.float64; convert one with .to(torch.float64)"),
    (lambda: LOSSES["bce"].fn(torch.zeros(2, 2), _csr(torch.zeros(2, 2))),
     "y_hat must be a dense (strided) tensor, got layout torch.sparse_csr; convert it with "
     "y_hat.to_dense()"),
], ids=["width-type", "x-type", "loss-dtype", "loss-layout"])
def test_type_messages_in_full(call, message):
    with pytest.raises(TypeError) as err:
        call()
    assert str(err.value) == message


def test_row_sums_are_checked_to_within_the_stated_tolerance():
    from mlp import _validate
    tol = torch.finfo(F64).eps ** 0.5  # 2**-26 exactly, so 1 + tol is exact too
    _validate.rows_sum_to_one("y_hat", torch.tensor([[1 + tol]], dtype=F64))  # on the edge: in
    with pytest.raises(ValueError):
        _validate.rows_sum_to_one("y_hat", torch.tensor([[1 + 2 * tol]], dtype=F64))


@pytest.mark.parametrize(("rows", "worst"), [([[0.1, 0.2], [0.6, 1.0]], 0.3),
                                             ([[0.1, 0.1], [1.2, 1.5]], 2.7)])
def test_row_sum_message_names_the_row_farthest_from_one(rows, worst):
    from mlp import _validate
    with pytest.raises(ValueError) as err:
        _validate.rows_sum_to_one("y_hat", torch.tensor(rows, dtype=F64))
    assert str(err.value).startswith("each row of y_hat must sum to 1 (a probability vector, "
                                     "as softmax gives), to within 1.5e-08; a row sums to ")
    assert float(str(err.value).rsplit(" ", 1)[1]) == pytest.approx(worst, rel=1e-12)
