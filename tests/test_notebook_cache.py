"""The executed-notebook cache's key (tools/notebook_cache.py): `make serve` and a warm `make test`
reuse a notebook's run only when nothing it depends on has changed."""

from __future__ import annotations

import ast

import pytest

from tools import notebook_cache as nc


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A repository of one package and one notebook, with the cache's view of it."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("X = 1\n")
    (tmp_path / "page.py").write_text("# %%\nimport pkg\n")
    monkeypatch.setattr(nc, "ROOT", tmp_path)
    monkeypatch.setattr(nc, "CODE", ["pkg"])
    for name in nc.NUMERICS_ENV:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _path(tree):
    return nc.executed_path(tree / "page.py", nc.code_digest(), tree / "cache")


def test_the_same_inputs_give_the_same_run(tree):
    assert _path(tree) == _path(tree)


def test_the_page_and_the_code_it_imports_are_in_the_key(tree):
    before = _path(tree)
    (tree / "pkg" / "mod.py").write_text("X = 2\n")
    after_code = _path(tree)
    (tree / "page.py").write_text("# %%\nimport pkg  # edited\n")
    assert len({before, after_code, _path(tree)}) == 3


@pytest.mark.parametrize("name", nc.NUMERICS_ENV)
def test_torch_kernel_settings_are_in_the_key(tree, monkeypatch, name):
    before = _path(tree)
    monkeypatch.setenv(name, "1")
    assert _path(tree) != before


def test_the_cpu_is_in_the_key(tree, monkeypatch):
    before = _path(tree)
    monkeypatch.setattr(nc, "_cpu_model", lambda: b"model name : another CPU")
    assert _path(tree) != before


def test_every_project_package_a_page_imports_is_in_the_key():
    """A package of this repository that a page imports (mlp, derivations, pages, ...) is hashed
    into the key, or an edit to it would leave the page's run stale."""
    imported = set()
    for page in (nc.ROOT / "docs" / "notebooks").glob("*.py"):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    ours = {name for name in imported if (nc.ROOT / name / "__init__.py").is_file()}
    assert {"mlp", "derivations"} <= ours
    assert ours - set(nc.CODE) == set(), "tools/notebook_cache.py's CODE misses these"
