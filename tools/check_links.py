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
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINKING = {"a", "link", "img", "script", "source", "iframe"}


class _Scan(HTMLParser):
    """One pass of the standard library's HTML parser over a page: its ids (and names) and the
    URLs of its links and images, outside code (whose text is not markup). No tree is built:
    the site's pages are large, and this runs over all of them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: set[str] = set()
        self.code = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])
        if tag in ("pre", "code"):
            self.code += 1
        elif tag in LINKING and not self.code:
            self.links.update(values[k] for k in ("href", "src") if values.get(k) is not None)
            if values.get("srcset"):
                self.links.update(part.split()[0] for part in values["srcset"].split(",")
                                  if part.strip())

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("pre", "code"):
            self.code -= 1

    def handle_endtag(self, tag):
        if tag in ("pre", "code") and self.code:
            self.code -= 1


def scan(page: Path) -> _Scan:
    found = _Scan()
    found.feed(page.read_text(encoding="utf-8"))
    found.close()
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
    def scan(self, page: Path) -> _Scan:
        """The page read once: its links and the ids that other pages' links name."""
        return scan(page)

    def ids(self, page: Path) -> frozenset[str]:
        return frozenset(self.scan(page).ids)

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
        for link in sorted(site.scan(html).links):
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
