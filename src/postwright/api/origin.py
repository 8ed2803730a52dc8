"""Records the origin each request arrived at, so the URLs it hands out follow it
(``core.public_url``); a configured ``POSTWRIGHT_PUBLIC_BASE_URL`` still wins."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from postwright.core.public_url import request_origin, serving_origin


class RequestOriginMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        with serving_origin(request_origin(scope.get("scheme", "http"), host)):
            await self.app(scope, receive, send)
