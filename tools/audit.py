r"""Audit the built site as a reader's browser meets it: Lighthouse scores and axe-core violations.

The site is served compressed, as GitHub Pages serves it (gzip), on 127.0.0.1. Lighthouse (npm,
`make audit` installs it) runs in its default mobile setting (a mid-range phone, throttled
network and CPU, simulated) on the main pages, with Debian's Chromium; axe-core runs on every
page in the light and the dark scheme. Prints one line per page.

    .venv/bin/python -m tools.audit [SITE_DIR] [--all]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
MAIN_PAGES = ["", "notebooks/homework_1_1/", "notebooks/homework_1_2/", "derive/"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
COMPRESSED = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".wasm", ".zip")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the browser accepts it, as GitHub Pages does."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not (path.is_file() and path.suffix in COMPRESSED
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def lighthouse(url: str) -> dict[str, int]:
    """Lighthouse's category scores (0-100) for one page, mobile."""
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: `make audit` installs it (npm, devDependencies)")
    out = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        env=dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", CHROMIUM)),
        capture_output=True, text=True, timeout=300, check=True).stdout
    report = json.loads(out)
    scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
    audits = report["audits"]
    scores["CLS"] = audits["cumulative-layout-shift"]["numericValue"]
    scores["LCP s"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    scores["FCP s"] = audits["first-contentful-paint"]["numericValue"] / 1000
    scores["TBT ms"] = audits["total-blocking-time"]["numericValue"]
    scores["SI s"] = audits["speed-index"]["numericValue"] / 1000
    return scores


def axe(base: str, pages: list[str]) -> dict[str, tuple[int, int]]:
    """(light, dark) count of serious and critical axe-core violations, per page."""
    from playwright.sync_api import sync_playwright

    script = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .reduce((n, v) => n + v.nodes.length, 0)"""
    counts: dict[str, list[int]] = {rel: [] for rel in pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for scheme in ("light", "dark"):
            page = browser.new_page(color_scheme=scheme)
            for rel in pages:
                page.goto(base + rel, wait_until="load")
                # As a keyboard reader starts (the page marks its scroll boxes), every cell laid
                # out and no transition half-way, so that axe reads the colours as drawn.
                page.keyboard.press("Tab")
                page.add_style_tag(content="*, *::before, *::after { transition: none !important; }"
                                   " .jp-Cell { content-visibility: visible !important; }")
                page.add_script_tag(path=str(AXE))
                counts[rel].append(page.evaluate(script))
            page.close()
        browser.close()
    return {rel: (c[0], c[1]) for rel, c in counts.items()}


def site_pages(site: Path) -> list[str]:
    found = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    return ["" if p == "." else p + "/" for p in found if not p.startswith("assets")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, nargs="?", default=ROOT / "site")
    parser.add_argument("--all", action="store_true", help="Lighthouse on every page")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        sys.exit(f"no site in {args.site}: `make docs` builds it")
    server, base = serve(args.site)
    try:
        pages = site_pages(args.site)
        print(f"axe-core on {len(pages)} pages, light and dark ...", flush=True)
        violations = axe(base, pages)
        audited = pages if args.all else MAIN_PAGES
        print(f"{'page':34} {'perf':>4} {'a11y':>4} {'b-p':>4} {'seo':>4} {'CLS':>6} "
              f"{'FCP s':>5} {'LCP s':>5} {'TBT ms':>6} {'SI s':>5}  axe light/dark")
        for rel in pages:
            line = f"{rel or '(home)':34}"
            if rel in audited:
                print(f"{line} lighthouse ...", end="\r", flush=True)
                s = lighthouse(base + rel)
                line += (f" {s['performance']:4} {s['accessibility']:4} {s['best-practices']:4}"
                         f" {s['seo']:4} {s['CLS']:6.3f} {s['FCP s']:5.1f} {s['LCP s']:5.1f}"
                         f" {s['TBT ms']:6.0f} {s['SI s']:5.1f}")
            else:
                line += " " * 52
            light, dark = violations[rel]
            print(f"{line}  {light}/{dark}", flush=True)
    finally:
        server.shutdown()
    return 1 if any(sum(v) for v in violations.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
