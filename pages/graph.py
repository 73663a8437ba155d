r"""The worked example drawn as a computational graph: an inline SVG, generated from its numbers.

One column of values, input at the top, loss at the bottom, each value's box holding what the
forward pass computes (upright) and what the backward pass brings back to it (italic, in the
link colour); between two values, the operation, with its parameters or its local Jacobian on
the right. Colours are `currentColor` and Material's CSS variables, so the drawing follows the
light and dark schemes. Its width is 316 units and its text 13: a 390 px phone gives the
drawing about 330 px, so the text shows at 13 px or more; a line holds at most 19 characters.
"""

from __future__ import annotations

import html

from .worked import row_text

WIDTH = 316
FONT = 13
LINE = 17            # baseline to baseline
PAD = 6              # inside a box
COLUMN = 150         # each column's width; 316 = 2 * 150 + the gap
GAP = WIDTH - 2 * COLUMN
OP_HEIGHT = 24
ARROW = 22           # vertical room for an arrow between a box and an operation

FORWARD_STYLE = "fill: currentColor"
BACKWARD_STYLE = "fill: var(--md-typeset-a-color, #3f51b5); font-style: italic"


def _height(lines: list) -> float:
    return 2 * PAD + LINE * len(lines) - (LINE - FONT) + 4


def _box(x: float, y: float, lines: list[tuple[str, str]], *,
         dashed: bool = False) -> tuple[str, float]:
    """A box of text lines at (x, y), each line ("fwd" | "bwd", text); returns (svg, height)."""
    height = _height(lines)
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    parts = [f'<rect x="{x}" y="{y}" width="{COLUMN}" height="{height}" rx="6" fill="none" '
             f'stroke="currentColor" stroke-opacity="0.6"{dash}/>']
    for i, (kind, text) in enumerate(lines):
        style = FORWARD_STYLE if kind == "fwd" else BACKWARD_STYLE
        parts.append(f'<text x="{x + PAD}" y="{y + PAD + FONT + i * LINE}" style="{style}">'
                     f"{html.escape(text)}</text>")
    return "".join(parts), height


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="currentColor" '
            'stroke-width="1.2" marker-end="url(#cg-arrow)"/>')


def _op_width(label: str) -> float:
    return 14 + 8 * len(label)


def _op(cx: float, y: float, label: str) -> str:
    width = _op_width(label)
    return (f'<rect x="{cx - width / 2}" y="{y}" width="{width}" height="{OP_HEIGHT}" '
            f'rx="{OP_HEIGHT / 2}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
            f'<text x="{cx}" y="{y + OP_HEIGHT / 2 + FONT / 2 - 1}" text-anchor="middle" '
            f'style="{FORWARD_STYLE}; font-weight: bold">{html.escape(label)}</text>')


def steps(v: dict) -> list[dict]:
    """The graph's rows from `worked.example()`'s values: each a value box (left column), then the
    operation applied to it with what sits beside it (right column), None after the loss."""
    t = row_text
    return [
        dict(value=[("fwd", f"x = {t(v['x'])}")],
             op="Linear\N{SUBSCRIPT ONE}", side_kind="param",
             side=[("fwd", "W\u207d\u00b9\u207e ="), ("fwd", f"   {t(v['W1'])}"),
                   ("fwd", f"b\u207d\u00b9\u207e = {t(v['b1'])}"),
                   ("bwd", "\u2202\u2113/\u2202W\u207d\u00b9\u207e ="),
                   ("bwd", f"   {t(v['dl_dW1'])}"),
                   ("bwd", f"\u2202\u2113/\u2202b\u207d\u00b9\u207e = {t(v['dl_db1'])}")]),
        dict(value=[("fwd", f"z\u2081 = {t(v['z1'])}"),
                    ("bwd", f"\u2202\u2113/\u2202z\u2081 = {t(v['dl_dz1'])}")],
             op="(\u00b7)\u207a", side_kind="local",
             side=[("bwd", "\u2202z\u2082/\u2202z\u2081 = diag of"),
                   ("bwd", f"   {t(v['dz2_dz1'].diagonal())}")]),
        dict(value=[("fwd", f"z\u2082 = {t(v['z2'])}"),
                    ("bwd", f"\u2202\u2113/\u2202z\u2082 = {t(v['dl_dz2'])}")],
             op="Linear\N{SUBSCRIPT TWO}", side_kind="param",
             side=[("fwd", "W\u207d\u00b2\u207e ="), ("fwd", f"   {t(v['W2'])}"),
                   ("fwd", f"b\u207d\u00b2\u207e = {t(v['b2'])}"),
                   ("bwd", "\u2202\u2113/\u2202W\u207d\u00b2\u207e ="),
                   ("bwd", f"   {t(v['dl_dW2'])}"),
                   ("bwd", f"\u2202\u2113/\u2202b\u207d\u00b2\u207e = {t(v['dl_db2'])}")]),
        dict(value=[("fwd", f"z\u2083 = {t(v['z3'])}"),
                    ("bwd", f"\u2202\u2113/\u2202z\u2083 = {t(v['dl_dz3'])}")],
             op="g = id", side_kind="local",
             side=[("bwd", "\u2202\u0177/\u2202z\u2083 = diag of"),
                   ("bwd", f"   {t(v['dyhat_dz3'].diagonal())}")]),
        dict(value=[("fwd", f"\u0177 = {t(v['y_hat'])}"),
                    ("bwd", f"\u2202\u2113/\u2202\u0177 = {t(v['dl_dyhat'])}")],
             op="\u2016\u0177 \u2212 y\u2016\u00b2", side_kind="param",
             side=[("fwd", f"y = {t(v['y'])}")]),
        dict(value=[("fwd", f"\u2113 = {v['l']}"), ("bwd", "\u2202\u2113/\u2202\u2113 = 1")],
             op=None),
    ]


def svg(values: dict, alt: str) -> str:
    """The computational graph of `values` (`worked.example()`) as inline SVG, with `alt` as its
    accessible name and title."""
    parts, y = [], 0.0
    left_cx = COLUMN / 2
    for step in steps(values):
        box, height = _box(0, y, step["value"])
        parts.append(box)
        y += height
        if step["op"] is None:
            break
        side_height = _height(step["side"])
        op_y = y + ARROW
        # the side box is centred on the operation, and pushes it down if it is tall
        side_y = max(op_y + OP_HEIGHT / 2 - side_height / 2, y - 4)
        op_y = max(op_y, side_y + side_height / 2 - OP_HEIGHT / 2)
        parts.append(_arrow(left_cx, y, left_cx, op_y - 2))
        parts.append(_op(left_cx, op_y, step["op"]))
        parts.append(_box(COLUMN + GAP, side_y, step["side"],
                          dashed=step["side_kind"] == "local")[0])
        label_width = _op_width(step["op"])
        if step["side_kind"] == "param":
            parts.append(_arrow(COLUMN + GAP, op_y + OP_HEIGHT / 2,
                                left_cx + label_width / 2 + 2, op_y + OP_HEIGHT / 2))
        else:
            parts.append(f'<line x1="{COLUMN + GAP}" y1="{op_y + OP_HEIGHT / 2}" '
                         f'x2="{left_cx + label_width / 2 + 2}" y2="{op_y + OP_HEIGHT / 2}" '
                         'stroke="currentColor" stroke-dasharray="4 3"/>')
        y = max(op_y + OP_HEIGHT, side_y + side_height) + ARROW
        parts.append(_arrow(left_cx, op_y + OP_HEIGHT, left_cx, y - 2))
    height = y + 2
    label = html.escape(alt, quote=True)
    return (f'<svg class="computational-graph" role="img" aria-label="{label}" '
            f'viewBox="-1 -1 {WIDTH + 2} {height}" width="100%" '
            f'style="max-width: 30rem; color: var(--md-default-fg-color); '
            f'font-family: var(--md-text-font-family, sans-serif); font-size: {FONT}px">'
            f"<title>{label}</title>"
            '<defs><marker id="cg-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor"/></marker></defs>'
            + "".join(parts) + "</svg>")
