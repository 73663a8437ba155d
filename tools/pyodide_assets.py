"""MkDocs hook: the files the "Derive your own" page runs SymPy from, copied into the site.

- Pyodide's core from npm (package-lock.json pins it), only what `loadPyodide` fetches: the
  loader, the runtime, its WebAssembly, the standard library and the lock file.
- The sympy and mpmath wheels `make` downloads into .pyodide-wheels/, in the versions this
  venv runs, so the page runs the SymPy the tests run.
- The page's Python, `pages.playground` and the modules of `derivations` it imports, as
  packages with an empty `__init__` (the page needs none of the packages' other modules).
- assets/derive/manifest.json: every file above, so the page's script names none of them,
  their total size, and the names an expression may use.
- KaTeX's script and stylesheet, when the site does not ship them already: the page typesets
  its results with `katex.render` itself.

Nothing is fetched from another host, at build or in the browser.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from pages.playground import allowed_names

ROOT = Path(__file__).resolve().parents[1]
PYODIDE = ROOT / "node_modules" / "pyodide"
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json"]
WHEELS = ROOT / ".pyodide-wheels"
WHEEL_PACKAGES = ["mpmath", "sympy"]  # mpmath first: sympy imports it
MODULES = ["derivations/bound.py", "derivations/notation.py", "pages/playground.py",
           "derivations/answers.py"]  # answers: the answer boxes
KATEX = ROOT / "node_modules" / "katex" / "dist"
KATEX_FILES = ["katex.min.js", "katex.min.css"]


def _add(files, config, dest: str, src: Path) -> int:
    if not src.is_file():
        raise PluginError(f"{src} is missing: run `make` (npm ci, and the wheel download)")
    files.append(File.generated(config, dest, abs_src_path=str(src)))
    return src.stat().st_size


def on_files(files, config):
    manifest = {"pyodide": "assets/pyodide/", "wheels": [], "modules": {}, "bytes": 0,
                "names": allowed_names()}
    for name in PYODIDE_FILES:
        manifest["bytes"] += _add(files, config, f"assets/pyodide/{name}", PYODIDE / name)
    for package in WHEEL_PACKAGES:
        wheel = f"{package}-{version(package)}-py3-none-any.whl"
        manifest["bytes"] += _add(files, config, f"assets/pyodide/wheels/{wheel}", WHEELS / wheel)
        manifest["wheels"].append(f"assets/pyodide/wheels/{wheel}")
    for package in sorted({name.split("/")[0] for name in MODULES}):
        files.append(File.generated(config, f"assets/derive/{package}/__init__.py", content=""))
        manifest["modules"][f"{package}/__init__.py"] = f"assets/derive/{package}/__init__.py"
    for name in MODULES:
        manifest["bytes"] += _add(files, config, f"assets/derive/{name}", ROOT / name)
        manifest["modules"][name] = f"assets/derive/{name}"
    katex = [f"assets/katex/{n}" for n in KATEX_FILES]
    katex += [f"assets/katex/fonts/{p.name}" for p in sorted((KATEX / "fonts").glob("*.woff2"))]
    for dest in katex:
        if files.get_file_from_path(dest) is None:
            _add(files, config, dest, KATEX / dest.removeprefix("assets/katex/"))
    manifest["katex"] = katex[:2]
    files.append(File.generated(config, "assets/derive/manifest.json",
                                content=json.dumps(manifest, indent=1)))
    return files
