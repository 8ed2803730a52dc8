"""Streamable HTTP at ``/mcp`` in the API process, behind the API's own keys.

Every request must carry ``Authorization: Bearer <key>`` (or ``x-api-key``); ``X-Workspace-Id``
picks a workspace as it does for the API. The guard verifies the credential once per HTTP
request and hands the identity to the tool calls it carries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from postwright.core import errors
from postwright.core.services import Services
from postwright.domain.accounts import authentication
from postwright.mcp.runtime import Caller
from postwright.mcp.server import build_server

PATH = "/mcp"
CALLER = "mcp_caller"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="postwright"'}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1")).strip() or None
    return None


def credential_of(scope: Scope) -> str | None:
    authorization = _header(scope, b"authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return _header(scope, b"x-api-key")


async def http_caller(context: Context) -> Caller:
    """The caller the guard verified for the HTTP request that carried this call."""
    request = context.request_context.request
    caller = request.scope.get("state", {}).get(CALLER) if isinstance(request, Request) else None
    if not isinstance(caller, Caller):
        raise errors.Unauthorized("Missing credentials: send Authorization: Bearer <key>")
    return caller


class McpEndpoint:
    """The ASGI app mounted at ``/mcp``: authenticate, then hand over to the SDK."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.server: MCPServer = build_server(services, http_caller)
        # Builds the SDK's session manager. Every request needs an API key, so a web page
        # cannot ride on a local server's ambient trust: no Host/Origin allow-list (which
        # would also refuse the public base URL behind a proxy).
        # Stateless: no session lives in this process's memory, so any API replica can
        # answer any request (the tools never call back into the client).
        self.server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self.sessions = self.server.session_manager
        self._app = StreamableHTTPASGIApp(self.sessions)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The SDK's session manager, for the application's lifespan. It runs in a task of
        its own: its task group must be entered and left by one task, and a lifespan may be
        entered by one task and left by another (test harnesses do)."""
        started, stop = asyncio.Event(), asyncio.Event()

        async def run() -> None:
            async with self.sessions.run():
                started.set()
                await stop.wait()

        task = asyncio.create_task(run(), name="mcp-session-manager")
        starting = asyncio.ensure_future(started.wait())
        await asyncio.wait({task, starting}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            starting.cancel()
            task.result()  # the manager failed to start: raise its error here
        try:
            yield
        finally:
            stop.set()
            await task

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An unauthenticated request is refused before the SDK sees it; the error is
        rendered by the application's handler, in the API's envelope."""
        if scope["type"] == "http":
            scope.setdefault("state", {})[CALLER] = await self._authenticate(scope)
        await self._app(scope, receive, send)

    async def _authenticate(self, scope: Scope) -> Caller:
        credential = credential_of(scope)
        settings = self.services.settings.rate_limit
        if credential is None:
            await self._limit_anonymous(scope, settings.anonymous)
            raise errors.Unauthorized(
                "Missing credentials: send Authorization: Bearer <key> or x-api-key",
                headers=CHALLENGE,
            )
        try:
            identity = await authentication.identify(self.services, credential)
        except errors.Unauthorized as exc:
            await self._limit_anonymous(scope, settings.anonymous)
            raise errors.Unauthorized(exc.message, headers=CHALLENGE) from None
        return Caller(identity=identity, workspace_id=_header(scope, b"x-workspace-id"))

    async def _limit_anonymous(self, scope: Scope, limit: str) -> None:
        if not self.services.settings.rate_limit.enabled:
            return
        client = scope.get("client") or ("unknown", 0)
        state = await self.services.limiter.hit(limit, str(client[0]), "anonymous", PATH)
        if not state.allowed:
            raise errors.RateLimited(
                f"Rate limit exceeded: {limit}. Retry after {state.retry_after} seconds",
                headers=state.headers(),
            )
