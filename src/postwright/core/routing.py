"""Routes registered flat on the application's router, built once at start-up.

FastAPI (0.165) includes a router lazily: each ``include_router`` becomes a wrapper that, on
every request, re-checks its routes' version, walks its candidates with scope bookkeeping, and
matches the chosen route a second time to handle it; each route's dependency graph is built
the first time a request reaches it. With ~130 routes in 30 routers that was a tenth of a warm
list request's CPU, and the first request to each router paid its set-up (0.3-0.6 s). A route
added with ``add_api_route`` on the application's own router is matched once, by one regex,
and is fully prepared when the app is built. The application's dependencies and dependency
overrides apply as with ``include_router``; the OpenAPI document is the same (a test compares).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


def include_flat(app: FastAPI, router: APIRouter) -> None:
    """``app.include_router(router)`` for a router whose routes carry their full path (an
    ``APIRouter(prefix=…)`` applies its prefix, tags and dependencies to each route it makes)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only API routes can be included flat, not {route!r}")
        app.router.add_api_route(
            route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
        )
