"""MkDocs hooks: serve KaTeX from this site, drop nbconvert's MathJax loader, key the notebook cache.

- KaTeX comes from npm (package-lock.json pins it) and is copied into the site at build, never
  committed and never loaded from another host.
- nbconvert's template adds a <script> for MathJax from a CDN to every notebook page; KaTeX
  typesets those pages instead, so the loader is removed.
- mkdocs-jupyter keys its cache on the notebook's bytes only; `make serve` turns the cache on, so
  the key also covers the code the notebooks import, and a code change re-runs them.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
KATEX = ROOT / "node_modules" / "katex" / "dist"
KATEX_FILES = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"]
CODE_THE_NOTEBOOKS_READ = ["mlp", "derivations", "benchmarks", "docs/examples"]
MATHJAX_LOADER = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                            re.DOTALL)

# Notebook kernels talk to the build over Unix sockets (tools/jupyter/): no TCP port is opened,
# and the kernel's warning about unencrypted TCP no longer buries real warnings in the log.
os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
    [str(ROOT / "tools" / "jupyter")] + [p for p in [os.environ.get("JUPYTER_CONFIG_PATH")] if p])


def on_files(files, config):
    if not (KATEX / "katex.min.js").exists():
        raise PluginError(f"KaTeX is missing from {KATEX}: run `make` (it runs `npm ci`)")
    # Only woff2 fonts: every browser that runs the site's JavaScript reads them first.
    fonts = [f"fonts/{p.name}" for p in sorted((KATEX / "fonts").glob("*.woff2"))]
    for rel in KATEX_FILES + fonts:
        files.append(File.generated(config, f"assets/katex/{rel}", abs_src_path=str(KATEX / rel)))
    return files


def on_post_page(output, page, config):
    return MATHJAX_LOADER.sub("", output)


def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for top in CODE_THE_NOTEBOOKS_READ:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.digest()


def on_config(config):
    try:
        from mkdocs_jupyter import plugin as jupyter_plugin
    except ImportError:
        return config
    original = getattr(jupyter_plugin._compute_cache_key, "__wrapped__",
                       jupyter_plugin._compute_cache_key)

    def key_with_code(nb_path, plugin_config, exec_nb):
        return hashlib.sha256(original(nb_path, plugin_config, exec_nb).encode()
                              + _code_digest()).hexdigest()

    key_with_code.__wrapped__ = original
    jupyter_plugin._compute_cache_key = key_with_code
    return config
