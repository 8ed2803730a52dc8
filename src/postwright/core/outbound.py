"""Outbound URLs given by users (webhook endpoints, image URLs): refuse internal targets (SSRF).

A URL is refused when its host resolves to a loopback, private, link-local (cloud metadata
lives at 169.254.169.254), multicast, reserved or unspecified address. Check it when the URL
is registered and again right before each request, since DNS answers can change; the HTTP
client must not follow redirects. ``allow_loopback`` (tests: ``settings.http.allow_loopback_urls``)
lets loopback addresses through, and nothing else internal.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from postwright.core.errors import ValidationFailed

SCHEMES = frozenset({"http", "https"})
RESOLVE_TIMEOUT_SECONDS = 5.0
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(ValidationFailed):
    """A URL that may not be called; carries the reason in ``message``."""


def _refuse(url_field: str, message: str) -> UnsafeUrl:
    return UnsafeUrl(message, details=[{"field": url_field, "message": message}])


def is_internal(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # Not global covers private, loopback, link-local, reserved, unspecified and shared
    # (100.64/10) space; multicast counts as global in ipaddress but is never a server.
    return not address.is_global or address.is_multicast


async def resolve(host: str, port: int) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
        )
    except (socket.gaierror, TimeoutError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def ensure_public_url(
    url: str, *, allow_loopback: bool, field: str = "url", require_resolvable: bool = True
) -> None:
    """Raise ``UnsafeUrl`` (a 400) unless ``url`` is http(s) and every address of its host
    is public (or loopback, when allowed). ``require_resolvable=False`` lets a name that does
    not resolve yet through, for URLs checked again right before they are fetched."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _refuse(field, "URL is not valid") from exc
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise _refuse(field, "URL must be an absolute http(s) URL")
    if parts.username or parts.password:
        raise _refuse(field, "URL must not contain credentials")
    addresses = await resolve(parts.hostname, port)
    if not addresses and require_resolvable:
        raise _refuse(field, f"Host {parts.hostname} cannot be resolved")
    for address in addresses:
        if allow_loopback and address.is_loopback:
            continue
        if is_internal(address):
            raise _refuse(field, "URL resolves to a private, loopback or metadata address")
