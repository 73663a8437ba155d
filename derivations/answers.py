r"""A student's own answer to a homework formula question, judged by value.

The homework pages put a box under each formula question (1.1.b-1.1.d, 1.2.b); the browser runs
this module in Pyodide and the tests import it natively: pure SymPy and the standard library,
nothing else from `derivations`.

- `TARGETS`: every quantity a box asks for, its reference answer in numerator layout (the
  homework's) as a function of the symbols' values, the symbols the question allows, and the
  common mistakes, each a variant of the reference.
- `judge(target, text)`: parses `text` with `ast` over a whitelist of node types (never
  `eval`), evaluates it at `DRAWS` random points and compares it with the reference exactly.
  The verdict says: correct, transposed (the gradient $\nabla_\theta \ell$ where the
  homework asks for $\partial \ell / \partial \theta$), misshapen (both shapes), which
  common mistake it is, or wrong; or which name or character it cannot read, and where.
- `respond(target, text)`: the verdict as the JSON the page reads.

Sizes: $n = 2$, $m = 3$, $K = 4$, all different, so a shape tells a matrix from its transpose.
The Jacobian symbols `dl_dyhat` ($1 \times K$), `dz2_dz1` ($m \times m$) and `dyhat_dz3`
($K \times K$) take general random values, not the ones they have in 1.1: so an answer that
leaves out $\partial \hat y / \partial z_3$ is caught although $g$ is the identity there.
`x, y, W1, b1, W2, b2` are random too, and `z1, z2, z3, y_hat` their forward values in the
question's network (1.1: $f = (\cdot)^+$, $g = \operatorname{id}$; 1.2: $g = \sigma$, where
$\hat y$ is drawn in $(0, 1)$ and $z_3 = \log(\hat y / (1 - \hat y))$, so
$\sigma(z_3) = \hat y$ exactly).

Values are rational, so a comparison is exact; only an answer that takes $\sigma$ of a number
other than $z_3$ leaves the rationals, and then a difference that is not 0 to 50 digits counts
as a difference, and one that is counts as 0 only if `sympy.simplify` proves it.
"""

from __future__ import annotations

import ast
import difflib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

SIZES = {"n": 2, "m": 3, "K": 4}
"""The widths the answers are evaluated at: input n, hidden m, output K, all different."""
DRAWS = (11, 23, 37)
"""The seeds of the random points: an answer must agree with the reference at each."""
MAX_LENGTH = 400

SHAPES: dict[str, tuple[str, str]] = {
    "x": ("n", "1"), "y": ("K", "1"), "W1": ("m", "n"), "b1": ("m", "1"),
    "W2": ("K", "m"), "b2": ("K", "1"), "z1": ("m", "1"), "z2": ("m", "1"),
    "z3": ("K", "1"), "y_hat": ("K", "1"),
    "dl_dyhat": ("1", "K"), "dz2_dz1": ("m", "m"), "dyhat_dz3": ("K", "K"),
}
"""Every symbol a student may type, with its shape in the homework's numerator layout."""
JACOBIANS = ("dl_dyhat", "dz2_dz1", "dyhat_dz3")


def _dim(size: str) -> int:
    return SIZES.get(size) or int(size)


def shape_text(shape: tuple[int, int] | None) -> str:
    """A shape in the homework's letters, ``"m×K"``; ``"a number"`` for a scalar."""
    if shape is None:
        return "a number"
    names = {v: k for k, v in SIZES.items()}
    return "×".join(names.get(d, str(d)) for d in shape)


# The functions a student may call, entry by entry unless said otherwise.

def _entrywise(f: Callable[[sp.Expr], sp.Expr]) -> Callable:
    def apply(a):
        return a.applyfunc(f) if isinstance(a, sp.MatrixBase) else f(a)
    return apply


relu = _entrywise(lambda u: sp.Max(0, u))
sigmoid = _entrywise(lambda u: 1 / (1 + sp.exp(-u)))
step = _entrywise(lambda u: sp.Heaviside(u, 0))
"""ReLU's derivative: 1 where u > 0, else 0 (0 at 0 too, torch's convention)."""


def diag(v: sp.MatrixBase) -> sp.Matrix:
    """The square matrix with the entries of the vector v (a row or a column) on its diagonal."""
    if not isinstance(v, sp.MatrixBase) or 1 not in v.shape:
        raise ShapeError(f"diag(...) takes a vector (a row or a column); yours is "
                         f"{shape_text(_shape(v))}.")
    return sp.diag(*list(v))


def ones(k) -> sp.Matrix:
    """The column of k ones, k×1."""
    return sp.ones(_size_argument("ones", k), 1)


def eye(k) -> sp.Matrix:
    """The k×k identity."""
    return sp.eye(_size_argument("eye", k))


FUNCTIONS: dict[str, Callable] = {"relu": relu, "sigmoid": sigmoid, "step": step,
                                  "diag": diag, "ones": ones, "eye": eye}


class AnswerError(ValueError):
    """The text cannot be read: the message says what and where, in the page's words."""


class ShapeError(ValueError):
    """The text reads, but its shapes do not fit: the message names both shapes."""


def _size_argument(name: str, k) -> int:
    if isinstance(k, sp.MatrixBase) or not (sp.sympify(k).is_Integer and 1 <= k <= 50):
        raise ShapeError(f"{name}(k) takes a size, such as K or 4.")
    return int(k)


def _shape(a) -> tuple[int, int] | None:
    return a.shape if isinstance(a, sp.MatrixBase) else None


# The reference answers, in numerator layout, as functions of the symbols' values `v`.

@dataclass(frozen=True)
class Mistake:
    """A common mistake: a variant of the reference answer, named as the page names it.

    Attributes:
        name: what the mistake is, in a few words ("f′ left out").
        why: one sentence a student can act on.
        value: the symbols' values -> what the mistake computes.
        box: words of the title of the page's "Common mistake" box on it, or "".
    """

    name: str
    why: str
    value: Callable[[dict], sp.Matrix]
    box: str = ""


@dataclass(frozen=True)
class Target:
    r"""One quantity a box asks for.

    Attributes:
        name: the box's `data-target`, e.g. ``"dl_dW2"``.
        question: the homework question, ``"1.1.c"``.
        label: the quantity as the page writes it, in Unicode (``"∂ℓ/∂W⁽²⁾"``).
        network: ``"1.1"`` (ReLU, identity) or ``"1.2"`` (sigmoid output): the forward values.
        shape: the answer's shape in numerator layout, in the homework's letters.
        allowed: the symbols the question lets an answer use.
        answer: the symbols' values -> the reference answer, a SymPy matrix.
        transposed: what the transpose of the answer is called, the layout the gradient
            $\nabla_\theta \ell$ uses (torch's `.grad`), or a column's row.
        mistakes: the common mistakes this quantity draws.
    """

    name: str
    question: str
    label: str
    network: str
    shape: tuple[str, str]
    allowed: tuple[str, ...]
    answer: Callable[[dict], sp.Matrix]
    transposed: str
    mistakes: tuple[Mistake, ...] = field(default=())

    def dims(self) -> tuple[int, int]:
        return (_dim(self.shape[0]), _dim(self.shape[1]))


BASE = ("x", "y", "W1", "b1", "W2", "b2")
FORWARD = ("z1", "z2", "z3", "y_hat")
K_ = SIZES["K"]

_F_LEFT_OUT = "f′ left out"
_F_WHY = ("∂z₂/∂z₁ belongs after W⁽²⁾: the gradient passes back through f before it reaches "
          "the first layer.")
_G_LEFT_OUT = "∂ŷ/∂z₃ left out"
_G_WHY = ("∂ŷ/∂z₃ belongs right after ∂ℓ/∂ŷ. It is the identity in 1.1, but the answer is "
          "asked for in these symbols, and with a sigmoid output (1.2) it is not.")
_JT = "a Jacobian transposed"
_JT_WHY = ("In numerator layout the chain rule multiplies the Jacobians as they are, "
           "left to right; only the gradient ∇θℓ, the whole product transposed, reverses and "
           "transposes them all.")
_AVG = "the bias averaged"
_AVG_WHY = ("For one sample nothing is averaged: ∂ℓ/∂b has one entry per bias, each the sum "
            "the chain rule gives.")


def _dl_dz3(v):
    return v["dl_dyhat"] * v["dyhat_dz3"]


def _dl_dz1(v):
    return _dl_dz3(v) * v["W2"] * v["dz2_dz1"]


def _bce(difference, v):
    """(difference / (ŷ(1 − ŷ)))ᵀ, entry by entry: K times BCE's ∂ℓ/∂ŷ when difference is ŷ − y."""
    return difference.multiply_elementwise(v["y_hat"].applyfunc(lambda p: 1 / (p * (1 - p)))).T


TARGETS: dict[str, Target] = {t.name: t for t in [
    Target("z1", "1.1.b", "z₁", "1.1", ("m", "1"), BASE, lambda v: v["W1"] * v["x"] + v["b1"],
           "z₁ᵀ, a row; the homework's vectors are columns", (
               Mistake("b⁽¹⁾ left out", "Linear₁ adds its bias: z₁ = W⁽¹⁾x + b⁽¹⁾.",
                       lambda v: v["W1"] * v["x"]),)),
    Target("z2", "1.1.b", "z₂", "1.1", ("m", "1"), (*BASE, "z1"),
           lambda v: relu(v["W1"] * v["x"] + v["b1"]),
           "z₂ᵀ, a row; the homework's vectors are columns", (
               Mistake("f left out", "z₂ is f(z₁), here the ReLU (·)⁺ of z₁.",
                       lambda v: v["W1"] * v["x"] + v["b1"]),)),
    Target("z3", "1.1.b", "z₃", "1.1", ("K", "1"), (*BASE, "z1", "z2"),
           lambda v: v["W2"] * relu(v["W1"] * v["x"] + v["b1"]) + v["b2"],
           "z₃ᵀ, a row; the homework's vectors are columns", (
               Mistake("f left out (z₁ where z₂ belongs)",
                       "Linear₂ acts on z₂ = f(z₁), the ReLU's output, not on z₁.",
                       lambda v: v["W2"] * (v["W1"] * v["x"] + v["b1"]) + v["b2"]),
               Mistake("b⁽²⁾ left out", "Linear₂ adds its bias: z₃ = W⁽²⁾z₂ + b⁽²⁾.",
                       lambda v: v["W2"] * relu(v["W1"] * v["x"] + v["b1"])))),
    Target("y_hat", "1.1.b", "ŷ", "1.1", ("K", "1"), (*BASE, "z1", "z2", "z3"),
           lambda v: v["W2"] * relu(v["W1"] * v["x"] + v["b1"]) + v["b2"],
           "ŷᵀ, a row; the homework's vectors are columns", (
               Mistake("f and g swapped", "In 1.1 f is the ReLU, inside; g, at the output, is "
                       "the identity.",
                       lambda v: relu(v["W2"] * (v["W1"] * v["x"] + v["b1"]) + v["b2"]),
                       "f and g swapped"),
               Mistake("f left out", "The hidden layer applies f = (·)⁺ to z₁ before Linear₂.",
                       lambda v: v["W2"] * (v["W1"] * v["x"] + v["b1"]) + v["b2"]))),
    Target("dl_dW1", "1.1.c", "∂ℓ/∂W⁽¹⁾", "1.1", ("n", "m"), (*BASE, *JACOBIANS, *FORWARD),
           lambda v: v["x"] * _dl_dz1(v),
           "the gradient (∂ℓ/∂W⁽¹⁾)ᵀ, shaped like W⁽¹⁾ as torch's .grad is", (
               Mistake(_F_LEFT_OUT, _F_WHY, lambda v: v["x"] * _dl_dz3(v) * v["W2"]),
               Mistake(_G_LEFT_OUT, _G_WHY,
                       lambda v: v["x"] * v["dl_dyhat"] * v["W2"] * v["dz2_dz1"]),
               Mistake(_JT, _JT_WHY,
                       lambda v: v["x"] * _dl_dz3(v) * v["W2"] * v["dz2_dz1"].T, "transpose"),
               Mistake(_JT, _JT_WHY, lambda v: v["x"] * v["dl_dyhat"] * v["dyhat_dz3"].T
                       * v["W2"] * v["dz2_dz1"], "transpose"))),
    Target("dl_db1", "1.1.c", "∂ℓ/∂b⁽¹⁾", "1.1", ("1", "m"), (*BASE, *JACOBIANS, *FORWARD),
           _dl_dz1, "the gradient (∂ℓ/∂b⁽¹⁾)ᵀ, a column like b⁽¹⁾", (
               Mistake(_F_LEFT_OUT, _F_WHY, lambda v: _dl_dz3(v) * v["W2"]),
               Mistake(_G_LEFT_OUT, _G_WHY, lambda v: v["dl_dyhat"] * v["W2"] * v["dz2_dz1"]),
               Mistake(_JT, _JT_WHY, lambda v: _dl_dz3(v) * v["W2"] * v["dz2_dz1"].T,
                       "transpose"),
               Mistake(_AVG, _AVG_WHY, lambda v: _dl_dz1(v) * sp.ones(SIZES["m"], 1)
                       / SIZES["m"], "averaged"))),
    Target("dl_dW2", "1.1.c", "∂ℓ/∂W⁽²⁾", "1.1", ("m", "K"), (*BASE, *JACOBIANS, *FORWARD),
           lambda v: v["z2"] * _dl_dz3(v),
           "the gradient (∂ℓ/∂W⁽²⁾)ᵀ, shaped like W⁽²⁾ as torch's .grad is", (
               Mistake(_G_LEFT_OUT, _G_WHY, lambda v: v["z2"] * v["dl_dyhat"]),
               Mistake("z₁ where z₂ belongs", "W⁽²⁾ multiplies z₂ = f(z₁), the ReLU's output, "
                       "so z₂ is what its gradient carries.", lambda v: v["z1"] * _dl_dz3(v)),
               Mistake(_JT, _JT_WHY, lambda v: v["z2"] * v["dl_dyhat"] * v["dyhat_dz3"].T,
                       "transpose"))),
    Target("dl_db2", "1.1.c", "∂ℓ/∂b⁽²⁾", "1.1", ("1", "K"), (*BASE, *JACOBIANS, *FORWARD),
           _dl_dz3, "the gradient (∂ℓ/∂b⁽²⁾)ᵀ, a column like b⁽²⁾", (
               Mistake(_G_LEFT_OUT, _G_WHY, lambda v: v["dl_dyhat"]),
               Mistake(_JT, _JT_WHY, lambda v: v["dl_dyhat"] * v["dyhat_dz3"].T, "transpose"),
               Mistake(_AVG, _AVG_WHY, lambda v: _dl_dz3(v) * sp.ones(K_, 1) / K_,
                       "averaged"),
               Mistake(_AVG, _AVG_WHY, lambda v: _dl_dz3(v) / K_, "averaged"))),
    Target("dl_dyhat", "1.1.d", "∂ℓ/∂ŷ", "1.1", ("1", "K"), ("y", "y_hat", "z3"),
           lambda v: 2 * (v["y_hat"] - v["y"]).T,
           "the gradient (∂ℓ/∂ŷ)ᵀ, a column like ŷ", (
               Mistake("without the 2", "The homework's loss is ‖ŷ − y‖², without the "
                       "lecture's ½: its derivative keeps the 2.",
                       lambda v: (v["y_hat"] - v["y"]).T, "without the 2"),
               Mistake("the sign flipped", "ℓ grows as ŷ moves away from y: the derivative "
                       "is 2(ŷ − y)ᵀ, not 2(y − ŷ)ᵀ.", lambda v: 2 * (v["y"] - v["y_hat"]).T))),
    Target("dz2_dz1", "1.1.d", "∂z₂/∂z₁", "1.1", ("m", "m"), ("z1", "z2"),
           lambda v: diag(step(v["z1"])), "its own transpose", (
               Mistake("∂z₂/∂z₁ as a vector", "f acts entry by entry, so its Jacobian is the "
                       "m×m diagonal matrix diag(f′(z₁)), not the column f′(z₁).",
                       lambda v: step(v["z1"]), "as a vector"),
               Mistake("f itself, not f′", "The Jacobian holds the derivative of the ReLU, "
                       "1 where z₁ > 0 and 0 elsewhere, not the ReLU's values.",
                       lambda v: diag(relu(v["z1"]))))),
    Target("dyhat_dz3", "1.1.d", "∂ŷ/∂z₃", "1.1", ("K", "K"), ("z3", "y_hat"),
           lambda v: sp.eye(K_), "its own transpose", (
               Mistake("∂ŷ/∂z₃ as a vector", "g acts entry by entry, so its Jacobian is the "
                       "K×K diagonal matrix diag(g′(z₃)), here the identity.",
                       lambda v: sp.ones(K_, 1), "as a vector"),)),
    Target("dl_dyhat_bce", "1.2.b", "∂ℓ/∂ŷ with BCE", "1.2", ("1", "K"), ("y", "y_hat", "z3"),
           lambda v: _bce(v["y_hat"] - v["y"], v) / K_,
           "the gradient (∂ℓ/∂ŷ)ᵀ, a column like ŷ", (
               Mistake("the 1/K left out", "The homework's BCE averages over the K outputs: "
                       "ℓ = (1/K) Σᵢ …, so its derivative keeps the 1/K.",
                       lambda v: _bce(v["y_hat"] - v["y"], v)),
               Mistake("the fused gradient", "(ŷ − y)ᵀ/K is ∂ℓ/∂z₃, the loss and the sigmoid "
                       "together; ∂ℓ/∂ŷ is the loss alone and divides by ŷ(1 − ŷ) entry by "
                       "entry.", lambda v: (v["y_hat"] - v["y"]).T / K_, "fused gradient"),
               Mistake("the sign flipped", "ℓ falls as ŷᵢ moves toward yᵢ: the derivative is "
                       "(ŷ − y)/(ŷ(1 − ŷ)), not (y − ŷ)/(ŷ(1 − ŷ)).",
                       lambda v: _bce(v["y"] - v["y_hat"], v) / K_))),
    Target("dyhat_dz3_sigmoid", "1.2.b", "∂ŷ/∂z₃ with g = σ", "1.2", ("K", "K"),
           ("z3", "y_hat"), lambda v: diag(v["y_hat"].applyfunc(lambda p: p * (1 - p))),
           "its own transpose", (
               Mistake("σ′ at the output", "σ′(z₃) = σ(z₃)(1 − σ(z₃)) = ŷ(1 − ŷ): the "
                       "derivative is taken at the input z₃, and σ(ŷ) is not ŷ.",
                       lambda v: diag(sigmoid(v["y_hat"]).applyfunc(lambda s: s * (1 - s))),
                       "at its output"),
               Mistake("∂ŷ/∂z₃ as a vector", "g acts entry by entry, so its Jacobian is the "
                       "K×K diagonal matrix diag(ŷ ⊙ (1 − ŷ)), not the column.",
                       lambda v: v["y_hat"].applyfunc(lambda p: p * (1 - p)), "as a vector"))),
]}
"""Every box's quantity, by its `data-target`."""


# The random points.

def _rational(rng: random.Random, low: int = -9, high: int = 9) -> sp.Rational:
    while True:
        value = sp.Rational(rng.randint(low, high), rng.randint(1, 5))
        if value != 0:
            return value


def _random_matrix(rng, shape) -> sp.Matrix:
    return sp.Matrix(_dim(shape[0]), _dim(shape[1]), lambda i, j: _rational(rng))


def draw(seed: int, network: str) -> dict[str, sp.Matrix]:
    r"""The symbols' values at one random point: rational, of their shapes, and for
    `z1, z2, z3, y_hat` the forward values of the question's network.

    1.1: $z_1$ has entries of both signs and none 0, so a ReLU left out changes the answer.
    1.2: $\hat y$ in $(0, 1)$, distinct entries, $z_3 = \log(\hat y / (1 - \hat y))$.
    """
    rng = random.Random(seed)
    while True:
        v = {name: _random_matrix(rng, shape) for name, shape in SHAPES.items()}
        if network == "1.1":
            v["z1"] = v["W1"] * v["x"] + v["b1"]
            if 0 in v["z1"] or all(e > 0 for e in v["z1"]) or all(e < 0 for e in v["z1"]):
                continue
            v["z2"] = relu(v["z1"])
            v["z3"] = v["W2"] * v["z2"] + v["b2"]
            v["y_hat"] = v["z3"]
        else:
            p = [sp.Rational(k, 10) for k in rng.sample(range(1, 10), K_)]
            v["y_hat"] = sp.Matrix(p)
            v["z3"] = sp.Matrix([sp.log(q / (1 - q)) for q in p])
            v["y"] = sp.Matrix([sp.Rational(rng.randint(0, 4), 4) for _ in p])
        return v


def points(network: str) -> list[dict[str, sp.Matrix]]:
    """The values at every seed of `DRAWS`."""
    return [draw(seed, network) for seed in DRAWS]


# Reading the text: ast over a whitelist, no eval.

_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Load, ast.Constant,
          ast.Attribute)
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult, ast.Pow, ast.USub, ast.UAdd)
_REFUSED = {ast.BitXor: "^ (a power is **, a product @ or *)", ast.Invert: "~",
            ast.Subscript: "indexing [ ]",
            ast.Compare: "a comparison", ast.List: "a list [ ]", ast.Tuple: "a tuple",
            ast.Lambda: "lambda", ast.FloorDiv: "//", ast.Mod: "%"}


def _where(text: str, node) -> str:
    col = node.col_offset
    return f" at character {col + 1} (`{ast.get_source_segment(text, node) or text[col:]}`)"


def parse(text: str, target: Target) -> ast.Expression:
    """The answer's syntax tree, every node of a whitelisted type, every name allowed.

    Raises:
        AnswerError: empty or too long, a syntax error (with its place), a node outside the
            whitelist, a name the question does not allow (with its place, and the closest
            allowed name).
    """
    text = " ".join(text.split())
    if not text:
        raise AnswerError("Type an expression first.")
    if len(text) > MAX_LENGTH:
        raise AnswerError(f"That is {len(text)} characters; {MAX_LENGTH} at most.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        col = err.offset or len(text)
        pointer = text[max(0, col - 8):col + 8]
        msg = err.msg.replace("invalid syntax. ", "").replace("invalid syntax",
                                                               "Python cannot read it there")
        raise AnswerError(f"Syntax error at character {col} (near `{pointer.strip()}`): "
                          f"{msg}.") from None
    names = set(target.allowed) | set(FUNCTIONS) | set(SIZES)
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp | ast.UnaryOp) and not isinstance(node.op, _OPERATORS):
            what = _REFUSED.get(type(node.op), type(node.op).__name__)
            raise AnswerError(f"{what[0].upper()}{what[1:]} is not allowed here"
                              f"{_where(text, node)}.")
        if isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
            continue
        if not isinstance(node, _NODES):
            what = _REFUSED.get(type(node), type(node).__name__)
            raise AnswerError(f"{what[0].upper()}{what[1:]} is not allowed here"
                              f"{_where(text, node)}.")
        if isinstance(node, ast.Name) and node.id not in names:
            raise AnswerError(_unknown(node.id, target, _where(text, node)))
        if isinstance(node, ast.Attribute) and node.attr != "T":
            raise AnswerError(f"Only .T may follow a name; .{node.attr} is not allowed"
                              f"{_where(text, node)}.")
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool)
                                               or not isinstance(node.value, int | float)):
            raise AnswerError(f"{node.value!r} is not a number{_where(text, node)}.")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise AnswerError(f"Only {', '.join(FUNCTIONS)} can be called; not"
                                  f"{_where(text, node)}.")
            if node.keywords or len(node.args) != 1:
                raise AnswerError(f"{node.func.id}(...) takes one argument; not"
                                  f"{_where(text, node)}.")
    tree.text = text  # for the places in later messages
    return tree


_SPELLED = {"ŷ": "y_hat", "yhat": "y_hat", "σ": "sigmoid", "ReLU": "relu", "I": "eye",
            "z₁": "z1", "z₂": "z2", "z₃": "z3"}


def _unknown(name: str, target: Target, where: str) -> str:
    allowed = ", ".join(target.allowed)
    if name in SHAPES:
        return f"{name}{where} is not allowed in {target.question}; it may use {allowed}."
    known = {n.lower(): n for n in [*target.allowed, *FUNCTIONS]}
    close = difflib.get_close_matches(_SPELLED.get(name, name).lower(), known, n=1)
    hint = f" Did you mean {known[close[0]]}?" if close else ""
    return (f"Unknown name {name}{where}.{hint} This question allows {allowed}; the functions "
            f"{', '.join(FUNCTIONS)}; the sizes n, m, K.")


def _binary(op, a, b, text: str, node):
    where = f"`{ast.get_source_segment(text, node)}`"
    sa, sb = _shape(a), _shape(b)
    if isinstance(op, ast.MatMult):
        if sa is None or sb is None:
            raise ShapeError(f"Shape: {where}: @ multiplies two matrices, and one is a number; "
                             "use * for a number.")
        if sa[1] != sb[0]:
            hint = ""
            if sa[1] == sb[1] or sa[0] == sb[0]:
                hint = " A transpose left out?"
            raise ShapeError(f"Shape: {where} multiplies {shape_text(sa)} by {shape_text(sb)}, "
                             f"which do not fit.{hint}")
        return a * b
    if isinstance(op, ast.Pow):
        if sb is not None or not sp.sympify(b).is_Integer:
            raise ShapeError(f"{where}: ** takes a whole number as its exponent.")
        return a.applyfunc(lambda e: e ** b) if sa else a ** b
    if sa is not None and sb is not None and sa != sb:
        if (1, 1) in (sa, sb):  # a 1×1 matrix acts as a number, as in NumPy
            a, b = (a[0] if sa == (1, 1) else a), (b[0] if sb == (1, 1) else b)
        else:
            sign = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(op)]
            raise ShapeError(f"Shape: {where}: {sign} works entry by entry and needs equal "
                             f"shapes; yours are {shape_text(sa)} and {shape_text(sb)}.")
    sa, sb = _shape(a), _shape(b)
    if sa is None and sb is None:
        if isinstance(op, ast.Div):
            return _divide(a, b, where)
        return a + b if isinstance(op, ast.Add) else a - b if isinstance(op, ast.Sub) else a * b
    if isinstance(op, ast.Add | ast.Sub):
        a = a if sa else sp.ones(*sb) * a
        b = b if sb else sp.ones(*sa) * b
        return a + b if isinstance(op, ast.Add) else a - b
    if isinstance(op, ast.Mult):
        return a * b if (sa is None or sb is None) else a.multiply_elementwise(b)
    shape = sa or sb
    am = a if sa else sp.ones(*shape) * a
    bm = b if sb else sp.ones(*shape) * b
    return sp.Matrix(*shape, lambda i, j: _divide(am[i, j], bm[i, j], where))


def _divide(a, b, where):
    if b == 0:
        raise ShapeError(f"{where} divides by 0.")
    return a / b


def evaluate(tree: ast.Expression, values: dict):
    """The answer's value at one point: a SymPy matrix, or a number.

    Raises:
        ShapeError: a product of shapes that do not fit, or a function given the wrong kind
            of argument; the message names the shapes.
    """
    text = tree.text

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return sp.Rational(str(node.value))
        if isinstance(node, ast.Name):
            if node.id in SIZES:
                return sp.Integer(SIZES[node.id])
            return values[node.id]
        if isinstance(node, ast.Attribute):  # .T, the only attribute parse lets through
            inner = ev(node.value)
            return inner.T if isinstance(inner, sp.MatrixBase) else inner
        if isinstance(node, ast.UnaryOp):
            inner = ev(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            return _binary(node.op, ev(node.left), ev(node.right), text, node)
        if isinstance(node, ast.Call):
            try:
                return FUNCTIONS[node.func.id](ev(node.args[0]))
            except ShapeError as err:
                raise ShapeError(f"Shape: `{ast.get_source_segment(text, node)}`: {err}") \
                    from None
        raise AnswerError(f"cannot read {type(node).__name__}")  # parse() keeps these out

    return ev(tree)


# Comparing by value.

def _same(a, b) -> bool:
    """Whether two values are equal: exactly, when they are rational (they nearly always
    are); otherwise a difference that is not 0 to 50 digits is one, and a smaller one is 0
    only if `simplify` proves it."""
    if _shape(a) != _shape(b):
        return False
    pairs = zip(a, b, strict=True) if _shape(a) else [(a, b)]
    for p, q in pairs:
        d = sp.sympify(p - q)
        if d.is_Rational:
            if d != 0:
                return False
            continue
        if abs(d.evalf(50)) > sp.Float("1e-40", 50) or sp.simplify(d) != 0:
            return False
    return True


def _ratio(values, references) -> sp.Rational | None:
    """The number c with value = c · reference at every point, if there is one."""
    c = None
    for a, b in zip(values, references, strict=True):
        k = next((i for i, e in enumerate(b) if e != 0), None)
        if k is None or _shape(a) != _shape(b):
            return None
        ck = sp.nsimplify(a[k] / b[k])
        if c is None:
            c = ck
        if ck != c or not _same(a, c * b):
            return None
    return c


def _verdict(kind: str, text: str, mistake: Mistake | None = None) -> dict:
    return {"kind": kind, "text": text, "mistake": mistake.name if mistake else None,
            "box": mistake.box if mistake else ""}


def _match(values, target: Target, vs, transposed: bool) -> Mistake | None:
    for mistake in target.mistakes:
        wrong = [mistake.value(v) for v in vs]
        wrong = [w.T if transposed and _shape(w) else w for w in wrong]
        if all(_same(a, w) for a, w in zip(values, wrong, strict=True)):
            return mistake
    return None


def judge(name: str, text: str) -> dict:
    """The verdict on `text` as an answer for the target `name`.

    Returns: ``{"kind", "text", "mistake", "box"}``: kind one of ``correct``, ``transposed``,
    ``shape``, ``mistake``, ``wrong``, ``error``; text the sentence to show, which begins with
    "Correct" exactly when the answer is right in numerator layout; mistake the common
    mistake's name and box the words of its box's title on the page, when one matches.
    """
    target = TARGETS[name]
    try:
        tree = parse(text, target)
        vs = points(target.network)
        values = [evaluate(tree, v) for v in vs]
    except AnswerError as err:
        return _verdict("error", str(err))
    except ShapeError as err:
        message = str(err)
        if not message.startswith("Shape"):
            message = "Shape: " + message
        return _verdict("shape", f"{message} The answer is {shape_text(target.dims())}.")
    references = [target.answer(v) for v in vs]
    want, got = target.dims(), _shape(values[0])
    label, size = target.label, shape_text(want)
    if got == want:
        if all(_same(a, r) for a, r in zip(values, references, strict=True)):
            return _verdict("correct", f"Correct: {label} in numerator layout, {size}.")
        if (mistake := _match(values, target, vs, False)) is not None:
            return _verdict("mistake", f"Not right: the common mistake “{mistake.name}”. "
                            f"{mistake.why}", mistake)
        if got[0] == got[1] and all(_same(a.T, r) for a, r in zip(values, references,
                                                                    strict=True)):
            return _verdict("transposed", f"Transposed: yours is the transpose of {label}.")
        if (c := _ratio(values, references)) is not None:
            return _verdict("wrong", f"Not right: yours is {c} times {label}; the shape, "
                            f"{size}, is right.")
        return _verdict("wrong", f"Not right: the shape, {size}, is right, but the value "
                        f"differs from {label} at a random point (n = 2, m = 3, K = 4).")
    if got == want[::-1]:
        if all(_same(a.T, r) for a, r in zip(values, references, strict=True)):
            return _verdict("transposed", f"Transposed: yours, {shape_text(got)}, is "
                            f"{target.transposed}. The homework asks for numerator layout: "
                            f"{label} is {size}, the transpose of yours.")
        if (mistake := _match(values, target, vs, True)) is not None:
            return _verdict("mistake", f"Not right: transposed ({shape_text(got)}, the answer "
                            f"is {size}), and the common mistake “{mistake.name}”. "
                            f"{mistake.why}", mistake)
    if (mistake := _match(values, target, vs, False)) is not None:
        return _verdict("mistake", f"Shape: yours is {shape_text(got)}, the answer is {size}: "
                        f"the common mistake “{mistake.name}”. {mistake.why}", mistake)
    return _verdict("shape", f"Shape: yours is {shape_text(got)}, the answer is {size}.")


def respond(name: str, text: str) -> str:
    """`judge` as the JSON the page reads, with the milliseconds it took; any failure inside
    becomes an ``error`` verdict with its message rather than an exception in the browser."""
    start = time.perf_counter()
    try:
        out = judge(name, text)
    except Exception as err:  # noqa: BLE001 -- the page shows it instead of hanging
        out = _verdict("error", f"The checker failed on this input: {type(err).__name__}: {err}")
    out["ms"] = round(1000 * (time.perf_counter() - start))
    return json.dumps(out)


def page_setup() -> str:
    """What the page needs from Python before the first check: each target's allowed names."""
    return json.dumps({name: list(t.allowed) for name, t in TARGETS.items()})
