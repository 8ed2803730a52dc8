"""The app with its durable job engine (DBOS) running in this process, for job tests."""

from __future__ import annotations

import httpx

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import Settings


class running:
    """The app with its job engine started, and a client to it."""

    def __init__(self, settings: Settings, clock: FrozenClock) -> None:
        self.app = create_app(settings, clock=clock)

    async def __aenter__(self) -> tuple[httpx.AsyncClient, Services]:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self._http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://t"
        )
        return self._http, self.app.state.services

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()
        await self._lifespan.__aexit__(None, None, None)
