from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from postwright.domain.media.formats import detect_image_type, parse_aspect_ratio, size_for


def _encoded(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("image_format", "expected"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("GIF", "image/gif"),
        ("WEBP", "image/webp"),
    ],
)
def test_detects_each_accepted_image_type_from_its_bytes(image_format: str, expected: str) -> None:
    assert detect_image_type(_encoded(image_format)) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        random.Random(7).randbytes(64).replace(b"\x89PNG", b"xxxx").replace(b"\xff\xd8", b"xx"),
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"%PDF-1.7",
    ],
    ids=["empty", "noise", "svg", "wav", "pdf"],
)
def test_refuses_bytes_that_are_not_an_accepted_image(data: bytes) -> None:
    assert detect_image_type(data) is None


def test_sizes_keep_the_ratio_and_even_dimensions() -> None:
    assert size_for("9:16", 720) == (720, 1280)
    assert size_for("16:9", 720) == (1280, 720)
    assert size_for("1:1", 240) == (240, 240)
    assert size_for("4:5", 241) == (242, 302)


def test_unknown_aspect_ratio_is_refused() -> None:
    with pytest.raises(ValueError, match="aspect ratio"):
        parse_aspect_ratio("3:2")
