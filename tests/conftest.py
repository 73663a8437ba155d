"""Shared fixtures: a seeded generator, the homework's `nn.Sequential` twin, the built site."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch

from mlp import MLP

from .reference import twin_of


def pytest_collection_modifyitems(config, items):
    """Under `pytest -n 2` (`make test`), every `site` test joins one xdist group, so one worker
    builds the site once and browses it while the other runs the unit tests (`--dist loadgroup`
    in pyproject.toml sends a group to one worker). They go first, the longest job. Without -n
    nothing changes."""
    if hasattr(config, "workerinput") or config.getoption("dist", "no") != "no":
        for item in items:
            if item.get_closest_marker("site"):
                item.add_marker(pytest.mark.xdist_group("site"))
        items.sort(key=lambda item: item.get_closest_marker("site") is None)


@pytest.fixture
def generator() -> torch.Generator:
    """A fresh generator with a fixed seed, so each test draws the same numbers every run."""
    return torch.Generator().manual_seed(20210201)


@pytest.fixture
def net(generator) -> MLP:
    """A small float64 relu/sigmoid net that has run one forward pass and one backward pass."""
    net = MLP(3, 4, "relu", 4, 2, "sigmoid", dtype=torch.float64, generator=generator)
    net.forward(torch.randn(5, 3, dtype=torch.float64, generator=generator))
    net.backward(torch.randn(5, 2, dtype=torch.float64, generator=generator))
    return net


@pytest.fixture(scope="session")
def twin():
    """`twin(net)`: the net's `nn.Sequential` twin, `twin.linear1.weight.data = W1` and so on."""
    return twin_of


# The site, built once per session and served under a sub-path (tests/test_site.py).

ROOT = Path(__file__).resolve().parents[1]
SUBPATH = "backprop-derived"  # GitHub Pages serves a project site at /<name>/
# As the Pages workflow sets them (a repository's name), so links built from them are tested too.
SITE_URL = f"http://127.0.0.1/{SUBPATH}/"
REPO_URL = f"https://github.com/example/{SUBPATH}"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """`mkdocs build --strict` from the working tree, every notebook executed, cache off.

    Returns (site_dir, build_log). The site lands in <tmp>/<SUBPATH>/ so that serving <tmp>
    puts it under a sub-path, as GitHub Pages does.
    """
    root = tmp_path_factory.mktemp("www")
    site_dir = root / SUBPATH
    env = dict(os.environ, NOTEBOOK_CACHE="false", NO_MKDOCS_2_WARNING="1",
               SITE_URL=SITE_URL, REPO_URL=REPO_URL)
    env.pop("MPLBACKEND", None)  # with Agg set, notebook plots silently vanish
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"strict build failed:\n{log[-6000:]}"
    return site_dir, log


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files as GitHub Pages does, with the site's own 404.html for a missing page."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / SUBPATH / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


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
