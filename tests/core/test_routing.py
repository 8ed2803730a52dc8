"""Routers included flat: the same API as ``include_router``, matched once, built at start-up."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel

from postwright.api.app import ROUTERS
from postwright.core.routing import include_flat


def _spec_app(include: str) -> FastAPI:
    app = FastAPI()
    for router in ROUTERS:
        if include == "flat":
            include_flat(app, router)
        else:
            app.include_router(router)
    return app


def test_every_router_documents_the_same_api_flat_as_included() -> None:
    assert _spec_app("flat").openapi() == _spec_app("included").openapi()


def test_routes_are_plain_api_routes_on_the_app_router() -> None:
    app = _spec_app("flat")

    routes = app.router.routes[len(FastAPI().router.routes) :]

    assert routes
    assert all(type(route) is APIRoute for route in routes)
    assert sum(len(router.routes) for router in ROUTERS) == len(routes)


class Echo(BaseModel):
    value: str
    marks: list[str]


async def test_app_dependencies_overrides_and_router_settings_apply() -> None:
    marks: list[str] = []

    async def app_wide(request: Request) -> None:
        marks.append(f"app {request.url.path}")

    async def router_wide() -> None:
        marks.append("router")

    async def value() -> str:
        return "real"

    router = APIRouter(prefix="/things", tags=["things"], dependencies=[Depends(router_wide)])

    @router.get("/{name}", status_code=203, response_model=Echo)
    async def echo(name: str, got: str = Depends(value)) -> dict[str, object]:
        return {"value": f"{name}:{got}", "marks": list(marks), "ignored": True}

    app = FastAPI(dependencies=[Depends(app_wide)])
    include_flat(app, router)
    app.dependency_overrides[value] = lambda: "override"

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get("/things/tea")
        missing = await client.post("/things/tea")

    assert response.status_code == 203
    assert response.json() == {"value": "tea:override", "marks": ["app /things/tea", "router"]}
    assert missing.status_code == 405
    assert app.openapi()["paths"]["/things/{name}"]["get"]["tags"] == ["things"]
