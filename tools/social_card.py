"""A 1200x630 preview image per page for `og:image`, drawn offline with Pillow.

Material's social plugin needs Cairo and fetches fonts from another host; this draws the site's
name, the page's title and the network's chain with Pillow and the DejaVu Sans that matplotlib
ships (Pillow's own font has no arrows). Cards are cached in
.cache/social/ by their text, so a rebuild draws only the titles that changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "social"
SIZE = (1200, 630)
INDIGO, WHITE, PALE = "#3f51b5", "#ffffff", "#c5cae9"
CHAIN = "x  →  Linear  →  f  →  Linear  →  g  →  ŷ  →  loss"


def _font(size: int):
    from PIL import ImageFont

    mpl = importlib.util.find_spec("matplotlib")
    dejavu = Path(mpl.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
    if dejavu.exists():
        return ImageFont.truetype(str(dejavu), size)
    return ImageFont.load_default(size=size)


def draw(site: str, title: str, target: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", SIZE, INDIGO)
    pen = ImageDraw.Draw(image)
    pen.text((80, 70), site, font=_font(44), fill=PALE)
    big = _font(80)
    for i, line in enumerate(textwrap.wrap(title, 24, break_on_hyphens=False)[:3]):
        pen.text((80, 190 + i * 100), line, font=big, fill=WHITE)
    pen.line((80, 500, 1120, 500), fill=PALE, width=3)
    pen.text((80, 530), CHAIN, font=_font(36), fill=PALE)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, optimize=True)


def social_card(page, config) -> str:
    """Write the page's card into the site; return its site-relative path."""
    title = page.title or config.site_name
    text = f"dejavu\0{config.site_name}\0{title}\0{CHAIN}"
    cached = CACHE / (hashlib.sha256(text.encode()).hexdigest()[:16] + ".png")
    if not cached.exists():
        partial = cached.with_suffix(".partial.png")
        draw(config.site_name, title, partial)
        partial.replace(cached)
    rel = "assets/social/" + (page.file.dest_uri.removesuffix("index.html").strip("/")
                              .replace("/", "-") or "home") + ".png"
    target = Path(config.site_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    return rel
