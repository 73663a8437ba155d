r"""Every link inside the built site leads somewhere: the file exists and so does the #anchor.

Checks the `href` and `src` of every page, and every search result's location. Links to other
hosts are not followed (the site asks no other host for anything). 404.html is served at any
path, so MkDocs writes its links from the root: they are read from `--base-path`.

    .venv/bin/python -m tools.check_links site/
"""

from __future__ import annotations

import argparse
import json
import posixpath
import sys
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

LINKING = ["a", "link", "img", "script", "source", "iframe"]


def _soup(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def links(soup: BeautifulSoup) -> set[str]:
    """Every href, src and srcset URL of a page, outside code (whose text is not markup)."""
    found = set()
    for tag in soup.find_all(LINKING):
        if tag.find_parent(["pre", "code"]) is not None:
            continue
        for attr in ("href", "src"):
            if tag.get(attr) is not None:
                found.add(tag[attr])
        if tag.get("srcset"):
            found.update(part.split()[0] for part in tag["srcset"].split(",") if part.strip())
    return found


class Site:
    def __init__(self, root: Path):
        self.root = root.resolve()

    def target(self, url_path: str) -> Path | None:
        """The file a site-relative URL path serves, or None."""
        path = self.root / unquote(url_path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    @cache  # noqa: B019 -- one Site per check, a few hundred pages
    def soup(self, page: Path) -> BeautifulSoup:
        """The page parsed, once: its links and the ids that other pages' links name."""
        return _soup(page)

    def ids(self, page: Path) -> frozenset[str]:
        soup = self.soup(page)
        return frozenset([t["id"] for t in soup.find_all(id=True)]
                         + [t["name"] for t in soup.find_all(attrs={"name": True})])

    def check(self, page_url: str, link: str) -> str | None:
        """None if `link` (as written on the page at `page_url`) resolves, else the reason."""
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:", "#!")):
            return None
        path = parts.path
        if path:
            base = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
            path = posixpath.normpath(posixpath.join(base, path)) + ("/" if path.endswith("/")
                                                                     else "")
            if path.startswith(".."):
                return "leaves the site"
        target = self.target(path or page_url)
        if target is None:
            return "no such file"
        if parts.fragment and target.suffix == ".html":
            if unquote(parts.fragment) not in self.ids(target):
                return f"no id {parts.fragment!r} on {target.relative_to(self.root)}"
        return None


def page_url(site: Site, html: Path) -> str:
    rel = html.relative_to(site.root).as_posix()
    if html.name == "404.html":
        return ""  # served from any depth, its links are written from the root
    return rel[: -len("index.html")] if html.name == "index.html" else rel


def broken_links(root: Path, base_path: str = "/") -> list[str]:
    """'page: link (reason)' for every link in the site at `root` that leads nowhere.

    `base_path` is the path the site is served under (site_url's), which 404.html's links start
    with.
    """
    site, broken = Site(root), []
    for html in sorted(site.root.rglob("*.html")):
        url = page_url(site, html)
        for link in sorted(links(site.soup(html))):
            written = link
            if html.name == "404.html" and link.startswith(base_path):
                link = link[len(base_path):] or "./"
            reason = site.check(url, link)
            if reason:
                broken.append(f"{html.relative_to(site.root)}: {written} ({reason})")
    index = site.root / "search" / "search_index.json"
    if index.exists():
        for doc in json.loads(index.read_text(encoding="utf-8"))["docs"]:
            reason = site.check("", doc["location"])
            if reason:
                broken.append(f"search index: {doc['location']} ({reason})")
    return broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, nargs="?", default=Path("site"))
    parser.add_argument("--base-path", default="/", help="the path site_url serves the site at")
    args = parser.parse_args(argv)
    broken = broken_links(args.site, args.base_path)
    print("\n".join(broken) or f"every link in {args.site} resolves")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
