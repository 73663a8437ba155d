r"""The boxes of the homework pages: an answer, a common mistake, as HTML for `display(HTML())`.

A notebook's Markdown cells are not the site's Markdown (no admonitions), so a page builds its
boxes in code, with Material's admonition classes:

```python
from IPython.display import HTML, display
from pages.boxes import answer
display(HTML(answer("1.1.c", ["In numerator layout:", r"$$\nabla_{b^{(2)}} \ell = ...$$"])))
```

A body is a list of blocks: a string is a paragraph, one that starts with ``$$`` a display
formula, a list of strings a bulleted list. Inline, ``$...$`` is math (the build typesets it),
`` `code` `` code, ``**words**`` bold, ``[text](page.py#anchor)`` a link.
"""

from __future__ import annotations

import html
import re

import sympy as sp

from derivations.latex import tex
from derivations.sample import size_names

_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r'<a href="\2">\1</a>'),
]
_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$)", re.S)


def _inline(text: str) -> str:
    """Escape `text` for HTML and apply the inline marks outside its math."""
    parts = _MATH.split(text)
    out = []
    for i, part in enumerate(parts):
        part = html.escape(part, quote=False)
        if i % 2 == 0:  # prose, not math
            for pattern, repl in _INLINE:
                part = pattern.sub(repl, part)
        out.append(part)
    return "".join(out)


def _block(item: str | list[str]) -> str:
    if isinstance(item, list):
        return "<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in item) + "</ul>"
    return f"<p>{_inline(item)}</p>"


def box(kind: str, title: str, body: list, *, folded: bool = False) -> str:
    r"""An admonition of Material's `kind` (``"success"``, ``"failure"``, ...) with a title.

    Args:
        kind: the admonition's type, which sets its colour and icon.
        title: its title, inline marks allowed.
        body: the blocks, as the module docstring says.
        folded: a `<details>` box, closed until clicked, instead of an open one.
    """
    inner = "".join(_block(item) for item in body)
    if folded:
        return (f'<details class="{kind}"><summary>{_inline(title)}</summary>{inner}'
                "</details>")
    return (f'<div class="admonition {kind}"><p class="admonition-title">{_inline(title)}</p>'
            f"{inner}</div>")


def answer(question: str, body: list) -> str:
    """The answer box that opens a question: ``Answer to 1.1.c``."""
    return box("success", f"Answer to {question}", body)


SHORT = 700
"""A mistake box whose text (formulas included) is at most this many characters stays open; a
longer one is folded, so a page of short boxes reads without a click."""


def mistake(title: str, wrong: str, computes: list, checker: str) -> str:
    r"""A common mistake: the wrong formula, what it computes instead, where the checker names
    it. Open when short (`SHORT`), folded otherwise.

    Args:
        title: what the mistake is, e.g. ``"the lecture's 1/2 in the loss"``.
        wrong: the wrong formula, LaTeX for a display.
        computes: the blocks that say, with the numbers of this build, what it gives.
        checker: a sentence with a link to the checker's diagnosis (or that it has none).
    """
    body = [f"$${wrong}$$", *computes, checker]
    size = sum(len(b) if isinstance(b, str) else sum(map(len, b)) for b in body)
    return box("failure", f"Common mistake: {title}", body, folded=size > SHORT)


def how_checked(body: list) -> str:
    """The one folded "How this page is checked" box of a page: what the build proves, how, and
    at which sizes, kept out of the answers' way."""
    return box("info", "How this page is checked", body, folded=True)


def note(title: str, body: list) -> str:
    """A side note beside an answer, open (e.g. "W or W transposed?")."""
    return box("note", title, body)


def numbers(rows, digits: int = 3) -> str:
    r"""A matrix of numbers (nested lists, as `Tensor.tolist()` gives) as LaTeX, `digits`
    significant digits: ``\left[\begin{matrix}0.124 & -1.2\end{matrix}\right]``."""
    return tex(sp.Matrix(rows).applyfunc(lambda v: sp.Float(v, digits)))


def checked(claims: dict, names: list[str], points: list[dict]) -> list[str]:
    """The claims' formulas with their shapes, ``$$...$$`` for an answer box, each one first
    held (exactly) at every point: a box shows only formulas that passed."""
    for name in names:
        if not all(claims[name].holds(at=p) for p in points):
            raise AssertionError(f"{name} does not hold")
    return [f"$${claims[name].latex()}$$" for name in names]


def shapes_in_letters(latex: str, sym: dict | None = None, *,
                      names: dict[int, str] | None = None) -> str:
    r"""Every shape label ``(4 \times 1)`` of a formula printed at the sizes of `sym` written
    in the widths' letters, ``(m \times 1)`` (`derivations.sample.size_names`), or by `names`
    (size -> letter, the sizes pairwise distinct), e.g. for a batch's formulas."""
    names = size_names(sym) if names is None else names
    if len(set(names.values())) != len(names):
        raise ValueError(f"two sizes share a letter: {names}")
    return re.sub(r"\((\d+) \\times (\d+)\)",
                  lambda s: rf"({names[int(s[1])]} \times {names[int(s[2])]})", latex)
