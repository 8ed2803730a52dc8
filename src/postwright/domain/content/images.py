"""Images attached to zorbit posts as base64 data URIs (``data:image/<type>;base64,<data>``).

The image is checked (a real picture, at most 10 MB) before anything is stored, and kept
under the data directory as ``post/<post id>.<ext>``; the key goes on the post.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from postwright.core.errors import PayloadTooLarge, ValidationFailed

MAX_IMAGE_BYTES = 10 * 1024 * 1024
_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", re.S)
_EXTENSIONS = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "gif": "gif", "webp": "webp"}


@dataclass(frozen=True)
class ImageUpload:
    extension: str
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
    return ImageUpload(extension=_EXTENSIONS[kind], data=data)


def post_image_key(post_id: str, upload: ImageUpload) -> str:
    return f"post/{post_id}.{upload.extension}"


async def store_image(data_dir: Path, workspace_id: str, key: str, upload: ImageUpload) -> None:
    """Written before the post row commits: a rolled-back request leaves at most an unused
    file under its own post id, never a post pointing at a missing image."""
    path = data_dir / "uploads" / workspace_id / key
    await asyncio.to_thread(_write, path, upload.data)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
