"""User-given server URLs (a Mastodon instance, a Bluesky PDS) must not reach inside our
network: loopback, private, link-local and metadata addresses are refused (SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from postwright.core.errors import ValidationFailed


async def check_public_url(url: str, *, field: str, allow_loopback: bool) -> str:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValidationFailed(f"{field} is not a valid URL", details={"field": field}) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed(f"{field} must be an http(s) URL", details={"field": field})
    if parts.scheme == "http" and not allow_loopback:
        raise ValidationFailed(f"{field} must use https", details={"field": field})
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port or 443, type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        raise ValidationFailed(
            f"{field} does not resolve: {parts.hostname}", details={"field": field}
        ) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback and allow_loopback:
            continue
        if not address.is_global:
            raise ValidationFailed(
                f"{field} points to a private or reserved address", details={"field": field}
            )
    return url.strip().rstrip("/")
