"""MkDocs hooks: notebook pages read from their executed copies, math typeset at build, links
checked.

- `make notebooks` (tools/notebooks.py) executes each docs/notebooks/<name>.py into
  build/notebooks/<name>.ipynb before the build. Here the page keeps its source's name
  (`notebooks/<name>.py`: the nav, links and "Edit this page" use it) and mkdocs reads it from
  that executed copy, which mkdocs-jupyter renders as it is (`execute: false`) and copies beside
  the page for download. A copy that is missing, or older than its page or the code the page
  imports, is a warning, which `--strict` turns into a failed build.
- tools/notebook_page.py makes the notebook HTML a site page: shared styles, readable anchors,
  folded plumbing, plots as files; tools/site_math.py typesets every formula with KaTeX.
- KaTeX's stylesheet and fonts come from npm (package-lock.json pins them); the pages load no
  script for math, and nothing from another host.
- After the build, tools/check_links.py follows every internal link; a broken one is a warning.
  (The search index is rebuilt from the written pages after the build: tools/site_hooks.py.)
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools import (  # noqa: E402
    check_links,
    katex,
    notebook_figures,
    notebook_page,
    notebooks,
    site_math,
)
from tools.social_card import social_card  # noqa: E402

log = get_plugin_logger("site")
KATEX = ROOT / "node_modules" / "katex" / "dist"
NOTEBOOK_PAGES = "notebooks/*.py"  # docs-relative: the pages tools/notebooks.py executes
state: dict = {}


def on_startup(command, dirty):
    state["serving"] = command == "serve"


def on_config(config):
    if not (KATEX / "katex.min.css").exists():
        raise PluginError(f"KaTeX is missing from {KATEX}: run `make` (it runs `npm ci`)")
    # One notation for the site (derivations/notation.py): an old name (s_1, a delta for dJ/ds),
    # a symbol with two meanings or a stray layout form in any page's source fails the build.
    from derivations import notation
    findings = notation.check(ROOT)
    if findings:
        raise PluginError("notation: " + "; ".join(findings[:20])
                          + (f"; and {len(findings) - 20} more" if len(findings) > 20 else ""))
    state.update(typesetter=katex.Typesetter.shared(katex.macros()), dates=_git_dates(),
                 sources={})
    if not config.repo_url:
        config.edit_uri = None  # "Edit this page" needs REPO_URL (set by the Pages workflow)
    return config


@event_priority(-100)  # after mkdocs-jupyter has wrapped its pages
def on_files(files, config):
    fonts = [f"fonts/{p.name}" for p in sorted((KATEX / "fonts").glob("*.woff2"))]
    for rel in ["katex.min.css"] + fonts:
        if files.get_file_from_path(f"assets/katex/{rel}") is None:
            files.append(File.generated(config, f"assets/katex/{rel}",
                                        abs_src_path=str(KATEX / rel)))
    pages = {Path(f.abs_src_path): f for f in files
             if PurePosixPath(f.src_uri).match(NOTEBOOK_PAGES)}
    stale = notebooks.stale(list(pages))
    for source, page in pages.items():
        if source in stale:
            log.warning(f"{stale[source]}: run `make notebooks` "
                        "(.venv/bin/python -m tools.notebooks) before building")
            continue
        # The one place a page is pointed at its executed copy. The page keeps its source's
        # name (nav, links and "Edit this page" use it); mkdocs-jupyter's wrapper of the file
        # reads abs_src_path, which mkdocs would otherwise compute from that name.
        page.abs_src_path = str(notebooks.EXECUTED / f"{source.stem}.ipynb")
        state["sources"][page.src_uri] = source
    return files


def on_page_content(html, page, config, files):
    source = state["sources"].get(page.file.src_uri)
    if source is not None:
        html = _notebook(html, page, config, files, source)
    try:
        html, text = site_math.typeset_page(state["typesetter"], html)
    except katex.MathError as err:
        raise PluginError(f"{page.file.src_uri}: {err}") from None
    if source is not None:  # heading ids from the words of the text twin, not from TeX
        html, _, tokens = notebook_page.headings(html, text)
        page.toc = get_toc(notebook_page.nest(tokens))
    date = state["dates"].get(f"docs/{page.file.src_uri}")
    if date:
        page.meta["revision_date"] = date
    page.social_card = social_card(page, config)
    return html


def _notebook(html, page, config, files, source):
    html, css = notebook_page.shared_css(html)
    page.notebook_css = f"assets/notebook/{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    if not (Path(config.site_dir) / page.notebook_css).exists():
        _write(config, page.notebook_css, css.encode())
    html = notebook_page.source_links(html, page, files)
    html = notebook_page.plain_code(html)
    html = notebook_page.fold_inputs(html)
    executed = nbformat.read(page.file.abs_src_path, as_version=4)
    folder = PurePosixPath(page.file.dest_uri).parent
    html, missing = notebook_figures.extract_images(
        html, notebook_figures.image_alts(executed),
        lambda name, data: _write(config, str(folder / name), data))
    for name in missing:  # tests/test_site_files.py fails on it; the build goes on
        log.info(f"{page.file.src_uri}: plot {name} has no alt text: give its cell one, "
                 '`# %% alt="what the plot shows"`')
    page.notebook_download = f"{source.stem}.ipynb"
    return html


def _write(config, rel: str, data: bytes) -> None:
    target = Path(config.site_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _git_dates() -> dict[str, str]:
    """Each tracked file's date of last change (YYYY-MM-DD), from one `git log`."""
    try:
        out = subprocess.run(["git", "log", "--format=%x00%cs", "--name-only", "--", "docs"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    dates: dict[str, str] = {}
    for commit in out.split("\0")[1:]:
        date, *paths = commit.strip().splitlines()
        for path in paths:
            dates.setdefault(path.strip(), date)
    return dates


def on_post_build(config):
    if not state.get("serving"):  # `mkdocs serve` keeps KaTeX's process for the next rebuild
        state["typesetter"].close()
    base_path = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    for broken in check_links.broken_links(Path(config.site_dir), base_path):
        log.warning(f"broken link: {broken}")


def on_shutdown():
    if "typesetter" in state:
        state["typesetter"].close()
