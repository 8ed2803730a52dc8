"""Drawing primitives shared by the static-ad and video renderers: sizes, brand palettes,
fonts and text that fits its box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PIL import ImageDraw, ImageFont

Rgb = tuple[int, int, int]
Font = ImageFont.FreeTypeFont

# Full-size feed, story and landscape images, as the ad platforms recommend.
AD_SIZES: Final[dict[str, tuple[int, int]]] = {
    "1:1": (1080, 1080),
    "4:5": (1080, 1350),
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
}
# Video frames are encoded for every caption; 720p keeps rendering quick on small servers.
VIDEO_SIZES: Final[dict[str, tuple[int, int]]] = {
    "9:16": (720, 1280),
    "1:1": (720, 720),
    "16:9": (1280, 720),
}

# Used when a project names no brand colours: (background, accent) per style.
STYLE_COLOURS: Final[dict[str, tuple[str, str]]] = {
    "product_hero": ("#1F2A44", "#F2B134"),
    "lifestyle": ("#F6EFE6", "#D9623B"),
    "minimal": ("#FFFFFF", "#111111"),
    "bold": ("#E63946", "#FFD60A"),
    "seasonal": ("#2A9D8F", "#F4A261"),
}


def hex_to_rgb(value: str) -> Rgb:
    digits = value.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6:
        raise ValueError(f"not a hex colour: {value!r}")
    red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return red, green, blue


def _luminance(colour: Rgb) -> float:
    """Relative luminance (WCAG 2.x)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: Rgb, b: Rgb) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(background: Rgb) -> Rgb:
    """Black or white, whichever reads better on ``background``."""
    white, black = (255, 255, 255), (17, 17, 17)
    return white if contrast(white, background) >= contrast(black, background) else black


@dataclass(frozen=True)
class Palette:
    background: Rgb
    accent: Rgb
    text: Rgb
    on_accent: Rgb

    @classmethod
    def for_brand(cls, brand_colours: list[str], style: str) -> Palette:
        default_bg, default_accent = STYLE_COLOURS.get(style, STYLE_COLOURS["product_hero"])
        colours = []
        for value in brand_colours:
            try:
                colours.append(hex_to_rgb(value))
            except ValueError:
                continue
        background = colours[0] if colours else hex_to_rgb(default_bg)
        accent = colours[1] if len(colours) > 1 else hex_to_rgb(default_accent)
        if contrast(accent, background) < 1.5:
            # An accent that vanishes into the background would hide the call to action.
            accent = readable_on(background)
        return cls(background, accent, readable_on(background), readable_on(accent))


def font(size: int) -> Font:
    """Pillow's bundled scalable font: no font files to ship or find on the host."""
    loaded = ImageFont.load_default(size=size)
    assert isinstance(loaded, ImageFont.FreeTypeFont)
    return loaded


def wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, max_width: int) -> list[str]:
    """Greedy word wrap by rendered width; a word wider than the box gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=face) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def fit_text(
    draw: ImageDraw.ImageDraw,
    text: str,
    *,
    max_width: int,
    max_height: int,
    largest: int,
    smallest: int,
    spacing: float = 1.2,
) -> tuple[Font, list[str]]:
    """The largest font size (stepping down) at which ``text`` wraps into the box."""
    size = largest
    while True:
        face = font(size)
        lines = wrap(draw, text, face, max_width)
        widest = max((draw.textlength(line, font=face) for line in lines), default=0)
        if (len(lines) * size * spacing <= max_height and widest <= max_width) or size <= smallest:
            return face, lines
        size = max(smallest, int(size * 0.9))


def draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: list[str],
    face: Font,
    *,
    top: int,
    centre_x: int,
    fill: Rgb,
    spacing: float = 1.2,
    stroke: int = 0,
) -> int:
    """Centred lines from ``top``; returns the y below the last one."""
    step = int(face.size * spacing)
    y = top
    for line in lines:
        draw.text(
            (centre_x, y),
            line,
            font=face,
            fill=fill,
            anchor="ma",
            stroke_width=stroke,
            stroke_fill=fill,
        )
        y += step
    return y
