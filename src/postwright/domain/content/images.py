"""Images attached to zorbit posts as base64 data URIs (``data:image/<type>;base64,<data>``).

The image is checked (a real picture, at most 10 MB) before anything is stored; it is then
kept in media storage like every other image (``domain.media.assets.store_upload``).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from postwright.core.errors import PayloadTooLarge, ValidationFailed

MAX_IMAGE_BYTES = 10 * 1024 * 1024
_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", re.S)
_CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


@dataclass(frozen=True)
class ImageUpload:
    content_type: str
    data: bytes


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": "image", "message": message}])


def parse_data_uri(value: str) -> ImageUpload:
    """400 unless ``value`` is a base64 PNG/JPEG/GIF/WebP data URI; 413 past 10 MB."""
    match = _DATA_URI.match(value.strip())
    if match is None:
        raise _invalid("image must be a data URI: data:image/<png|jpeg|gif|webp>;base64,<data>")
    kind, encoded = match.groups()
    if len(encoded) * 3 // 4 > MAX_IMAGE_BYTES + 3:
        raise PayloadTooLarge("Image exceeds the 10 MB limit")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("image is not valid base64") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge("Image exceeds the 10 MB limit")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _invalid("image data is not a readable picture") from None
    return ImageUpload(content_type=_CONTENT_TYPES[kind], data=data)
