"""The user's ``avatarUrl``: refused when it points inside our network (SSRF), fetched with a
size cap and no redirects, and cut into the round portrait the video cards show.

The address check runs when the job is submitted and again right before the fetch, since DNS
may answer differently by then. Loopback is allowed only with
``POSTWRIGHT_HTTP_ALLOW_LOOPBACK_URLS`` (tests); private, link-local and metadata addresses
never are.
"""

from __future__ import annotations

import io

import httpx
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from postwright.core.errors import ValidationFailed
from postwright.core.outbound import ensure_public_url, pinned_client

MAX_AVATAR_BYTES = 5 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 15.0


class AvatarUnavailable(Exception):
    """The avatar could not be fetched or is not an image: the video job fails, refunded."""


async def check_public_url(url: str, *, allow_loopback: bool, field: str = "avatarUrl") -> None:
    """400 when ``url`` is not http(s) or resolves to an address we must not call. A name
    that does not resolve now is let through: the fetch checks again and reports it."""
    await ensure_public_url(
        url, allow_loopback=allow_loopback, field=field, require_resolvable=False
    )


async def fetch_avatar(url: str, *, allow_loopback: bool) -> bytes:
    try:
        await check_public_url(url, allow_loopback=allow_loopback)
    except ValidationFailed as exc:
        raise AvatarUnavailable(f"The avatar URL was refused: {exc.message}") from exc
    try:
        async with (
            pinned_client(allow_loopback=allow_loopback, timeout=FETCH_TIMEOUT_SECONDS) as http,
            http.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise AvatarUnavailable(f"The avatar URL answered {response.status_code}")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_AVATAR_BYTES:
                    raise AvatarUnavailable("The avatar image is larger than 5 MB")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise AvatarUnavailable(f"The avatar could not be fetched: {exc}") from exc
    return b"".join(chunks)


def round_portrait(data: bytes, diameter: int) -> Image.Image:
    """A square crop of the image's centre as an RGBA circle ``diameter`` pixels across."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > 40_000_000:
                raise AvatarUnavailable("The avatar image has too many pixels")
            image = ImageOps.exif_transpose(opened).convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise AvatarUnavailable("The avatar URL did not return an image") from exc
    square = ImageOps.fit(image, (diameter, diameter))
    mask = Image.new("L", (diameter, diameter), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, diameter - 1, diameter - 1), fill=255)
    square.putalpha(mask)
    return square
