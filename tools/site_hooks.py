"""MkDocs hook: the site's address, its search index and its offline build.

- site_url is `[project.urls] Documentation` in pyproject.toml, the one place the published
  address lives (the grader links to it too), unless `SITE_URL` is set (a fork, the Pages
  workflow). So a local build has its canonical links, `og:image` and sitemap. Its path is
  "/", so `mkdocs serve` still serves at http://127.0.0.1:8000/.
- `OFFLINE=true` builds a site that opens from `file://` (Material's offline plugin: pages as
  `.html` files, the search index inlined into a script). The plugin would load its worker shim
  from unpkg.com; the site loads nothing from another host, so the shim comes from npm.
- After the build, the search index is rebuilt from the written pages (tools/search_text.py):
  prose and formulas as words, one entry per heading, no code or program output.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
IFRAME_WORKER = ROOT / "node_modules" / "iframe-worker" / "shim" / "index.js"
SHIM = "assets/javascripts/iframe-worker-shim.js"
# A search ranks the homework's answers above the pages around them, and the API reference,
# whose docstrings name every term once, below the pages that explain it.
BOOSTS = {"notebooks/homework_1_1/": 2.0, "notebooks/homework_1_2/": 2.0,
          "api/mlp/": 0.1, "api/derivations/": 0.1}


def published_address() -> str:
    """`[project.urls] Documentation` from pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Documentation"]


def offline() -> bool:
    return os.environ.get("OFFLINE", "").lower() in ("1", "true", "yes")


@event_priority(-100)  # after Material's offline plugin has added its polyfill
def on_config(config):
    if not config.site_url:
        config.site_url = published_address().rstrip("/") + "/"
    polyfills = config.extra.get("polyfills", [])
    if any("iframe-worker" in url for url in polyfills):
        if not IFRAME_WORKER.exists():
            raise PluginError(f"{IFRAME_WORKER} is missing: run `make` (it runs `npm ci`)")
        config.extra["polyfills"] = [SHIM if "iframe-worker" in url else url
                                     for url in polyfills]
    return config


def on_files(files, config):
    if any(url == SHIM for url in config.extra.get("polyfills", [])):
        files.append(File.generated(config, SHIM, abs_src_path=str(IFRAME_WORKER)))
    return files


@event_priority(-50)  # after the search plugin writes its index, before offline inlines it
def on_post_build(config):
    from tools import search_text

    search_text.rewrite(Path(config.site_dir),
                        {_location(k, config): v for k, v in BOOSTS.items()})


def _location(url: str, config) -> str:
    """A page's directory URL as the index writes it (`x.html` without directory URLs)."""
    return url if config.use_directory_urls else url.rstrip("/") + ".html"
