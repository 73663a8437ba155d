"""The course's three public tests, asserting where the course only prints.

As the graders run them: float32, batch 10, the `nn.Sequential` twin sharing the net's weights
(`twin.linear1.weight.data = net.parameters['W1']`), and the course's tolerance on the norm of each
difference.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mlp import MLP, bce_loss, mse_loss

TOLERANCE = 1e-3  # the course's: (twin.linear1.weight.grad.data - net.grads['dJdW1']).norm() < 1e-3

HOMEWORK_TESTS = {
    "test1-relu-identity-mse": ("relu", "identity", 5, mse_loss, F.mse_loss,
                                lambda: torch.randn(10, 5)),
    "test2-sigmoid-sigmoid-bce": ("sigmoid", "sigmoid", 5, bce_loss, nn.BCELoss(),
                                  lambda: (torch.randn(10, 5) < 0.5) * 1.0),
    "test3-relu-relu-mse": ("relu", "relu", 22, mse_loss, F.mse_loss,
                            lambda: torch.randn(10, 22)),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", HOMEWORK_TESTS)
def test_homework(case, seed, twin):
    f_function, g_function, n_out, loss, torch_loss, draw_y = HOMEWORK_TESTS[case]
    torch.manual_seed(seed)
    net = MLP(linear_1_in_features=2, linear_1_out_features=20, f_function=f_function,
              linear_2_in_features=20, linear_2_out_features=n_out, g_function=g_function)
    x = torch.randn(10, 2)
    y = draw_y()
    assert net.parameters["W1"].dtype == x.dtype == y.dtype == torch.float32

    net.clear_grad_and_cache()
    y_hat = net.forward(x)
    J, dJdy_hat = loss(y, y_hat)
    net.backward(dJdy_hat)

    net_autograd = twin(net)
    assert list(net_autograd._modules) == ["linear1", "f", "linear2", "g"]
    y_hat_autograd = net_autograd(x)
    J_autograd = torch_loss(y_hat_autograd, y)
    net_autograd.zero_grad()
    J_autograd.backward()

    assert (y_hat_autograd.data - y_hat).norm() < TOLERANCE
    assert (J_autograd.data - J).abs() < TOLERANCE
    assert (net_autograd.linear1.weight.grad.data - net.grads["dJdW1"]).norm() < TOLERANCE
    assert (net_autograd.linear1.bias.grad.data - net.grads["dJdb1"]).norm() < TOLERANCE
    assert (net_autograd.linear2.weight.grad.data - net.grads["dJdW2"]).norm() < TOLERANCE
    assert (net_autograd.linear2.bias.grad.data - net.grads["dJdb2"]).norm() < TOLERANCE


# The homework pages' own code: the one-sample answers in numerator layout (derivations.sample),
# the worked example and its computational graph, and the boxes (pages/).

import xml.etree.ElementTree as ET  # noqa: E402

import sympy as sp  # noqa: E402

from derivations import sample  # noqa: E402
from derivations.exact import rational_point  # noqa: E402
from pages import boxes, graph, worked  # noqa: E402

SYM = sample.symbols(n_in=3, n_hidden=4, n_out=5)  # n, m, K pairwise distinct


def _autograd_grads(config, point):
    """torch's .grad of l for one sample at `point`, float64, from the same symbols' values."""
    f, g, loss = config
    value = {k: torch.tensor([[float(v.xreplace(point)) for v in M.row(i)]
                              for i in range(M.rows)], dtype=torch.float64)
             for k, M in SYM.items()}
    leaves = {p: value[p].clone().requires_grad_() for p in ("W1", "b1", "W2", "b2")}
    act = {"relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda t: t}
    y_hat = act[g](leaves["W2"] @ act[f](leaves["W1"] @ value["x"] + leaves["b1"])
                   + leaves["b2"])
    y = value["y"]
    ell = (((y_hat - y) ** 2).sum() if loss == "mse" else
           -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean())
    ell.backward()
    return {p: t.grad for p, t in leaves.items()}


@pytest.mark.parametrize("config", [("relu", "identity", "mse"), ("sigmoid", "sigmoid", "bce")],
                         ids="-".join)
def test_numerator_layout_answers_are_the_transposes_of_torchs_grad(config):
    (m, n), K = SYM["W1"].shape, SYM["W2"].rows
    grads = sample.numerator_gradients(*config, SYM)
    shapes = {"dl_dW1": (n, m), "dl_db1": (1, m), "dl_dW2": (m, K), "dl_db2": (1, K)}
    assert {k: c.shape for k, c in grads.items()} == shapes
    point = rational_point(SYM, seed=3)
    auto = _autograd_grads(config, point)
    for p in ("W1", "b1", "W2", "b2"):
        claim = grads[f"dl_d{p}"]
        assert claim.holds(at=point, seed=1), p
        mine = torch.tensor([[float(sp.N(v)) for v in claim.closed_form.xreplace(point).row(i)]
                             for i in range(claim.shape[0])], dtype=torch.float64)
        torch.testing.assert_close(mine.T, auto[p], rtol=1e-12, atol=1e-14)
    nablas = sample.gradient_transposes(grads, SYM)
    assert {k: c.shape for k, c in nablas.items()} == {
        "grad_W1": (m, n), "grad_b1": (m, 1), "grad_W2": (K, m), "grad_b2": (K, 1)}
    assert all(c.holds(at=point, seed=1) for c in nablas.values())


def test_answer_shapes_are_printed_in_letters_and_the_formula_in_numerator_order():
    grads = sample.numerator_gradients("relu", "identity", "mse", SYM)
    assert sample.boxed(grads["dl_dW1"], SYM) == (
        r"\frac{\partial \ell}{\partial W^{(1)}} = x \frac{\partial \ell}{\partial \hat{y}} "
        r"\frac{\partial \hat{y}}{\partial z_{3}} W^{(2)} \frac{\partial z_{2}}{\partial z_{1}}"
        r" \quad (n \times m)")
    assert sample.boxed(grads["dl_db2"], SYM).endswith(r"\quad (1 \times K)")
    with pytest.raises(ValueError, match="must differ"):
        sample.size_names(sample.symbols(n_in=2, n_hidden=3, n_out=2))


def test_worked_example_is_small_integers_with_one_unit_off():
    v = worked.example()
    assert worked.hidden_unit_off(v) == [1]
    assert v["l"] == 2
    assert v["z1"] == sp.Matrix([-1, 1, 2]) and v["z2"] == sp.Matrix([0, 1, 2])
    assert all(abs(e) <= 12 for key in worked.BACKWARD for e in v[key])
    # the unit that is off passes nothing to its weights: W1's derivative's first column is 0
    assert list(v["dl_dW1"].col(0)) == [0, 0] and v["dl_db1"][0] == 0
    assert v["dl_dW2"].shape == (3, 2) and v["dl_dW1"].shape == (2, 3)


def test_worked_example_matches_autograd():
    v = worked.example()

    def t(key):
        return torch.tensor(v[key].tolist(), dtype=torch.float64)

    leaves = {p: t(p).requires_grad_() for p in ("W1", "b1", "W2", "b2")}
    z1 = leaves["W1"] @ t("x") + leaves["b1"]
    ell = ((leaves["W2"] @ torch.relu(z1) + leaves["b2"] - t("y")) ** 2).sum()
    ell.backward()
    assert ell.item() == 2
    for p, leaf in leaves.items():
        assert torch.equal(leaf.grad.T, t(f"dl_d{p}")), p


def test_worked_example_rejects_a_wrong_gradient(monkeypatch):
    real = sample.numerator_gradients

    def broken(*args, **kwargs):
        out = real(*args, **kwargs)
        claim = out["dl_dW1"]
        out["dl_dW1"] = type(claim)(claim.name, claim.lhs, claim.formula, 2 * claim.closed_form,
                                    claim.derived)
        return out

    monkeypatch.setattr(sample, "numerator_gradients", broken)
    with pytest.raises(AssertionError, match="dl_dW1 disagrees"):
        worked.example()


def test_the_graph_is_an_accessible_svg_in_the_themes_colours():
    values = worked.example()
    drawing = graph.svg(values, "Computational graph of the worked example")
    root = ET.fromstring(drawing)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag in ("svg", f"{ns}svg")
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith("Computational graph")
    assert root.find("title") is not None or root.find(f"{ns}title") is not None
    width = float(root.get("viewBox").split()[2])
    assert width <= 390, "at a 390 px phone the text would shrink below its font size"
    assert "font-size: 13px" in root.get("style")
    texts = [e.text for e in root.iter() if e.tag.endswith("text")]
    for needed in ("z\u2081 = [\u22121; 1; 2]", "\u2202\u2113/\u2202z\u2081 = [0 6 \u22124]",
                   "\u2113 = 2", "   [0 6 \u22124; 0 12 \u22128]"):
        assert needed in texts, needed
    # colours only from the theme: no fixed colour that would vanish on a dark background
    for element in root.iter():
        for attribute in ("fill", "stroke"):
            assert element.get(attribute) in (None, "none", "currentColor"), element.attrib
        style = element.get("style") or ""
        assert "#" not in style.replace("#3f51b5)", ")"), style


def test_short_mistakes_are_open_long_ones_folded_and_the_checks_folded():
    short = boxes.mistake("a slip", r"a = b", ["Short."], "No diagnosis.")
    long = boxes.mistake("a slip", r"a = b", ["Long. " * 200], "No diagnosis.")
    assert short.startswith('<div class="admonition failure">')
    assert long.startswith('<details class="failure">')
    checked = boxes.how_checked(["At three points."])
    assert checked.startswith('<details class="info">') and "How this page is checked" in checked


def test_shapes_printed_at_one_size_are_relabelled_in_letters():
    assert boxes.shapes_in_letters(r"z_{3} = W z \quad (5 \times 1), \; (4 \times 3)", SYM) == (
        r"z_{3} = W z \quad (K \times 1), \; (m \times n)")
