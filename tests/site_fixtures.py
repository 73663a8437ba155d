"""Fixtures shared across test modules: the strictly built site, served under a sub-path."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBPATH = "backprop-derived"  # GitHub Pages serves a project site at /<name>/


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """`mkdocs build --strict` from the working tree, every notebook executed, cache off.

    Returns (site_dir, build_log). The site lands in <tmp>/<SUBPATH>/ so that serving <tmp>
    puts it under a sub-path, as GitHub Pages does.
    """
    root = tmp_path_factory.mktemp("www")
    site_dir = root / SUBPATH
    env = dict(os.environ, NOTEBOOK_CACHE="false", NO_MKDOCS_2_WARNING="1")
    env.pop("MPLBACKEND", None)  # with Agg set, notebook plots silently vanish
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"strict build failed:\n{log[-6000:]}"
    return site_dir, log


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served_site(built_site):
    """The built site on http://127.0.0.1:<port>/<SUBPATH>/ ; yields that base URL."""
    site_dir, _ = built_site
    handler = functools.partial(_QuietHandler, directory=str(site_dir.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{SUBPATH}/"
    finally:
        server.shutdown()
        server.server_close()
