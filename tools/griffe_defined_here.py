"""Griffe extension: each object is documented once, where a reader looks it up.

A module that re-exports a name (`from .exact import is_zero`, listed in its `__all__`) would
repeat that object's whole entry on the API page. The re-export is hidden when the defining
module is public (it is documented there); an object defined in a private module (`_network`)
is documented once, at its shortest public path (`mlp.Network` before `mlp.model.Network`).
"""

from __future__ import annotations

from collections import defaultdict

import griffe


class DefinedHere(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        private_targets = defaultdict(list)
        for module in _modules(pkg):
            for member in module.members.values():
                target = _final_path(member)
                if target is None or not target.startswith(pkg.path + "."):
                    continue
                if any(part.startswith("_") for part in target.split(".")[:-1]):
                    private_targets[target].append(member)
                else:
                    member.public = False
        for aliases in private_targets.values():
            aliases.sort(key=lambda a: (a.path.count("."), a.path))
            for alias in aliases[1:]:
                alias.public = False


def _final_path(member) -> str | None:
    if not member.is_alias:
        return None
    try:
        return member.final_target.path
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _modules(module: griffe.Module):
    yield module
    for sub in module.modules.values():
        if not sub.is_alias:
            yield from _modules(sub)
