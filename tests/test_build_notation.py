"""The site build refuses a page in the old notation: the hook runs `derivations.notation`."""

from __future__ import annotations

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from tools import mkdocs_hooks


def _page(root, text: str) -> None:
    (root / "docs" / "notebooks").mkdir(parents=True)
    (root / "docs" / "notebooks" / "homework_1_1.py").write_text(text)


@pytest.mark.parametrize("formula, finding", [
    (r"$s_1 = W^{(1)} x + b^{(1)}$", "s_1"),            # the code's old pre-activation name
    (r"$\nabla_{W} \ell = x^T \delta$", "^T"),          # a stray layout form, not \T
])
def test_the_build_fails_on_an_old_name_or_a_stray_form(tmp_path, monkeypatch, formula, finding):
    _page(tmp_path, f"# %% [markdown]\n# {formula}\n")
    monkeypatch.setattr(mkdocs_hooks, "ROOT", tmp_path)
    with pytest.raises(PluginError, match="notation") as error:
        mkdocs_hooks.on_config(MkDocsConfig())
    assert finding in str(error.value)


def test_the_build_passes_the_homework_notation(tmp_path, monkeypatch):
    _page(tmp_path, "# %% [markdown]\n# $z_1 = W^{(1)} x + b^{(1)}$, $z_2 = f(z_1)$\n")
    monkeypatch.setattr(mkdocs_hooks, "ROOT", tmp_path)
    config = MkDocsConfig()
    assert mkdocs_hooks.on_config(config) is config
