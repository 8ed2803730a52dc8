"""Outbound URLs given by users (webhook endpoints, image and avatar URLs, instance URLs,
workspace model base URLs): refuse internal targets (SSRF).

A URL is refused when its host resolves to a loopback, private, link-local (cloud metadata
lives at 169.254.169.254), multicast, reserved or unspecified address. Check it when the URL
is registered and again right before each request, and send the request through
``pinned_client``/``pinned_transport`` (httpx) or ``pin_httpx2_transport`` (pydantic-ai's
httpx2, for workspace model clients): it connects to the address it checked, so a DNS
answer that changes in between (rebinding) cannot slip through. Redirects are not followed.
Any spelling of an address is caught because the host is resolved the way the socket layer
would resolve it (``2130706433``, ``0x7f000001``, ``0177.0.0.1`` → 127.0.0.1).
``allow_loopback`` (tests: ``settings.http.allow_loopback_urls``)
lets loopback addresses through, and nothing else internal.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpcore2
import httpx
import httpx2

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


def _refused_reason(addresses: list[IpAddress], allow_loopback: bool) -> str | None:
    if not addresses:
        return "cannot be resolved"
    for address in addresses:
        if allow_loopback and address.is_loopback:
            continue
        if is_internal(address):
            return "resolves to a private, loopback or metadata address"
    return None


class _Pinning:
    """Resolves the host once, checks every address, and connects to a checked one.

    The client still sends the original ``Host`` header and TLS server name (httpcore takes
    both from the URL, not from the socket), so nothing changes for the server — but a DNS
    answer that changes between the check and the connection (rebinding) cannot reach an
    internal address, and neither can any connection the client opens on its own.

    One implementation for both httpcore packages (httpx uses ``httpcore``, pydantic-ai's
    ``httpx2`` uses ``httpcore2``): a subclass names the package's backend and error types.
    """

    connect_error: type[Exception]

    def __init__(self, *, allow_loopback: bool, inner: Any) -> None:
        self.allow_loopback = allow_loopback
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> Any:
        addresses = await resolve(host.strip("[]"), port)
        reason = _refused_reason(addresses, self.allow_loopback)
        if reason is not None:
            raise self.connect_error(f"Refused to connect to {host}: it {reason}")
        failure: Exception | None = None
        # Every address was checked above; try them in the resolver's order.
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except self.connect_error as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> Any:
        raise self.connect_error("Unix sockets are not an outbound target")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedBackend(_Pinning, httpcore.AsyncNetworkBackend):
    """``_Pinning`` for httpx (``httpcore``)."""

    connect_error = httpcore.ConnectError

    def __init__(self, *, allow_loopback: bool) -> None:
        super().__init__(allow_loopback=allow_loopback, inner=httpcore.AnyIOBackend())


class PinnedBackend2(_Pinning, httpcore2.AsyncNetworkBackend):
    """``_Pinning`` for pydantic-ai's model clients (``httpx2``/``httpcore2``)."""

    connect_error = httpcore2.ConnectError

    def __init__(self, *, allow_loopback: bool) -> None:
        super().__init__(allow_loopback=allow_loopback, inner=httpcore2.AnyIOBackend())


def pinned_transport(*, allow_loopback: bool) -> httpx.AsyncHTTPTransport:
    """An httpx transport for user-given URLs: every connection goes through
    ``PinnedBackend``. Use it with ``follow_redirects=False``."""
    transport = httpx.AsyncHTTPTransport()
    # httpx builds its pool without a backend option; the pool takes one, so set it there.
    transport._pool._network_backend = PinnedBackend(allow_loopback=allow_loopback)
    return transport


def pin_httpx2_transport(
    transport: httpx2.AsyncHTTPTransport, *, allow_loopback: bool
) -> httpx2.AsyncHTTPTransport:
    """``transport`` (pydantic-ai's httpx2) connecting only through ``PinnedBackend2``."""
    transport._pool._network_backend = PinnedBackend2(allow_loopback=allow_loopback)
    return transport


def pinned_client(*, allow_loopback: bool, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=pinned_transport(allow_loopback=allow_loopback),
        timeout=timeout,
        follow_redirects=False,
    )
