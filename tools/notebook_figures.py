r"""A notebook page's plots: files beside the page instead of base64 in its HTML.

- Each becomes a link to itself at full size, which a phone opens alone and zooms, with the alt
  text of its cell's `alt` metadata (jupytext: `# %% alt="what the plot shows"`); nbconvert
  would write "No description has been provided for this image".
- It carries its width and height, so the page does not shift as it loads.
- Its white background becomes transparent (white turned to alpha, as an image editor's "colour
  to alpha" does, so anti-aliased edges stay smooth): in dark mode the stylesheet inverts the
  strokes and the page's own background shows through.
- A figure of several panels (matplotlib's SVG: one `axes_N` group per panel) becomes one SVG
  file per panel, laid out by the stylesheet in a grid that re-flows with the screen: side by
  side on a wide one, stacked on a phone, each panel near its drawn size, where the whole figure
  would shrink its labels below legibility. The whole figure stays a tap away.
  A PNG of several panels side by side gets a second version re-stacked into a narrow grid,
  which a `<picture>` serves to narrow screens; its panels are the blocks between fully blank
  columns (and rows), so a plot's own whitespace never cuts it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

from .notebook_page import html_of, soup_of

EXT = {"png": "png", "jpeg": "jpg", "svg+xml": "svg"}
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
DATA_URL = re.compile(r"data:image/(png|jpeg|svg\+xml);base64,(.+)", re.S)
PHONE_COLUMN = 358  # CSS px of text column on a 390 px screen
NARROW_MAX = 2 * PHONE_COLUMN  # wider than this, a figure shows below half size on a phone
GUTTER = 6  # px of blank between two panels, at least


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


def _transparent(image):
    """White to alpha: a pixel's alpha is how far it is from white, its colour unmixed."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"), dtype=np.float64) / 255
    alpha = (1 - rgb).max(axis=2)
    safe = np.where(alpha > 0, alpha, 1)[..., None]
    colour = np.clip((rgb - (1 - alpha[..., None])) / safe, 0, 1)
    from PIL import Image

    out = np.dstack([colour, alpha]) * 255
    return Image.fromarray(out.round().astype("uint8"), "RGBA")


def _runs(blank, minimum: int) -> list[tuple[int, int]]:
    """The [start, end) runs of non-blank positions, split at blank runs of `minimum` or more."""
    spans, start, gap = [], None, 0
    for i, b in enumerate(list(blank) + [True] * minimum):
        if not b:
            if start is None:
                start = i
            gap = 0
        elif start is not None:
            gap += 1
            if gap >= minimum:
                spans.append((start, i - gap + 1))
                start, gap = None, 0
    return spans


def panels(image) -> list[list[tuple[int, int, int, int]]]:
    """The figure's bands (blocks of rows between blank rows), each as its panels' boxes."""
    import numpy as np

    alpha = np.asarray(image)[..., 3] > 8
    bands = []
    for top, bottom in _runs(~alpha.any(axis=1), GUTTER):
        band = alpha[top:bottom]
        bands.append([(left, top, right, bottom)
                      for left, right in _runs(~band.any(axis=0), GUTTER)])
    return bands


def restacked(image):
    """The panels re-flowed into a grid at most NARROW_MAX wide, or None if that cannot help."""
    from PIL import Image

    if image.width <= NARROW_MAX:
        return None
    bands = panels(image)
    if not any(len(b) > 1 for b in bands):
        return None
    rows: list[list[tuple[int, int, int, int]]] = []
    for band in bands:
        row: list = []
        for box in band:
            if row and sum(b[2] - b[0] + GUTTER for b in row) + box[2] - box[0] > NARROW_MAX:
                rows.append(row)
                row = []
            row.append(box)
        rows.append(row)
    width = max(sum(b[2] - b[0] for b in row) + GUTTER * (len(row) - 1) for row in rows)
    if width >= image.width:
        return None
    height = sum(max(b[3] - b[1] for b in row) for row in rows) + GUTTER * (len(rows) - 1)
    out = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    y = 0
    for row in rows:
        x = 0
        for box in row:
            out.paste(image.crop(box), (x, y))
            x += box[2] - box[0] + GUTTER
        y += max(b[3] - b[1] for b in row) + GUTTER
    return out


SVG_NS = {"svg": "http://www.w3.org/2000/svg", "xlink": "http://www.w3.org/1999/xlink",
          "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "cc": "http://creativecommons.org/ns#",
          "dc": "http://purl.org/dc/elements/1.1/"}
for _prefix, _uri in SVG_NS.items():
    ET.register_namespace("" if _prefix == "svg" else _prefix, _uri)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
WHITE = re.compile(r"fill:\s*#ffffff")


def _frame(group) -> tuple[float, float, float, float] | None:
    """An axes group's frame (x0, y0, x1, y1), from its background patch's path."""
    patch = group.find("svg:g/svg:path", SVG_NS)
    if patch is None:
        return None
    numbers = [float(v) for v in NUMBER.findall(patch.get("d", ""))]
    xs, ys = numbers[0::2], numbers[1::2]
    return (min(xs), min(ys), max(xs), max(ys)) if xs and ys else None


def _groups(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping intervals merged, in order."""
    merged: list[list[float]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def _cuts(groups: list[tuple[float, float]], size: float, share: float) -> list[float]:
    """Where to cut between groups of frames: `share` of each gap after the earlier group (the
    later panel's tick labels sit in the gap before its frame; the earlier one's below it)."""
    inner = [hi + share * (lo2 - hi) for (_, hi), (lo2, _) in pairwise(groups)]
    return [0.0, *inner, size]


def svg_figure(data: bytes) -> tuple[bytes, list[tuple[bytes, tuple[int, int]]]]:
    """The figure with a transparent background, and one SVG per panel with its size in CSS px
    (none for a figure of one panel)."""
    root = ET.fromstring(data)
    figure = root.find("svg:g[@id='figure_1']", SVG_NS)
    if figure is None:
        return data, []
    for patch in [figure.find("svg:g[@id='patch_1']/svg:path", SVG_NS)] + [
            g.find("svg:g/svg:path", SVG_NS) for g in figure.findall("svg:g", SVG_NS)
            if g.get("id", "").startswith("axes_")]:
        if patch is not None and WHITE.search(patch.get("style", "")):
            patch.set("style", WHITE.sub("fill: none", patch.get("style")))
    whole = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    axes = {g.get("id"): _frame(g) for g in figure.findall("svg:g", SVG_NS)
            if g.get("id", "").startswith("axes_")}
    axes = {k: v for k, v in axes.items() if v is not None}
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    columns = _groups([(f[0], f[2]) for f in axes.values()])
    rows = _groups([(f[1], f[3]) for f in axes.values()])
    if len(columns) * len(rows) < 2:
        return whole, []
    xs, ys = _cuts(columns, width, 0.15), _cuts(rows, height, 0.6)
    panels = []
    for r in range(len(rows)):
        for c in range(len(columns)):
            box = (xs[c], ys[r], xs[c + 1], ys[r + 1])
            inside = {k for k, f in axes.items() if box[0] <= (f[0] + f[2]) / 2 <= box[2]
                      and box[1] <= (f[1] + f[3]) / 2 <= box[3]}
            if not inside:
                continue
            panel = copy.deepcopy(root)
            top = panel.find("svg:g[@id='figure_1']", SVG_NS)
            for g in top.findall("svg:g", SVG_NS):
                if g.get("id") in axes and g.get("id") not in inside:
                    # matplotlib defines each glyph once, in the first text that uses it, and
                    # later panels <use> it: keep the definitions of a panel taken out.
                    for defs in g.iter(f"{{{SVG_NS['svg']}}}defs"):
                        top.append(defs)
                    top.remove(g)
            w, h = box[2] - box[0], box[3] - box[1]
            panel.set("viewBox", f"{box[0]:.3f} {box[1]:.3f} {w:.3f} {h:.3f}")
            panel.set("width", f"{w:.3f}pt")
            panel.set("height", f"{h:.3f}pt")
            panels.append((ET.tostring(panel, encoding="utf-8", xml_declaration=True),
                           (round(w * 4 / 3), round(h * 4 / 3))))
    return whole, panels


def _svg_size(data: bytes) -> tuple[int, int] | None:
    try:
        root = ET.fromstring(data)
        return tuple(round(float(NUMBER.match(root.get(k)).group()) * 4 / 3)
                     for k in ("width", "height"))
    except (ET.ParseError, TypeError, AttributeError):
        return None


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _name(data: bytes, ext: str) -> str:
    return f"fig-{hashlib.sha256(data).hexdigest()[:12]}.{ext}"


def extract_images(content: str, alts: list[str | None], write) -> tuple[str, list[str]]:
    """Plots to files (`write(name, bytes)`), each linked to itself; returns page, missing alts."""
    soup = soup_of(content)
    found = [img for img in soup.find_all("img", src=True) if DATA_URL.match(img["src"])]
    if len(found) != len(alts):
        raise ValueError(f"{len(found)} images on the page, {len(alts)} image outputs")
    missing = []
    for img, alt in zip(found, alts, strict=True):
        kind, payload = DATA_URL.match(img["src"]).groups()
        data = base64.b64decode(payload)
        size, narrow, panels = None, None, []
        if kind == "png":
            data, size, narrow = _process_png(data)
        elif kind == "svg+xml":
            try:
                data, panels = svg_figure(data)
            except ET.ParseError:
                pass
            size = _svg_size(data)
        name = _name(data, EXT[kind])
        write(name, data)
        if not alt:
            missing.append(name)
        img["src"] = name
        img["alt"] = alt or "Plot"
        img["loading"] = "lazy"
        img["decoding"] = "async"
        if size and not img.get("width"):
            img["width"], img["height"] = size
        if size:  # never below half its drawn size: a narrow screen scrolls it instead
            img["style"] = f"min-width: {size[0] // 2 + 1}px"
        link = soup.new_tag("a", attrs={"class": "nb-figure", "href": name,
                                        "title": "Open the figure at full size"})
        img.wrap(link)
        if panels:
            grid = soup.new_tag("div", attrs={"class": "nb-panels", "role": "group",
                                              "aria-label": img["alt"]})
            link.wrap(grid)
            for i, (panel, (w, h)) in enumerate(panels, 1):
                part = _name(panel, "svg")
                write(part, panel)
                a = soup.new_tag("a", attrs={"class": "nb-figure", "href": name,
                                             "title": "Open the whole figure"})
                a.append(soup.new_tag("img", attrs={
                    "src": part, "alt": f"Panel {i} of {len(panels)}", "width": str(w),
                    "height": str(h), "loading": "lazy", "decoding": "async",
                    "style": f"min-width: {w // 2 + 1}px"}))
                grid.append(a)
            link.decompose()  # the panels replace it; each links to the whole figure
        if narrow is not None:
            small = _name(narrow[0], "png")
            write(small, narrow[0])
            picture = soup.new_tag("picture")
            source = soup.new_tag("source", attrs={
                # the screens where the figure itself would show below half its size
                "media": f"(max-width: {size[0] // 2 + 32}px)", "srcset": small,
                "width": str(narrow[1][0]), "height": str(narrow[1][1])})
            img.wrap(picture)
            picture.insert(0, source)
    return html_of(soup), missing


def _process_png(data: bytes):
    """(transparent PNG, (width, height), (narrow PNG, its size) or None); bytes that Pillow
    cannot read pass through unchanged."""
    try:
        from PIL import Image

        image = _transparent(Image.open(io.BytesIO(data)))
    except (OSError, ValueError):
        return data, None, None
    narrow = restacked(image)
    return (_png(image), image.size,
            (_png(narrow), narrow.size) if narrow is not None else None)
