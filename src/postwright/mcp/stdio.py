"""stdio: the MCP server as a child process of a desktop assistant, acting with one key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from mcp.server.mcpserver import Context, MCPServer

from postwright.core.services import Services
from postwright.domain.accounts import authentication
from postwright.mcp.runtime import Caller
from postwright.mcp.server import build_server

Lifespan = Callable[[], AbstractAsyncContextManager[None]]


class KeyCaller:
    """Every call acts with the process's key, verified per call so a revoked key stops
    working at once."""

    def __init__(self, services: Services, api_key: str, workspace_id: str | None) -> None:
        self.services = services
        self.api_key = api_key
        self.workspace_id = workspace_id

    async def __call__(self, context: Context) -> Caller:
        identity = await authentication.identify(self.services, self.api_key)
        return Caller(identity=identity, workspace_id=self.workspace_id)


async def serve_stdio(
    services: Services,
    *,
    api_key: str,
    workspace_id: str | None = None,
    lifespan: Lifespan | None = None,
) -> None:
    """Serve until stdin closes. ``lifespan`` (the job engine) starts once the SDK owns
    stdout, so nothing it prints can corrupt the protocol stream."""

    @asynccontextmanager
    async def running(_: MCPServer[Any]) -> AsyncIterator[None]:
        if lifespan is None:
            yield
            return
        async with lifespan():
            yield

    server = build_server(services, KeyCaller(services, api_key, workspace_id), lifespan=running)
    await server.run_stdio_async()
