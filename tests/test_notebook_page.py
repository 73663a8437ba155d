"""tools/notebook_page.py, notebook_figures.py and search_text.py: a notebook's HTML as a
site page, and its sections as the search index reads them."""

from __future__ import annotations

import base64

import nbformat
import pytest

from tools import notebook_figures, notebook_page, search_text

PNG = base64.b64encode(b"\x89PNG fake").decode()


def test_styles_are_shared_and_scripts_dropped():
    page, css = notebook_page.shared_css(
        '<style type="text/css">.a{color:red}\n.unused{color:blue}</style><p class="a">x</p>'
        '<script>load("cdn")</script>')
    assert page == '<p class="a">x</p>'
    assert ".a{" in css and ".unused" not in css, "the page's rules stay, no other"


def test_heading_ids_come_from_words_not_tex():
    full = ('<h2 id="1.1.c-$\\operatorname{ReLU}$">1.1.c <span class="katex">K</span>'
            '<a class="anchor-link" href="#x">¶</a></h2><a href="#1.1.c-$\\operatorname{ReLU}$">')
    twin = ('<h2 id="1.1.c-$\\operatorname{ReLU}$">1.1.c ReLU′(0)<a class="anchor-link" '
            'href="#x">¶</a></h2>')
    full, twin, tokens = notebook_page.headings(full, twin)
    assert [t["id"] for t in tokens] == ["11c-relu0"]
    assert 'id="11c-relu0"' in twin and '<a href="#11c-relu0">' in full
    assert "anchor-link" not in full + twin and full.count('class="headerlink"') == 1


def test_hide_input_folds_the_code_only():
    cell = ('<div class="jp-Cell jp-CodeCell celltag_hide-input"><div class="jp-Cell-inputWrapper">'
            '<div>code</div></div><div class="jp-Cell-outputWrapper">out</div></div>')
    folded = notebook_page.fold_inputs(cell)
    assert '<summary>Show code</summary><div class="jp-Cell-input' in folded
    assert folded.index("</details>") < folded.index("jp-Cell-outputWrapper")


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    for tags, alt, n in cells:
        outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG})] * n
        nb.cells.append(nbformat.v4.new_code_cell("plot()", outputs=outputs,
                                                  metadata={"tags": tags, "alt": alt}))
    return nb


def test_plots_become_linked_files_with_their_cells_alt_text():
    nb = _nb(([], "loss falls", 1), (["remove-cell"], "gone", 1), ([], None, 1))
    html = f'<img src="data:image/png;base64,{PNG}"/>' * 2
    written = {}
    page, missing = notebook_figures.extract_images(html, notebook_figures.image_alts(nb),
                                                 written.__setitem__)
    (name,) = written
    assert page.count(f'<a class="nb-figure" href="{name}"') == 2
    assert 'alt="loss falls"' in page and missing == [name]


def test_each_panel_of_a_figure_carries_the_glyphs_its_text_uses():
    # matplotlib writes text as <use> of glyphs defined once, in the first panel that needs them.
    import io
    import re

    import matplotlib.figure

    fig = matplotlib.figure.Figure(figsize=(6, 3))
    for ax, title in zip(fig.subplots(1, 2), ("left", "right"), strict=True):
        ax.set(title=title, xlabel="FLOP per step")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    _, panels = notebook_figures.svg_figure(buffer.getvalue())
    assert len(panels) == 2
    for data, _ in panels:
        text = data.decode()
        used = set(re.findall(r'xlink:href="#([^"]+)"', text))
        assert used and used <= set(re.findall(r' id="([^"]+)"', text))


def test_an_image_count_that_does_not_match_the_notebook_fails():
    with pytest.raises(ValueError, match="1 images on the page, 2 image outputs"):
        notebook_figures.extract_images(f'<img src="data:image/png;base64,{PNG}">',
                                     notebook_figures.image_alts(_nb(([], "a", 2))), print)


def test_the_index_reads_prose_without_code_one_section_per_heading():
    page = ('<article class="md-content__inner"><p>intro</p><div class="jp-Cell"><div>'
            '<h2 id="a">A</h2></div></div><div class="jp-Cell"><div class="jp-InputArea">'
            '<pre>x = 1</pre></div><p>dJdW1 is</p></div><details class="mkdocstrings-source">'
            '<pre>def f(): ...</pre></details></article>')
    assert search_text.sections(page) == [(None, "", "intro"), ("a", "A", "dJdW1 is")]
