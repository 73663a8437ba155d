"""tools/site_math.py, tools/katex.py, tools/math_text.py: math typeset at build, its text
for the index."""

from __future__ import annotations

import re

import pytest

from tools import katex, site_math
from tools.math_text import katex_search_text


@pytest.fixture(scope="module")
def typesetter():
    t = katex.Typesetter(katex.macros())
    yield t
    t.close()


def test_formulas_in_text_are_typeset_and_code_is_left_alone(typesetter):
    page = ('<p>Let $x^2$ be \\(y\\).</p><div class="arithmatex">\\[z = 1\\]</div>'
            '<pre>$a$</pre><code>$b$</code><div class="clipboard-copy-txt">$c$</div>')
    full, twin = site_math.typeset_html(page, typesetter.render)
    assert full.count('class="katex"') == 3 and full.count('class="katex-display"') == 1
    assert "<pre>$a$</pre><code>$b$</code>" in full and ">$c$</div>" in full
    assert twin.startswith("<p>Let x<sup>2</sup> be y.</p>") and "z=1" in twin


def test_a_math_output_is_display_math(typesetter):
    """IPython writes Math(s) as $\\displaystyle s$: shown as display math, not in line."""
    page = ('<div class="jp-RenderedLatex jp-OutputArea-output">'
            '$\\displaystyle \\frac{\\partial J}{\\partial W} &gt; 0$</div>')
    full, twin = site_math.typeset_html(page, typesetter.render)
    assert 'class="katex-display"' in full and "displaystyle" not in re.sub(
        r"<annotation.*?</annotation>", "", full)
    assert twin == ('<div class="jp-RenderedLatex jp-OutputArea-output">'
                    "∂J/∂W&gt;0</div>")


def test_the_notation_macros_are_known(typesetter):
    assert set(katex.macros()) >= {r"\T", r"\had", r"\ones"}
    _, twin = site_math.typeset_html(r"<p>$W\T \had \ones$</p>", typesetter.render)
    assert twin == "<p>W<sup>⊤</sup>⊙1</p>"


def test_a_formula_katex_cannot_parse_fails(typesetter):
    with pytest.raises(katex.MathError, match=r"frac\{1"):
        site_math.typeset_html(r"<p>$\frac{1$</p>", typesetter.render)


def test_text_twin_reads_fractions_scripts_and_accents(typesetter):
    html, _ = typesetter.render(r"\frac{1}{NK}\sum_{n,k} (\hat y_{nk} - y_{nk})^2", False)
    assert katex_search_text(html) == ("1/(NK)∑<sub>n,k</sub>(ŷ<sub>nk</sub>−y<sub>nk</sub>)"
                                       "<sup>2</sup>")
    assert "\\" not in katex_search_text(typesetter.render(r"\operatorname{ReLU}'(0)", False)[0])
