"""The builtin static-ad renderer: a designed PNG at the requested aspect ratio.

Layout, top to bottom: the product name, a headline drawn from the prompt, the price (when the
product has one) and a call-to-action button, on the project's brand colours. Each style
varies the background (flat, gradient, framed) and the weight of the type.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from postwright.domain.adcopy.design import (
    AD_SIZES,
    Palette,
    Rgb,
    draw_lines,
    fit_text,
    font,
)

STYLE_CTAS = {
    "product_hero": "Shop now",
    "lifestyle": "Discover more",
    "minimal": "Learn more",
    "bold": "Get yours today",
    "seasonal": "Shop the season",
}
HEADLINE_WORDS = 9
_FILLER = re.compile(
    r"^(please\s+)?(make|create|generate|design|show|give me|i want)\s+(an?\s+|the\s+)?"
    r"((ad|image|picture|banner|visual)\s+(with|of|showing|featuring)\s+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StaticAdSpec:
    product_name: str
    product_description: str = ""
    prompt: str | None = None
    style: str = "product_hero"
    aspect_ratio: str = "1:1"
    price: str | None = None
    brand_colors: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return headline_from(self.prompt, self.product_description, self.product_name)

    @property
    def cta(self) -> str:
        return STYLE_CTAS.get(self.style, STYLE_CTAS["product_hero"])


def headline_from(prompt: str | None, description: str, product_name: str) -> str:
    """The prompt's first clause as a headline ("Summer vibes, bright background" →
    "Summer Vibes"); without a prompt, the description's first sentence."""
    source = (prompt or "").strip()
    if source:
        source = _FILLER.sub("", source)
        clause = re.split(r"[,.;:!?\n]| - ", source, maxsplit=1)[0].strip() or source
        words = clause.split()[:HEADLINE_WORDS]
        return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in words)
    sentence = re.split(r"(?<=[.!?])\s", description.strip(), maxsplit=1)[0].strip()
    if sentence:
        return " ".join(sentence.split()[: HEADLINE_WORDS + 3]).rstrip(".")
    return f"Meet {product_name}"


def _background(size: tuple[int, int], palette: Palette, style: str) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, palette.background)
    if style in {"lifestyle", "seasonal"}:
        # A vertical gradient from the brand colour to a lighter/darker shade of it.
        target = _shade(palette.background, 0.35)
        gradient = Image.linear_gradient("L").resize(size)
        image = Image.composite(Image.new("RGB", size, target), image, gradient)
    draw = ImageDraw.Draw(image)
    if style == "minimal":
        inset = min(size) // 24
        draw.rectangle(
            (inset, inset, width - inset, height - inset),
            outline=palette.accent,
            width=max(2, inset // 8),
        )
    elif style == "bold":
        draw.polygon([(0, height), (width, int(height * 0.62)), (width, height)], palette.accent)
    else:
        draw.rectangle((0, 0, width, max(8, height // 90)), fill=palette.accent)
    return image


def _shade(colour: Rgb, amount: float) -> Rgb:
    """Toward white for dark colours, toward black for light ones."""
    towards = 255 if sum(colour) < 384 else 0
    red, green, blue = (round(c + (towards - c) * amount) for c in colour)
    return red, green, blue


def render_static_ad(spec: StaticAdSpec) -> bytes:
    """The ad as PNG bytes (CPU-bound: call it in a worker thread)."""
    size = AD_SIZES[spec.aspect_ratio]
    width, height = size
    palette = Palette.for_brand(spec.brand_colors, spec.style)
    image = _background(size, palette, spec.style)
    draw = ImageDraw.Draw(image)
    margin = width // 12
    box_width = width - 2 * margin
    unit = min(width, height)
    bold = 2 if spec.style in {"bold", "product_hero"} else 0

    name_face, name_lines = fit_text(
        draw,
        spec.product_name.upper(),
        max_width=box_width,
        max_height=int(height * 0.14),
        largest=unit // 14,
        smallest=unit // 30,
    )
    y = draw_lines(
        draw,
        name_lines[:2],
        name_face,
        top=int(height * 0.12),
        centre_x=width // 2,
        fill=palette.accent if spec.style != "bold" else palette.text,
    )

    headline_face, headline_lines = fit_text(
        draw,
        spec.headline,
        max_width=box_width,
        max_height=int(height * 0.38),
        largest=unit // 8,
        smallest=unit // 22,
    )
    y = draw_lines(
        draw,
        headline_lines,
        headline_face,
        top=y + unit // 20,
        centre_x=width // 2,
        fill=palette.text,
        stroke=bold,
    )

    if spec.price:
        price_face = font(unit // 16)
        draw.text(
            (width // 2, y + unit // 30),
            spec.price,
            font=price_face,
            fill=palette.text,
            anchor="ma",
        )

    # On the bold style's accent wedge the button takes the background colour instead.
    colours = (
        (palette.background, palette.text)
        if spec.style == "bold"
        else (palette.accent, palette.on_accent)
    )
    _button(draw, spec.cta, colours, width=width, height=height, unit=unit)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _button(
    draw: ImageDraw.ImageDraw,
    label: str,
    colours: tuple[Rgb, Rgb],
    *,
    width: int,
    height: int,
    unit: int,
) -> None:
    fill, ink = colours
    face = font(unit // 20)
    text_width = draw.textlength(label, font=face)
    pad_x, pad_y = unit // 18, unit // 40
    button_width = int(text_width + 2 * pad_x)
    button_height = int(face.size + 2 * pad_y)
    left = (width - button_width) // 2
    top = int(height * 0.8) - button_height // 2
    draw.rounded_rectangle(
        (left, top, left + button_width, top + button_height),
        radius=button_height // 2,
        fill=fill,
    )
    draw.text(
        (width // 2, top + button_height // 2),
        label,
        font=face,
        fill=ink,
        anchor="mm",
    )
