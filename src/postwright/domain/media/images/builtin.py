"""The builtin image provider: a designed social card drawn with Pillow, offline and free.

Each style is a layout (background, accent shapes, type scale) filled with a palette chosen
from the persona, so a persona's images look like a series. The headline is set as large as
fits its box; the tagline (persona or brand) sits at the foot.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from postwright.domain.media.formats import IMAGE_SIZES
from postwright.domain.media.images.base import GeneratedImage, ImageRequest

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    deep: RGB
    mid: RGB
    accent: RGB
    paper: RGB


def _hex(value: str) -> RGB:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


PALETTES: tuple[Palette, ...] = tuple(
    Palette(_hex(a), _hex(b), _hex(c), _hex(d))
    for a, b, c, d in (
        ("#0b2545", "#13315c", "#f4a259", "#f8f4ec"),  # navy and amber
        ("#1b4332", "#2d6a4f", "#ffd166", "#f1f7ee"),  # forest and gold
        ("#3c096c", "#5a189a", "#ff9e00", "#f7f1fb"),  # plum and orange
        ("#22223b", "#4a4e69", "#f2a65a", "#f2e9e4"),  # slate and apricot
        ("#003049", "#00587a", "#fcbf49", "#eaf4f4"),  # ocean and sun
        ("#6a040f", "#9d0208", "#ffba08", "#fff4e6"),  # crimson and saffron
        ("#0f4c5c", "#1f7a8c", "#e36414", "#edf6f9"),  # teal and rust
        ("#2b2d42", "#3d405b", "#81b29a", "#f4f1de"),  # charcoal and sage
    )
)


def palette_for(seed: str) -> Palette:
    """The same persona (or seed) always gets the same colours."""
    digest = hashlib.sha256(seed.encode()).digest()
    return PALETTES[digest[0] % len(PALETTES)]


@lru_cache(maxsize=64)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _fit(
    draw: ImageDraw.ImageDraw, text: str, box: tuple[int, int], largest: int, smallest: int
) -> tuple[ImageFont.FreeTypeFont, list[str], int]:
    """The largest headline size whose wrapped lines fit ``box`` (width, height)."""
    width, height = box
    size = largest
    while True:
        font = _font(BOLD_FONT, size)
        lines = _wrap(draw, text, font, width)
        line_height = int(size * 1.18)
        fits = len(lines) * line_height <= height and all(
            draw.textlength(line, font=font) <= width for line in lines
        )
        if fits or size <= smallest:
            return font, lines, line_height
        size = max(smallest, int(size * 0.92))


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB, diagonal: bool = False) -> Image.Image:
    mask = Image.linear_gradient("L")
    if diagonal:
        # Top-left to bottom-right: the mean of a vertical and a horizontal ramp.
        mask = Image.blend(mask, mask.rotate(90), 0.5)
    mask = mask.resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _text_colour(background: RGB) -> RGB:
    red, green, blue = background
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return (20, 20, 28) if luminance > 150 else (255, 255, 255)


def render_card(request: ImageRequest) -> Image.Image:
    width, height = IMAGE_SIZES[request.aspect_ratio]
    palette = palette_for(request.palette_seed or request.headline or request.prompt)
    unit = min(width, height)
    margin = int(unit * 0.09)
    headline = request.headline.strip() or request.prompt.strip() or "Untitled"
    style = request.style

    if style == "minimal":
        image = Image.new("RGB", (width, height), palette.paper)
    elif style == "bold":
        image = Image.new("RGB", (width, height), palette.accent)
    elif style == "vibrant":
        image = _gradient((width, height), palette.mid, palette.accent, diagonal=True)
    else:
        image = _gradient((width, height), palette.deep, palette.mid)
    draw = ImageDraw.Draw(image)
    background = image.getpixel((width // 2, height // 2))
    ink = _text_colour(background if isinstance(background, tuple) else palette.deep)  # type: ignore[arg-type]

    # Decoration first, so text always sits on top.
    if style == "professional":
        radius = int(unit * 0.45)
        draw.ellipse(
            (width - radius, -radius // 2, width + radius, int(radius * 1.5)),
            outline=palette.accent,
            width=max(4, unit // 120),
        )
        draw.rectangle(
            (margin, margin, margin + unit // 8, margin + unit // 60), fill=palette.accent
        )
    elif style == "bold":
        draw.rectangle((0, height - unit // 12, width, height), fill=palette.deep)
    elif style == "minimal":
        draw.line(
            (margin, height - margin * 2, margin + unit // 5, height - margin * 2),
            fill=palette.accent,
            width=max(3, unit // 200),
        )
    else:
        for index, scale in enumerate((0.55, 0.35, 0.2)):
            radius = int(unit * scale)
            centre = (int(width * (0.15 + 0.35 * index)), int(height * (0.85 - 0.3 * index)))
            draw.ellipse(
                (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
                outline=palette.paper,
                width=max(3, unit // 240),
            )

    top = margin * 2 if style == "professional" else margin
    box_width = width - 2 * margin
    box_height = height - top - margin * 3
    if style == "vibrant":
        # A paper panel keeps the headline legible over the busy background.
        panel_pad = margin // 2
        font, lines, line_height = _fit(
            draw,
            headline,
            (box_width - 2 * panel_pad, box_height - 2 * panel_pad),
            unit // 9,
            unit // 30,
        )
        block = len(lines) * line_height
        panel_top = max(top, (height - block) // 2 - panel_pad)
        draw.rounded_rectangle(
            (margin, panel_top, width - margin, panel_top + block + 2 * panel_pad),
            radius=unit // 30,
            fill=palette.paper,
        )
        y = panel_top + panel_pad
        x = margin + panel_pad
        ink = _text_colour(palette.paper)
    else:
        largest = unit // 7 if style == "bold" else unit // 9
        font, lines, line_height = _fit(
            draw, headline, (box_width, box_height), largest, unit // 30
        )
        block = len(lines) * line_height
        y = top + max(0, (box_height - block) // 2) if style != "minimal" else top + margin
        x = margin
    for line in lines:
        draw.text((x, y), line, font=font, fill=ink)
        y += line_height

    if request.tagline:
        small = _font(REGULAR_FONT, max(14, unit // 32))
        tag_ink = (
            palette.paper
            if style == "bold"
            else _text_colour(palette.paper if style in ("minimal",) else palette.deep)
        )
        if style == "vibrant":
            tag_ink = (255, 255, 255)
        tagline = request.tagline.strip()[:80]
        tag_y = height - margin - small.size
        if style == "bold":
            tag_y = height - unit // 24 - small.size // 2 - small.size // 6
        draw.text((margin, tag_y), tagline, font=small, fill=tag_ink)
    return image


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


class BuiltinImageProvider:
    """Draws cards locally; it never pretends to be a model (``provider: "builtin"``)."""

    name = "builtin"

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        data = await asyncio.to_thread(lambda: _encode(render_card(request)))
        return GeneratedImage(data=data, content_type="image/png", provider=self.name)

    async def aclose(self) -> None:
        return None
