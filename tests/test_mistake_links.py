"""The homework pages' "Common mistake" boxes and the grader page's section on each mistake:
every box links to a section of its own, and any words a box quotes from the checker are words
that section's build asserts the checker says. Read from the pages' sources, without a build;
the strict build's link check (tools/check_links.py) then follows every link in the built site.
"""

from __future__ import annotations

import ast
import re

import jupytext
import pytest

from tools.notebook_page import slugify

from .conftest import ROOT

NOTEBOOKS = ROOT / "docs" / "notebooks"
CHECKER = "check_your_homework.py"
HOMEWORK = ("homework_1_1.py", "homework_1_2.py")
SECTION = "What the checker says, mistake by mistake"
LINK = re.compile(rf"\]\({re.escape(CHECKER)}(?:#([^)]*))?\)")


def _boxes() -> list[tuple[str, str, str]]:
    """(page, title, checker sentence) of every `mistake(...)` box, the sentence's f-string
    evaluated with the pages' CHECKER."""
    boxes = []
    for page in HOMEWORK:
        source = (NOTEBOOKS / page).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "mistake":
                title, checker = node.args[0], node.args[3]
                text = f"({ast.get_source_segment(source, checker)})"
                sentence = eval(text, {"CHECKER": CHECKER})  # noqa: S307 -- our own pages
                boxes.append((page, ast.literal_eval(title), sentence))
    return boxes


def _sections() -> tuple[dict[str, list[str] | None], list[str]]:
    """Per heading id of the grader page, in page order, the phrases its cells assert with
    `said(name, *phrases)` (the string literals among them), None where no cell calls `said`,
    that is where no file is graded; and the ids of the sub-headings of SECTION."""
    notebook = jupytext.read(NOTEBOOKS / CHECKER)
    taken: set[str] = set()
    sections: dict[str, list[str] | None] = {}
    current, parent, under = None, None, []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for hashes, heading in re.findall(r"^(#{1,6}) (.+)$", cell.source, re.M):
                assert "$" not in heading, f"TeX in a heading: {heading}"
                current = slugify(heading.replace("`", "").strip(), taken)
                sections[current] = None
                if len(hashes) <= 2:
                    parent = heading.strip()
                elif parent == SECTION:
                    under.append(current)
        elif cell.cell_type == "code" and current is not None:
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "said":
                    sections[current] = (sections[current] or []) + [
                        a.value for a in node.args[1:] if isinstance(a, ast.Constant)]
    return sections, under


BOXES = _boxes()
SECTIONS, MISTAKES = _sections()


def test_the_homework_pages_have_their_eleven_boxes_and_the_grader_page_a_section_each():
    assert len(BOXES) == len(MISTAKES) == 11


def test_each_box_links_to_a_section_of_its_own_under_the_checkers_section():
    anchors = []
    for page, title, sentence in BOXES:
        links = LINK.findall(sentence)
        assert len(links) == 1, (page, title, sentence)
        assert links[0] in MISTAKES, (page, title, links[0])
        anchors.append(links[0])
    assert len(set(anchors)) == len(BOXES), anchors


@pytest.mark.parametrize(("page", "title", "sentence"), BOXES, ids=[b[1] for b in BOXES])
def test_words_a_box_quotes_are_what_its_section_asserts(page, title, sentence):
    (anchor,) = LINK.findall(sentence)
    for quoted in re.findall(r'"([^"]+)"', sentence):
        assert any(quoted in phrase for phrase in SECTIONS[anchor] or ()), (page, title, quoted)


def test_a_box_without_a_diagnosis_says_so():
    """A section that grades no file has no diagnosis to link to; its box must say so."""
    for page, title, sentence in BOXES:
        (anchor,) = LINK.findall(sentence)
        if SECTIONS[anchor] is None:
            assert "no diagnosis" in sentence, (page, title)
