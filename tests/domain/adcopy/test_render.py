"""The builtin renderers: static-ad layout inputs, sizes and colours; caption timing."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image

from postwright.domain.adcopy.design import Palette, contrast, hex_to_rgb
from postwright.domain.adcopy.render import (
    STYLE_CTAS,
    StaticAdSpec,
    headline_from,
    render_static_ad,
)
from postwright.domain.adcopy.video import MIN_CAPTION_SECONDS, captions_for


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Summer vibes, bright background", "Summer Vibes"),
        ("Make an ad with cool breezes. Blue sky", "Cool Breezes"),
        (
            "BIG sale on everything this weekend only for our loyal fans",
            "BIG Sale On Everything This Weekend Only For Our",
        ),
    ],
)
def test_headline_is_the_prompts_first_clause(prompt: str, expected: str) -> None:
    assert headline_from(prompt, "", "Fan") == expected


def test_headline_falls_back_to_the_description_then_the_name() -> None:
    assert headline_from(None, "Quiet and cool. Ships free.", "Fan") == "Quiet and cool"
    assert headline_from(None, "", "Breeze Fan") == "Meet Breeze Fan"


@pytest.mark.parametrize(
    ("ratio", "size"),
    [("1:1", (1080, 1080)), ("4:5", (1080, 1350)), ("9:16", (1080, 1920)), ("16:9", (1920, 1080))],
)
@pytest.mark.parametrize("style", sorted(STYLE_CTAS))
def test_static_ads_come_at_the_requested_aspect_ratio(
    ratio: str, size: tuple[int, int], style: str
) -> None:
    data = render_static_ad(
        StaticAdSpec(
            product_name="Breeze Fan with an exceptionally long product name for wrapping",
            prompt="Summer vibes, bright background",
            style=style,
            aspect_ratio=ratio,
            price="$49",
        )
    )
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("PNG", size)
    # Something was drawn: more than a handful of colours in the image.
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 10


def test_brand_colours_paint_the_ad_and_text_stays_readable() -> None:
    spec = StaticAdSpec(
        product_name="Fan", style="product_hero", brand_colors=["#FFFFFF", "#FEFEFE"]
    )
    palette = Palette.for_brand(spec.brand_colors, spec.style)
    image = Image.open(io.BytesIO(render_static_ad(spec))).convert("RGB")

    assert image.getpixel((5, 540)) == (255, 255, 255)
    assert palette.text == (17, 17, 17)
    # An accent too close to the background would hide the button: it is replaced.
    assert contrast(palette.accent, palette.background) >= 4.5
    assert hex_to_rgb("#0a3d62") == (10, 61, 98)


def test_captions_follow_the_script_at_speaking_pace() -> None:
    script = (
        "Hey! You need to check out this amazing product. It keeps you cool all summer "
        "long without the noise of old fans, and it costs less than dinner out."
    )
    captions = captions_for(script)

    assert " ".join(c.text for c in captions) == " ".join(script.split())
    assert captions[0].text == "Hey!"
    assert captions[0].start == 0
    assert all(len(c.text.split()) <= 8 for c in captions)
    assert all(c.duration >= MIN_CAPTION_SECONDS for c in captions)
    for earlier, later in itertools.pairwise(captions):
        assert later.start == pytest.approx(earlier.end, abs=0.002)
    # About 2.5 words a second overall.
    assert captions[-1].end == pytest.approx(len(script.split()) / 2.5, rel=0.25)
