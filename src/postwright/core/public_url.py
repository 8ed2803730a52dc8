"""The one public base URL: where clients reach this server.

Every URL handed to a client — media links, upload targets, OAuth redirect URIs, outbox feed
links — starts with :func:`public_base_url`, chosen in this order:

1. ``POSTWRIGHT_PUBLIC_BASE_URL`` when the operator set it (behind a proxy, a CDN, a port
   mapping: the only name the server cannot see for itself);
2. inside a request, the request's own scheme and host — the name this client just used to
   reach us, so it can follow the links it gets (``RequestOriginMiddleware`` records it);
3. otherwise (jobs, CLI) the address ``postwright serve`` binds (``POSTWRIGHT_HOST`` /
   ``POSTWRIGHT_PORT``, which ``serve`` sets from ``--host``/``--port``), a wildcard bind
   read as loopback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from postwright.core.settings import Settings

_request_origin: ContextVar[str | None] = ContextVar("postwright_request_origin", default=None)
# A Host header we are willing to echo into URLs: a name or an IP literal, an optional port.
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?"
)
_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]"}


def bound_origin(settings: Settings) -> str:
    """``http://host:port`` of the address ``serve`` binds; a wildcard reads as loopback."""
    host = _WILDCARDS.get(settings.host, settings.host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def public_base_url(settings: Settings) -> str:
    """The base every client-facing URL starts with, without a trailing slash."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    return _request_origin.get() or bound_origin(settings)


def request_origin(scheme: str, host_header: str | None) -> str | None:
    """``scheme://host`` of a request, or None when its Host header is absent or odd."""
    if scheme not in ("http", "https") or not host_header or not _HOST.fullmatch(host_header):
        return None
    return f"{scheme}://{host_header.lower()}"


@contextmanager
def serving_origin(origin: str | None) -> Iterator[None]:
    """Within the block, URLs follow ``origin`` (unless the setting names the base)."""
    token = _request_origin.set(origin)
    try:
        yield
    finally:
        _request_origin.reset(token)
