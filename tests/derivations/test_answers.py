r"""The answer boxes' judge (`derivations.answers`): each reference against the derivation entry
by entry, each common mistake against the reference, and the verdict on typed answers.

The references are held against SymPy's `diff` and `Matrix.jacobian` of the homework's network
written with explicit sums, at the judge's own random points and two more, with the Jacobian
symbols set to their true values there: a reference cannot drift from the math.
"""

from __future__ import annotations

import json

import pytest
import sympy as sp

from derivations import answers as A

# For every target: a right answer, its transpose, a misshapen one and a wrong one, as a student
# types them, and the words each verdict must hold. The browser test types the same.
ANSWERS: dict[str, dict[str, str]] = {
    "z1": {"right": "W1 @ x + b1", "transposed": "x.T @ W1.T + b1.T",
           "misshapen": "W1.T @ b1", "wrong": "W1 @ x - b1"},
    "z2": {"right": "relu(W1 @ x + b1)", "transposed": "relu(z1).T",
           "misshapen": "relu(x)", "wrong": "relu(W1 @ x) + b1"},
    "z3": {"right": "W2 @ z2 + b2", "transposed": "z2.T @ W2.T + b2.T",
           "misshapen": "W2.T @ b2", "wrong": "W2 @ z2 - b2"},
    "y_hat": {"right": "W2 @ relu(W1 @ x + b1) + b2", "transposed": "z3.T",
              "misshapen": "z2", "wrong": "2 * z3"},
    "dl_dW1": {"right": "x @ dl_dyhat @ dyhat_dz3 @ W2 @ dz2_dz1",
               "transposed": "dz2_dz1.T @ W2.T @ dyhat_dz3.T @ dl_dyhat.T @ x.T",
               "misshapen": "dl_dyhat @ dyhat_dz3 @ W2 @ dz2_dz1",
               "wrong": "x @ dl_dyhat @ dyhat_dz3 @ W2 @ dz2_dz1 @ dz2_dz1"},
    "dl_db1": {"right": "dl_dyhat @ dyhat_dz3 @ W2 @ dz2_dz1",
               "transposed": "dz2_dz1.T @ W2.T @ dyhat_dz3.T @ dl_dyhat.T",
               "misshapen": "x @ dl_dyhat @ dyhat_dz3 @ W2 @ dz2_dz1",
               "wrong": "dl_dyhat @ W2 @ dz2_dz1 @ dz2_dz1"},
    "dl_dW2": {"right": "z2 @ dl_dyhat @ dyhat_dz3",
               "transposed": "dyhat_dz3.T @ dl_dyhat.T @ z2.T",
               "misshapen": "x @ dl_dyhat @ dyhat_dz3", "wrong": "z2 @ dl_dyhat @ dyhat_dz3 + 1"},
    "dl_db2": {"right": "dl_dyhat @ dyhat_dz3", "transposed": "dyhat_dz3.T @ dl_dyhat.T",
               "misshapen": "dl_dyhat @ W2", "wrong": "dl_dyhat @ dyhat_dz3 @ dyhat_dz3"},
    "dl_dyhat": {"right": "2 * (y_hat - y).T", "transposed": "2 * (y_hat - y)",
                 "misshapen": "(y_hat - y).T @ (y_hat - y)", "wrong": "2 * (y_hat + y).T"},
    "dz2_dz1": {"right": "diag(step(z1))", "transposed": "diag(step(z1)).T",
                "misshapen": "step(z1).T", "wrong": "eye(m)"},
    "dyhat_dz3": {"right": "eye(K)", "transposed": "eye(K).T", "misshapen": "eye(m)",
                  "wrong": "2 * eye(K)"},
    "dl_dyhat_bce": {"right": "((y_hat - y) / (y_hat * (1 - y_hat))).T / K",
                     "transposed": "(y_hat - y) / (y_hat * (1 - y_hat)) / K",
                     "misshapen": "(y_hat - y).T @ (y_hat - y) / K",
                     "wrong": "((y_hat + y) / (y_hat * (1 - y_hat))).T / K"},
    "dyhat_dz3_sigmoid": {"right": "diag(sigmoid(z3) * (1 - sigmoid(z3)))",
                          "transposed": "diag(y_hat * (1 - y_hat)).T",
                          "misshapen": "y_hat.T * (1 - y_hat.T)",
                          "wrong": "diag(y_hat * (1 + y_hat))"},
}
# A right answer written another way, for the targets where students write it so.
ALSO_RIGHT = [("z2", "relu(z1)"), ("z3", "W2 @ relu(W1 @ x + b1) + b2"), ("y_hat", "z3"),
              ("dl_dW2", "relu(z1) @ dl_dyhat @ dyhat_dz3"), ("dl_dyhat", "2*y_hat.T - 2*y.T"),
              ("dl_db2", "(dyhat_dz3.T @ dl_dyhat.T).T"), ("dyhat_dz3_sigmoid",
                                                          "diag(y_hat - y_hat * y_hat)"),
              ("dl_dyhat_bce", "(y_hat.T - y.T) / (y_hat.T - y_hat.T * y_hat.T) / 4")]
# A typed common mistake and the name the verdict must give it.
MISTAKES = [
    ("dl_dW1", "x @ dl_dyhat @ dyhat_dz3 @ W2", "f′ left out"),
    ("dl_db1", "dl_dyhat @ dyhat_dz3 @ W2", "f′ left out"),
    ("dl_dW1", "x @ dl_dyhat @ W2 @ dz2_dz1", "∂ŷ/∂z₃ left out"),
    ("dl_dW2", "z2 @ dl_dyhat", "∂ŷ/∂z₃ left out"),
    ("dl_db2", "dl_dyhat", "∂ŷ/∂z₃ left out"),
    ("dl_dW2", "dl_dyhat.T @ z2.T", "∂ŷ/∂z₃ left out"),  # and transposed
    ("dl_dW2", "z2 @ dl_dyhat @ dyhat_dz3.T", "a Jacobian transposed"),
    ("dl_db1", "dl_dyhat @ dyhat_dz3 @ W2 @ dz2_dz1.T", "a Jacobian transposed"),
    ("dl_dW2", "z1 @ dl_dyhat @ dyhat_dz3", "z₁ where z₂ belongs"),
    ("dl_db2", "dl_dyhat @ dyhat_dz3 / K", "the bias averaged"),
    ("dl_db2", "dl_dyhat @ dyhat_dz3 @ ones(K) / K", "the bias averaged"),
    ("dyhat_dz3_sigmoid", "diag(sigmoid(y_hat) * (1 - sigmoid(y_hat)))", "σ′ at the output"),
    ("dl_dyhat", "(y_hat - y).T", "without the 2"),
    ("dl_dyhat_bce", "(y_hat - y).T / K", "the fused gradient"),
    ("dz2_dz1", "step(z1)", "∂z₂/∂z₁ as a vector"),
    ("y_hat", "relu(W2 @ (W1 @ x + b1) + b2)", "f and g swapped"),
    ("z2", "z1", "f left out"),
]

SEEDS = (*A.DRAWS, 101, 202)  # the judge's points and two it never sees


def _relu(u):
    return sp.Max(0, u)


def _network_11():
    """The 1.1 network entry by entry in real symbols: returns the symbols, the forward
    values and the loss, each z a list of explicit sums."""
    n, m, K = A.SIZES["n"], A.SIZES["m"], A.SIZES["K"]
    s = {name: sp.Matrix(*[A._dim(d) for d in A.SHAPES[name]],
                         lambda i, j, name=name: sp.Symbol(f"{name}_{i}{j}", real=True))
         for name in ("x", "y", "W1", "b1", "W2", "b2")}
    z1 = [sum(s["W1"][i, j] * s["x"][j] for j in range(n)) + s["b1"][i] for i in range(m)]
    z2 = [_relu(e) for e in z1]
    z3 = [sum(s["W2"][k, i] * z2[i] for i in range(m)) + s["b2"][k] for k in range(K)]
    loss = sum((z3[k] - s["y"][k]) ** 2 for k in range(K))
    return s, dict(z1=z1, z2=z2, z3=z3, y_hat=z3), loss


def _at(expr, point: dict):
    return sp.sympify(expr).xreplace(point)


def _point(s: dict, values: dict) -> dict:
    return {s[name][i]: values[name][i] for name in s for i in range(len(s[name]))}


def _true_jacobians_11(values: dict) -> dict:
    """∂ℓ/∂ŷ, ∂z₂/∂z₁ and ∂ŷ/∂z₃ of the 1.1 network by `Matrix.jacobian`, at `values`."""
    K, m = A.SIZES["K"], A.SIZES["m"]
    yh = sp.Matrix(K, 1, lambda i, _: sp.Symbol(f"yh{i}", real=True))
    z1 = sp.Matrix(m, 1, lambda i, _: sp.Symbol(f"u{i}", real=True))
    z3 = sp.Matrix(K, 1, lambda i, _: sp.Symbol(f"v{i}", real=True))
    loss = sp.Matrix([sum((yh[k] - values["y"][k]) ** 2 for k in range(K))])
    at = {**dict(zip(yh, values["y_hat"], strict=True)), **dict(zip(z1, values["z1"],
                                                                   strict=True))}
    return {"dl_dyhat": loss.jacobian(yh).xreplace(at),
            "dz2_dz1": z1.applyfunc(_relu).jacobian(z1).xreplace(at),
            "dyhat_dz3": z3.jacobian(z3)}


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_references_are_the_network(seed):
    s, forward, _ = _network_11()
    values = A.draw(seed, "1.1")
    point = _point(s, values)
    for name in ("z1", "z2", "z3", "y_hat"):
        derived = sp.Matrix([_at(e, point) for e in forward[name]])
        assert A.TARGETS[name].answer(values) == derived, name
        assert values[name] == derived, name  # the judge's own forward values


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["dl_dW1", "dl_db1", "dl_dW2", "dl_db2"])
def test_gradient_references_are_diff_entry_by_entry(name, seed):
    """Numerator layout: entry (i, j) of ∂ℓ/∂θ is ∂ℓ/∂θ_{ji}, of shape θᵀ."""
    s, _, loss = _network_11()
    values = A.draw(seed, "1.1")
    theta = s[name.removeprefix("dl_d")]
    derived = sp.Matrix(theta.cols, theta.rows,
                        lambda i, j: _at(sp.diff(loss, theta[j, i]), _point(s, values)))
    true = {**values, **_true_jacobians_11(values)}
    assert A.TARGETS[name].answer(true) == derived
    assert A.TARGETS[name].dims() == derived.shape


@pytest.mark.parametrize("seed", SEEDS)
def test_jacobian_references_are_matrix_jacobian(seed):
    values = A.draw(seed, "1.1")
    true = _true_jacobians_11(values)
    for name in ("dl_dyhat", "dz2_dz1", "dyhat_dz3"):
        assert A.TARGETS[name].answer(values) == true[name], name
        assert A.TARGETS[name].dims() == true[name].shape


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_and_bce_references_are_matrix_jacobian(seed):
    """1.2: ŷ = σ(z₃), the homework's BCE ℓ = (1/K) Σ −[y log ŷ + (1 − y) log(1 − ŷ)]."""
    K = A.SIZES["K"]
    values = A.draw(seed, "1.2")
    yh = sp.Matrix(K, 1, lambda i, _: sp.Symbol(f"yh{i}", positive=True))
    z3 = sp.Matrix(K, 1, lambda i, _: sp.Symbol(f"v{i}", real=True))
    y = values["y"]
    bce = sp.Matrix([sum(-(y[k] * sp.log(yh[k]) + (1 - y[k]) * sp.log(1 - yh[k]))
                         for k in range(K)) / K])
    derived = bce.jacobian(yh).xreplace(dict(zip(yh, values["y_hat"], strict=True)))
    assert A.TARGETS["dl_dyhat_bce"].answer(values) == derived
    sigma = z3.applyfunc(lambda u: 1 / (1 + sp.exp(-u))).jacobian(z3)
    derived = sigma.xreplace(dict(zip(z3, values["z3"], strict=True))).applyfunc(sp.simplify)
    assert A.TARGETS["dyhat_dz3_sigmoid"].answer(values) == derived
    assert values["z3"].applyfunc(lambda u: 1 / (1 + sp.exp(-u))) == values["y_hat"]


@pytest.mark.parametrize("name", list(A.TARGETS))
def test_every_mistake_differs_from_the_reference_and_from_each_other(name):
    target = A.TARGETS[name]
    points = A.points(target.network)
    reference = [target.answer(v) for v in points]
    seen = [reference]
    for mistake in target.mistakes:
        wrong = [mistake.value(v) for v in points]
        for other in seen:
            assert not all(A._same(a, b) for a, b in zip(wrong, other, strict=True)), \
                mistake.name


def test_points_differ_and_the_sizes_differ():
    assert len(A.DRAWS) >= 2 and len(set(A.SIZES.values())) == 3
    first, second = A.points("1.1")[:2]
    assert all(first[k] != second[k] for k in A.SHAPES)
    for v in A.points("1.1"):  # both signs in z1, so a ReLU left out shows
        assert any(e > 0 for e in v["z1"]) and any(e < 0 for e in v["z1"])


@pytest.mark.parametrize("name", list(ANSWERS))
def test_verdicts_for_the_four_kinds(name):
    typed = ANSWERS[name]
    target = A.TARGETS[name]
    right = A.judge(name, typed["right"])
    assert right["kind"] == "correct" and right["text"].startswith("Correct"), right
    transposed = A.judge(name, typed["transposed"])
    if target.shape[0] == target.shape[1]:  # a diagonal Jacobian is its own transpose
        assert transposed["kind"] == "correct", transposed
    else:
        assert transposed["kind"] == "transposed", transposed
        assert transposed["text"].startswith("Transposed")
        assert "numerator layout" in transposed["text"]
    misshapen = A.judge(name, typed["misshapen"])
    assert misshapen["kind"] in ("shape", "mistake") and "Shape" in misshapen["text"], misshapen
    assert A.shape_text(target.dims()) in misshapen["text"]
    wrong = A.judge(name, typed["wrong"])
    assert wrong["kind"] == "wrong" and wrong["text"].startswith("Not right"), wrong


def test_a_transposed_gradient_names_the_layouts():
    text = A.judge("dl_dW2", ANSWERS["dl_dW2"]["transposed"])["text"]
    assert text == ("Transposed: yours, K×m, is the gradient (∂ℓ/∂W⁽²⁾)ᵀ, shaped like W⁽²⁾ as "
                    "torch's .grad is. The homework asks for numerator layout: ∂ℓ/∂W⁽²⁾ is m×K, "
                    "the transpose of yours.")


def test_misshapen_names_both_shapes():
    assert A.judge("dl_dW2", "x @ dl_dyhat")["text"] == "Shape: yours is n×K, the answer is m×K."
    text = A.judge("dl_dW1", "dl_dyhat @ dyhat_dz3 @ W2.T")["text"]
    assert "multiplies 1×K by m×K" in text and "The answer is n×m" in text


@pytest.mark.parametrize(("name", "text"), ALSO_RIGHT)
def test_right_answers_written_otherwise(name, text):
    assert A.judge(name, text)["kind"] == "correct"


@pytest.mark.parametrize(("name", "text", "mistake"), MISTAKES)
def test_common_mistakes_are_named(name, text, mistake):
    verdict = A.judge(name, text)
    assert verdict["kind"] == "mistake" and verdict["mistake"] == mistake, verdict
    assert f"“{mistake}”" in verdict["text"]


def test_leaving_out_dyhat_dz3_is_caught_although_g_is_the_identity():
    """In 1.1 ∂ŷ/∂z₃ = I, so only its general value tells the two apart."""
    assert A.TARGETS["dyhat_dz3"].answer(A.points("1.1")[0]) == sp.eye(A.SIZES["K"])
    assert A.judge("dl_db2", "dl_dyhat")["kind"] == "mistake"


def test_a_factor_is_named():
    assert A.judge("dl_dW2", "2 * z2 @ dl_dyhat @ dyhat_dz3")["text"].startswith(
        "Not right: yours is 2 times ∂ℓ/∂W⁽²⁾")


@pytest.mark.parametrize(("text", "words"), [
    ("W3 @ x", "Unknown name W3 at character 1"),
    ("2 * yhat", "Unknown name yhat at character 5 (`yhat`). Did you mean y_hat?"),
    ("W1 @ x +", "Syntax error at character 8"),
    ("(W1 @ x", "'(' was never closed"),
    ("W1 ^ x", "^ (a power is **, a product @ or *) is not allowed here at character 1"),
    ("x.__class__", "Only .T may follow a name"),
    ("__import__('os')", "Only relu, sigmoid, step, diag, ones, eye can be called"),
    ("eval('1')", "Only relu"),
    ("x[0]", "Indexing [ ] is not allowed"),
    ("lambda: 1", "Lambda is not allowed"),
    ("'a'", "'a' is not a number"),
    ("", "Type an expression first."),
    ("x" * 500, "400 at most"),
])
def test_unreadable_input_says_what_and_where(text, words):
    verdict = A.judge("dl_dyhat" if "yhat" in text else "z1", text)
    assert verdict["kind"] == "error" and words in verdict["text"], verdict


def test_a_symbol_the_question_does_not_allow():
    text = A.judge("z1", "dl_dyhat @ x")["text"]
    assert text.startswith("dl_dyhat at character 1") and "not allowed in 1.1.b" in text


def test_respond_is_json_and_never_raises():
    out = json.loads(A.respond("dl_dW2", "z2 @ dl_dyhat @ dyhat_dz3"))
    assert out["kind"] == "correct" and isinstance(out["ms"], int)
    assert json.loads(A.respond("dl_dW2", "1/(z2 - z2) @ dl_dyhat"))["kind"] in ("shape", "error")
    assert set(json.loads(A.page_setup())) == set(A.TARGETS)


def test_answers_imports_nothing_the_browser_lacks():
    """The page ships answers.py alone into Pyodide: only SymPy and the standard library."""
    import ast as python_ast
    from pathlib import Path

    tree = python_ast.parse(Path(A.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in python_ast.walk(tree)
                if isinstance(n, python_ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in python_ast.walk(tree)
                 if isinstance(n, python_ast.ImportFrom) and n.level == 0}
    assert imported <= {"__future__", "ast", "difflib", "json", "random", "time",
                        "collections", "dataclasses", "sympy"}, imported
