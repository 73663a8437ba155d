r"""A notebook page's plots: files beside the page instead of base64 in its HTML.

Each becomes a link to itself at full size, which a phone opens alone and zooms, with the alt
text of its cell's `alt` metadata (jupytext: `# %% alt="what the plot shows"`); nbconvert
would write "No description has been provided for this image".
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape

IMAGE = re.compile(r'<img\b([^>]*?)src="data:image/(png|jpeg|svg\+xml);base64,([^"]+)"([^>]*)>')
ALT = re.compile(r'\salt="[^"]*"')
EXT = {"png": "png", "jpeg": "jpg", "svg+xml": "svg"}
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")


def image_alts(nb) -> list[str | None]:
    """The `alt` metadata of each image output's cell, in page order (removed cells skipped)."""
    alts = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or tags & {"remove-cell", "remove-output"}:
            continue
        for output in cell.get("outputs", []):
            if any(m in output.get("data", {}) for m in IMAGE_MIMES):
                alts.append(cell.metadata.get("alt"))
    return alts


def extract_images(content: str, alts: list[str | None], write) -> tuple[str, list[str]]:
    """Plots to files (`write(name, bytes)`), each linked to itself; returns page, missing alts."""
    found = IMAGE.findall(content)
    if len(found) != len(alts):
        raise ValueError(f"{len(found)} images on the page, {len(alts)} image outputs")
    missing, alts_left = [], list(alts)

    def one(m: re.Match) -> str:
        data = base64.b64decode(m.group(3))
        name = f"fig-{hashlib.sha256(data).hexdigest()[:12]}.{EXT[m.group(2)]}"
        write(name, data)
        alt = alts_left.pop(0)
        if not alt:
            missing.append(name)
        attrs = ALT.sub("", m.group(1) + m.group(4)).rstrip("/ ")
        img = (f'<img{attrs} src="{name}" alt="{escape(alt or "Plot")}" loading="lazy">')
        return f'<a class="nb-figure" href="{name}" title="Open the figure at full size">{img}</a>'

    return IMAGE.sub(one, content), missing
