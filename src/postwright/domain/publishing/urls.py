"""User-given server URLs (a Mastodon instance, a Bluesky PDS): https only (http on loopback
in tests), and never inside our network (``core.outbound``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from postwright.core.errors import ValidationFailed
from postwright.core.outbound import ensure_public_url


async def check_public_url(url: str, *, field: str, allow_loopback: bool) -> str:
    """The URL without its trailing slash, or a 400 naming ``field``."""
    url = url.strip()
    await ensure_public_url(url, allow_loopback=allow_loopback, field=field)
    if urlsplit(url).scheme == "http" and not allow_loopback:
        raise ValidationFailed(f"{field} must use https", details={"field": field})
    return url.rstrip("/")
