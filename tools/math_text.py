r"""The plain-text twin of a typeset formula, for the search index: `∂ℓ/∂W<sup>(1)</sup>`, not TeX.

KaTeX's MathML says what each piece is (a fraction, a subscript, an accent); this walks it and
writes text with the `<sub>` and `<sup>` tags that the search index keeps. The TeX source in the
MathML's `<annotation>` is left out, so no raw TeX reaches a search result.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET

MATHML = re.compile(r"<math\b.*?</math>", re.S)
NS = "{http://www.w3.org/1998/Math/MathML}"
ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303", "‾": "\u0304",
           "¯": "\u0304", "˙": "\u0307", "→": "\u20d7", "¨": "\u0308"}


def _text(el: ET.Element) -> str:
    tag = el.tag.removeprefix(NS)
    kids = [c for c in el if c.tag.removeprefix(NS) != "annotation"]
    parts = [_text(k) for k in kids]
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return html.escape(el.text or "", quote=False)
    if tag == "mspace":
        return " "
    if tag == "msub" and len(parts) == 2:
        return f"{parts[0]}<sub>{parts[1]}</sub>"
    if tag == "msup" and len(parts) == 2:
        return f"{parts[0]}<sup>{parts[1]}</sup>"
    if tag in ("msubsup", "munderover") and len(parts) == 3:
        return f"{parts[0]}<sub>{parts[1]}</sub><sup>{parts[2]}</sup>"
    if tag == "munder" and len(parts) == 2:
        return f"{parts[0]}<sub>{parts[1]}</sub>"
    if tag == "mover" and len(parts) == 2:
        accent = ACCENTS.get((kids[1].text or "").strip()) if kids[1].tag.endswith("mo") else None
        return parts[0] + accent if accent else f"{parts[0]}<sup>{parts[1]}</sup>"
    if tag == "mfrac" and len(parts) == 2:  # ∂ℓ/∂ŷ, 1/(NK)
        return "/".join(p if len(_plain(p)) == 1 or p.startswith("∂") else f"({p})"
                        for p in parts)
    if tag in ("msqrt", "mroot"):
        return f"√({parts[0]})" if parts else "√"
    if tag == "mtable":
        return "[" + "; ".join(parts) + "]"
    if tag == "mtr":
        return ", ".join(p for p in parts if p.strip())
    return "".join(parts)


def _plain(s: str) -> str:
    return re.sub(r"<[^>]+>", "", s)


def katex_search_text(katex_html: str) -> str:
    """Text for the index from one KaTeX render (its MathML part); '' if it has none."""
    m = MATHML.search(katex_html)
    if m is None:
        return ""
    try:
        root = ET.fromstring(m.group())
    except ET.ParseError:
        return ""
    text = re.sub(r"[\u2061-\u2064\u200b]", "", _text(root))  # invisible function application
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text).strip())  # y + ^ is ŷ
