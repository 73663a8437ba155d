"""tools/check_links.py: a broken file link, a missing anchor, a link out of the site."""

from __future__ import annotations

from tools import check_links


def _site(tmp_path, html: str):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(html)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "index.html").write_text('<h2 id="there">b</h2>')
    return tmp_path


def test_resolving_links_pass(tmp_path):
    site = _site(tmp_path, '<h2 id="here">a</h2><a href="#here">1</a><a href="../b/">2</a>'
                           '<a href="../b/#there">3</a><a href="https://elsewhere.org/x">4</a>'
                           '<pre><a href="nowhere">code is not a page</a></pre>')
    assert check_links.broken_links(site) == []


def test_each_broken_link_is_named(tmp_path):
    site = _site(tmp_path, '<a href="#gone">1</a><a href="../c/">2</a>'
                           '<a href="../b/#elsewhere">3</a><img src="../../up.png">')
    assert check_links.broken_links(site) == [
        "a/index.html: #gone (no id 'gone' on a/index.html)",
        "a/index.html: ../../up.png (leaves the site)",
        "a/index.html: ../b/#elsewhere (no id 'elsewhere' on b/index.html)",
        "a/index.html: ../c/ (no such file)",
    ]


def test_404_page_links_are_read_from_the_served_path(tmp_path):
    site = _site(tmp_path, "")
    (site / "404.html").write_text('<a href="/site/b/">ok</a><a href="/site/x/">broken</a>')
    assert check_links.broken_links(site, "/site/") == ["404.html: /site/x/ (no such file)"]


def test_search_results_must_lead_somewhere(tmp_path):
    site = _site(tmp_path, "")
    (site / "search").mkdir()
    (site / "search" / "search_index.json").write_text(
        '{"docs": [{"location": "b/#there"}, {"location": "b/#nothing"}]}')
    assert check_links.broken_links(site) == [
        "search index: b/#nothing (no id 'nothing' on b/index.html)"]
