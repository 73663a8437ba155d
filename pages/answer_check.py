r"""The "check your answer" boxes under the homework's formula questions, as HTML for
`display(HTML(...))`.

```python
from IPython.display import HTML, display
from pages import answer_check
display(HTML(answer_check.boxes("dl_dW1", "dl_db1", "dl_dW2", "dl_db2", syntax=True)))
```

Each box is ``<div class="answer-check" data-target="NAME">`` with a labelled `textarea`, a
`button` and a verdict element with ``role="status"``; `docs/answer-check/answer-check.js`
(loaded on every page, idle where there is no box) wires them to SymPy in the browser, which
runs `derivations.answers` on the first check. Without JavaScript the boxes say so.
"""

from __future__ import annotations

import html

from derivations.answers import TARGETS, shape_text

SYNTAX = ("Type an answer as Python: <code>@</code> matrix product, <code>.T</code> transpose, "
          "<code>*</code> and <code>/</code> entry by entry, <code>+ -</code>, numbers, "
          "<code>relu</code>, <code>sigmoid</code>, <code>step</code> (ReLU′), "
          "<code>diag(v)</code>, <code>eye(k)</code>, <code>ones(k)</code> (a column), sizes "
          "<code>n m K</code>; for example <code>2 * relu(W1 @ x).T</code>. "
          "Enter checks; the first check loads Python and SymPy from this site.")
"""The one line of syntax above a page's first boxes."""


def box(name: str) -> str:
    """One box for the quantity `name` of `derivations.answers.TARGETS`."""
    target = TARGETS[name]
    ident = f"answer-{name.replace('_', '-')}"
    return (
        f'<div class="answer-check" data-target="{html.escape(name)}">'
        f'<label for="{ident}">Your {html.escape(target.label)} '
        f"({shape_text(target.dims())}):</label>"
        f'<div class="answer-check-row"><textarea id="{ident}" rows="1" spellcheck="false" '
        f'autocomplete="off" autocapitalize="off" autocorrect="off" '
        f'aria-describedby="{ident}-verdict"></textarea>'
        f'<button type="button" class="md-button md-button--primary">Check</button></div>'
        f'<p class="answer-check-verdict" id="{ident}-verdict" role="status" '
        f'aria-live="polite"><noscript>Checking an answer needs JavaScript.</noscript></p>'
        f"</div>")


def boxes(*names: str, syntax: bool = False) -> str:
    """The boxes for one question, in order, under the symbols they may use; `syntax` puts the
    line of syntax above them (once per page, above its first boxes)."""
    head = f'<p class="answer-check-syntax">{SYNTAX}</p>' if syntax else ""
    allowed = list(dict.fromkeys(a for n in names for a in TARGETS[n].allowed))
    names_line = (f'<p class="answer-check-allowed">Check your answers, in numerator layout, '
                  f"in <code>{html.escape(', '.join(allowed))}</code>:</p>")
    return (f'<div class="answer-checks">{head}{names_line}'
            f'{"".join(box(n) for n in names)}</div>')
