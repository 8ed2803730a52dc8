"""Aspect ratios, pixel sizes and image type detection by magic bytes."""

from __future__ import annotations

import math
from typing import Final, Literal, get_args

AspectRatio = Literal["1:1", "4:5", "9:16", "16:9"]
ASPECT_RATIOS: Final[tuple[AspectRatio, ...]] = get_args(AspectRatio)

# Full-size images, as the platforms recommend for feed posts, stories and landscape cards.
IMAGE_SIZES: Final[dict[AspectRatio, tuple[int, int]]] = {
    "1:1": (1080, 1080),
    "4:5": (1080, 1350),
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
}

ImageType = Literal["image/jpeg", "image/png", "image/gif", "image/webp"]
IMAGE_TYPES: Final[tuple[ImageType, ...]] = get_args(ImageType)

FILE_EXTENSIONS: Final[dict[str, str]] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
}


def parse_aspect_ratio(value: str) -> AspectRatio:
    for ratio in ASPECT_RATIOS:
        if value == ratio:
            return ratio
    raise ValueError(f"unsupported aspect ratio {value!r}; expected one of {ASPECT_RATIOS}")


def size_for(aspect_ratio: AspectRatio, short_side: int) -> tuple[int, int]:
    """Width and height for ``aspect_ratio`` with the shorter side ``short_side`` pixels,
    rounded to even numbers because H.264 with yuv420p needs even dimensions."""
    across, down = (int(part) for part in aspect_ratio.split(":"))
    if across <= down:
        return _even(short_side), _even(short_side * down / across)
    return _even(short_side * across / down), _even(short_side)


def _even(value: float) -> int:
    # Half-way values round up (241 -> 242): ``round`` rounds half to even, which would
    # shrink an odd short side below what was asked for.
    return max(2, math.floor(value / 2 + 0.5) * 2)


def detect_image_type(data: bytes) -> ImageType | None:
    """The image type the bytes really are, whatever the file is called; None for anything
    that is not a JPG, PNG, GIF or WebP."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
