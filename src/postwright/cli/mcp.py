"""``postwright mcp``: the MCP server over stdio, for desktop assistants."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import typer

from postwright.cli.common import err_console, services_context
from postwright.core.errors import AppError

API_KEY_ENV = "POSTWRIGHT_API_KEY"


def mcp(
    workspace: Annotated[
        str | None,
        typer.Option(
            help="Act in this workspace (default: the key's)", envvar="POSTWRIGHT_WORKSPACE_ID"
        ),
    ] = None,
) -> None:
    """Serve MCP over stdio for an AI assistant (Claude Desktop, Cursor…), acting with the API
    key in POSTWRIGHT_API_KEY. Runs jobs like `serve` unless POSTWRIGHT_JOBS_ENABLED=false."""
    api_key = os.environ.get(API_KEY_ENV, "").strip()
    if not api_key:
        err_console.print(
            f"[red]{API_KEY_ENV} is not set[/red]: create a key with `postwright key create`"
        )
        raise typer.Exit(code=2)
    try:
        asyncio.run(_serve(api_key, workspace))
    except AppError as exc:
        err_console.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(code=1) from exc


async def _serve(api_key: str, workspace: str | None) -> None:
    from postwright.domain.accounts import authentication
    from postwright.domain.jobs import registry as job_registry
    from postwright.mcp.stdio import serve_stdio

    async with services_context() as services:
        # A wrong key fails here, loudly, rather than on the assistant's first call.
        await authentication.identify(services, api_key)

        @asynccontextmanager
        async def job_engine() -> AsyncIterator[None]:
            if not services.settings.jobs.enabled:
                yield
                return
            # Enqueue only: jobs run in the server or the workers. An assistant starts and
            # stops this process at will, so it must never hold a job half-run.
            await job_registry.start_engine(services, listen=False)
            try:
                yield
            finally:
                await job_registry.stop_engine()

        await serve_stdio(services, api_key=api_key, workspace_id=workspace, lifespan=job_engine)
