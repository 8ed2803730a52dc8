"""Shared CLI plumbing: settings, a database transaction, console output."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.services import Services
from postwright.core.settings import get_settings

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)


@asynccontextmanager
async def services_context() -> AsyncIterator[Services]:
    services = Services.build(get_settings())
    try:
        yield services
    finally:
        await services.close()


def run_in_transaction(work: Callable[[AsyncSession, Services], Awaitable[T]]) -> T:
    async def main() -> T:
        async with services_context() as services, services.db.transaction() as session:
            return await work(session, services)

    return asyncio.run(main())
