"""The MCP server: every tool, resource and prompt bound to one process's services."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from mcp.server.mcpserver import MCPServer

from postwright import __version__
from postwright.core.services import Services
from postwright.mcp import prompts, resources, tools
from postwright.mcp.runtime import TOOLS, CallerSource, Runtime, api_tool

INSTRUCTIONS = """\
Postwright writes, schedules and publishes social-media posts in a brand's voice.
Start with list_personas (voices) and credits (what you can spend); read
postwright://platforms for each platform's limits and hashtag rules. Generation tools cost
credits; every tool that changes something takes an optional idempotency_key — reuse the same
key when you retry so nothing is done or charged twice. Errors come back as
{"error": {"code", "message", ...}} with the API's codes (NOT_FOUND, VALIDATION_ERROR,
INSUFFICIENT_CREDITS, QUOTA_EXHAUSTED, RATE_LIMITED, CONFLICT, FORBIDDEN, UNAUTHORIZED).
"""

assert tools  # importing the package registers the tools


def build_server(
    services: Services,
    callers: CallerSource,
    *,
    lifespan: Callable[[MCPServer[Any]], AbstractAsyncContextManager[None]] | None = None,
) -> MCPServer[Any]:
    """``lifespan`` runs around a stdio server's life; over HTTP the application's own
    lifespan runs the SDK's session manager instead."""
    runtime = Runtime(services, callers)
    server: MCPServer[Any] = MCPServer(
        "postwright",
        title="Postwright",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level=services.settings.log_level.upper(),  # type: ignore[arg-type]
        lifespan=lifespan,
        tools=[api_tool(spec, runtime) for spec in TOOLS],
    )
    resources.register(server, runtime)
    prompts.register(server, runtime)
    return server
