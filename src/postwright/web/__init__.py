"""The dashboard: server-rendered pages at ``/app`` on the same domain functions as the API.

It is mounted as its own small FastAPI application so its HTML error pages, form handling
and routes stay apart from the documented API (no JSON content-type rule, no OpenAPI).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from postwright.core import errors
from postwright.core.routing import include_flat
from postwright.core.services import Services
from postwright.web.deps import SignInRequired, describe, sign_in_url
from postwright.web.pages import (
    accounts,
    auth,
    bulk,
    calendar,
    compose,
    credits,
    personas,
    settings,
)
from postwright.web.render import HERE, bare, status_for

PAGES = (auth, compose, calendar, bulk, personas, accounts, credits, settings)


def create_dashboard(services: Services) -> FastAPI:
    dashboard = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    dashboard.state.services = services
    for module in PAGES:
        include_flat(dashboard, module.router)
    dashboard.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @dashboard.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.headers.get("accept", "").startswith("text/event-stream"):
            return Response(status_code=401)
        response = RedirectResponse(sign_in_url(request), status_code=303)
        response.delete_cookie("pw_session", path="/app")
        return response

    @dashboard.exception_handler(errors.AppError)
    async def _app_error(request: Request, exc: errors.AppError) -> Response:
        problem = describe(exc)
        return bare(request, "error.html", status_code=status_for(problem), problem=problem)

    @dashboard.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = "This page does not exist." if exc.status_code == 404 else str(exc.detail)
        problem = describe(errors.ValidationFailed(message))
        return bare(request, "error.html", status_code=exc.status_code, problem=problem)

    return dashboard


def install(app: FastAPI) -> None:
    """Mount the dashboard at ``/app`` and send ``/`` there."""
    services: Services = app.state.services

    async def home(_: Request) -> Response:
        return RedirectResponse("/app", status_code=307)

    app.add_route("/", home, methods=["GET"], include_in_schema=False)
    app.mount("/app", create_dashboard(services), name="dashboard")


__all__ = ["create_dashboard", "install"]
