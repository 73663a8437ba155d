"""MkDocs hooks: local KaTeX, no CDN MathJax, a notebook cache keyed on code, parallel notebooks.

- KaTeX comes from npm (package-lock.json pins it) and is copied into the site at build, never
  committed and never loaded from another host.
- nbconvert's template adds a <script> for MathJax from a CDN to every notebook page; KaTeX
  typesets those pages instead, so the loader is removed.
- mkdocs-jupyter keys its cache on the notebook's bytes only; `make serve` turns the cache on, so
  the key also covers the code the notebooks import, and a code change re-runs them.
- mkdocs-jupyter executes notebooks one after another, and each spends seconds starting a kernel
  and importing torch. With the cache off (`make docs`, `make test`), the first page to convert
  starts every notebook's conversion on a pool with one worker per core, and each page then
  takes its own result: same calls, same arguments, same errors, in about half the time.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
KATEX = ROOT / "node_modules" / "katex" / "dist"
KATEX_FILES = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"]
CODE_THE_NOTEBOOKS_READ = ["mlp", "derivations", "benchmarks", "docs/examples"]
MATHJAX_LOADER = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                            re.DOTALL)

# Notebook kernels log errors only: their warning that loopback TCP is not encrypted, once for
# every notebook, would bury a real warning in the build log. They read this config from a
# fresh IPython directory, which also keeps a user's own profile out of the build.
_IPYTHONDIR = Path(tempfile.mkdtemp(prefix="ipython-"))
(_IPYTHONDIR / "profile_default").mkdir()
(_IPYTHONDIR / "profile_default" / "ipython_kernel_config.json").write_text(
    '{"IPKernelApp": {"log_level": "ERROR"}}')
os.environ["IPYTHONDIR"] = str(_IPYTHONDIR)
atexit.register(shutil.rmtree, _IPYTHONDIR, ignore_errors=True)


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

    jupyter = config.plugins.get("mkdocs-jupyter")
    convert = jupyter_plugin.convert
    nb2html = getattr(convert.nb2html, "__wrapped__", convert.nb2html)
    if jupyter is None or jupyter.config["cache"]:
        convert.nb2html = nb2html
        return config
    docs = Path(config.docs_dir)
    notebooks = sorted(str(p) for p in docs.glob("**/*.py")
                       if any(p.relative_to(docs).match(pat) for pat in jupyter.config["include"]))
    pending: dict = {}
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)

    def parallel_nb2html(nb_path, **kwargs):
        if not pending:  # the first page: start them all, in the order MkDocs will ask
            for path in [nb_path] + [p for p in notebooks if p != nb_path]:
                pending[path] = pool.submit(nb2html, path, **kwargs)
        future = pending.pop(nb_path, None) or pool.submit(nb2html, nb_path, **kwargs)
        return future.result()

    parallel_nb2html.__wrapped__ = nb2html
    convert.nb2html = parallel_nb2html
    return config
