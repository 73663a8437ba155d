"""Shared fixtures: a seeded generator, the homework's `nn.Sequential` twin, the built site."""

from __future__ import annotations

import functools
import http.server
import os
import shlex
import sys
import threading
from pathlib import Path

import pytest
import torch
from hypothesis import Phase, settings

from mlp import MLP

from . import background
from .reference import twin_of

# `make mutation` runs with --hypothesis-profile=mutation: a property that a mutant breaks fails
# at its first failing example, without shrinking it, which mutmut's time limit read as a timeout.
settings.register_profile("mutation", phases=(Phase.explicit, Phase.reuse, Phase.generate))


# The site build runs with the caller's torch thread setting: it is part of a notebook run's key.
CALLERS_OMP_NUM_THREADS = os.environ.get("OMP_NUM_THREADS")


def pytest_configure(config):
    """pytest-xdist needs its workers to collect the same tests in the same order; tests made
    from a set come in the order of string hashes, which differ from process to process unless
    PYTHONHASHSEED fixes them. The workers start after this, with this environment.

    Each worker runs torch on one thread, and so does what it starts (the grader's workers):
    two workers on two cores, each with a thread per core, spent most of their CPU time waiting
    for each other's cores (tests/test_model.py and test_configurations.py under -n 2: 28.7 s of
    CPU with torch's default threads, 11.7 s with one)."""
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if hasattr(config, "workerinput"):  # a pytest-xdist worker
        os.environ["OMP_NUM_THREADS"] = "1"
        torch.set_num_threads(1)


# `make check` (the inner loop) leaves out the tests marked `slow`: seconds each, or a whole
# grid of configurations. A file may mark its own (`@pytest.mark.slow`); these, the slowest
# measured (CPU seconds for all of a test's cases, on this 2-core machine), are marked here by
# file or by name. `make test` runs them all.
SLOW_FILES = {
    "tests/test_check_corpus.py",  # grades the whole corpus in one batch first: 42 s
}
SLOW = {
    "test_gradients_match_autograd",  # tests/test_deep.py: 432 cases, 36 s
    "test_loss_curves_agree_step_by_step",  # tests/test_train.py: 108 cases, 30 s
    "test_backprop_equals_diff_entry_by_entry",  # tests/derivations/test_network.py: 30 s
    "test_network_three_ways",  # tests/derivations/test_torch_bridge.py: 20 s
    "test_every_named_factor_is_named_in_J_and_dJdy_hat",  # tests/test_check_diagnoses.py: 16 s
    "test_training_a_deep_stack_matches_autograd_for_200_steps",  # tests/test_deep.py: 15 s
    "test_jacobians_and_gradients_hold",  # tests/derivations/test_sample.py: 10 s
    "test_one_sample_is_the_batch_of_one_times_the_factor",  # tests/derivations/test_sample.py
    "test_json_carries_what_the_text_shows",  # tests/test_check_formats.py: 6 s
    "test_a_note_passes_by_default_and_fails_with_strict",  # tests/test_check_diagnoses.py: 6 s
    "test_printed_formulas_keep_their_context",  # tests/derivations/test_notation.py: 5 s
    "test_every_known_loss_mistake_is_named",  # tests/test_check_diagnoses.py: 5 s
    "test_plot_samples_are_the_functions",  # tests/derivations/test_playground.py: 5 s
    "test_jacobian_is_diag_minus_outer_product",  # tests/derivations/test_softmax.py: 5 s
    "test_each_planted_mistake_gets_its_code",  # tests/test_check_diagnoses.py: 4 s
    "test_polynomial_case_proven_everywhere",  # tests/derivations/test_network.py: 3 s
    "test_autograd_by_a_back_door_is_caught_and_named",  # tests/test_check_sandbox.py: 9 s
    "test_grading_a_file_never_imports_sympy_and_visits_few_modules",  # test_check_formats: 4 s
    "test_student_code_sees_none_of_the_graders_environment",  # test_check_sandbox: 4 s
}


def pytest_itemcollected(item):
    if (item.nodeid.split("::")[0] in SLOW_FILES
            or getattr(item, "originalname", item.name) in SLOW):
        item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected
def pytest_collection_modifyitems(config, items):
    """The `site` tests run last: the site builds in the background from the first test on
    (`_site_build`), while the unit tests run. Under `pytest -n 2` (`make test`) the workers
    share that one build; `--dist loadfile --no-loadscope-reorder` (pyproject.toml) keeps each
    file on one worker, so a module-scoped fixture is set up once, and keeps this order.
    (xdist_group with `--dist loadgroup` does not group under pytest 9.2 with pytest-xdist 3.8:
    xdist renames node ids, which pytest 9.2 no longer reads; pytest-xdist issue 1386.)"""
    items.sort(key=lambda item: item.get_closest_marker("site") is not None)


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


@pytest.fixture(scope="session", autouse=True)
def _site_build(request, tmp_path_factory):
    """Starts the site's two steps in the background as the first test starts, if any selected
    test needs the site: once per run, also under -n. First `python -m tools.notebooks` (a page
    runs unless .cache/notebooks/ holds a run of it under the same key: the page, the code it
    imports, the packages, the CPU and torch's kernel settings; NOTEBOOK_CACHE=false runs every
    page), then `mkdocs build --strict`."""
    shared = background.shared_dir(request.config, tmp_path_factory)
    if not any("built_site" in item.fixturenames for item in request.session.items):
        yield
        return
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=SITE_URL, REPO_URL=REPO_URL)
    env.pop("MPLBACKEND", None)  # with Agg set, notebook plots silently vanish
    env.pop("OMP_NUM_THREADS", None)
    if CALLERS_OMP_NUM_THREADS is not None:
        env["OMP_NUM_THREADS"] = CALLERS_OMP_NUM_THREADS
    site_dir = shared / "www" / SUBPATH
    python = shlex.quote(sys.executable)
    command = ["sh", "-c", f"{python} -m tools.notebooks && exec {python} -m mkdocs build "
               f"--strict --site-dir {shlex.quote(str(site_dir))}"]
    with background.once(shared / "site-build", command, timeout=600, cwd=ROOT, env=env):
        yield


@pytest.fixture(scope="session")
def built_site(request, tmp_path_factory):
    """The strict build `_site_build` started, waited for. Returns (site_dir, build_log).

    The site lands in <tmp>/www/<SUBPATH>/ so that serving <tmp>/www puts it under a sub-path,
    as GitHub Pages does.
    """
    shared = background.shared_dir(request.config, tmp_path_factory)
    returncode, log = background.result(shared / "site-build", timeout=660)
    assert returncode == "0", f"strict build failed ({returncode}):\n{log[-6000:]}"
    return shared / "www" / SUBPATH, log


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium for one test module (tests/browser.py)."""
    from .browser import chromium

    with chromium() as launched:
        yield launched


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
