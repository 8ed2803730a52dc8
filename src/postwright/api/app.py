"""The FastAPI application: every dialect's routers on one core."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.routing import Route

from postwright import __version__
from postwright.api import media as media_files
from postwright.api import system
from postwright.api.adcopy import routes as adcopy_routes
from postwright.api.deps import reject_unstorable_text, require_json_content_type
from postwright.api.errors import install_error_handlers
from postwright.api.idempotency import claim_idempotency_key, install_idempotency
from postwright.api.middleware import RequestMiddleware
from postwright.api.openapi import install_openapi
from postwright.api.origin import RequestOriginMiddleware
from postwright.api.platform import accounts as platform_accounts
from postwright.api.platform import connected_accounts, outbox
from postwright.api.platform import posts_io as platform_posts_io
from postwright.api.platform import trash as platform_trash
from postwright.api.platform import webhooks as platform_webhooks
from postwright.api.powerpost import credits as powerpost_credits
from postwright.api.powerpost import generations as powerpost_generations
from postwright.api.powerpost import media as powerpost_media
from postwright.api.powerpost import posts as powerpost_posts
from postwright.api.sparkvox import images as sparkvox_images
from postwright.api.sparkvox import posts as sparkvox_posts
from postwright.api.sparkvox import projects as sparkvox_projects
from postwright.api.voxburst import ai as voxburst_ai
from postwright.api.voxburst import billing as voxburst_billing
from postwright.api.voxburst import bulk as voxburst_bulk
from postwright.api.voxburst import personas as voxburst_personas
from postwright.api.voxburst import suggest_time as voxburst_suggest_time
from postwright.api.webhooks import incoming as incoming_webhooks
from postwright.api.zorbit import billing as zorbit_billing
from postwright.api.zorbit import comments as zorbit_comments
from postwright.api.zorbit import feed as zorbit_feed
from postwright.api.zorbit import ideas as zorbit_ideas
from postwright.api.zorbit import images as zorbit_images
from postwright.api.zorbit import personas as zorbit_personas
from postwright.api.zorbit import posts as zorbit_posts
from postwright.api.zorbit import publishing as zorbit_publishing
from postwright.api.zorbit import saved as zorbit_saved
from postwright.api.zorbit import user as zorbit_user
from postwright.core.clock import Clock
from postwright.core.logging import configure_logging, logger
from postwright.core.routing import include_flat
from postwright.core.services import Services
from postwright.core.settings import Settings, get_settings
from postwright.domain.accounts import service as accounts
from postwright.domain.jobs import registry as job_registry
from postwright.mcp.http import PATH as MCP_PATH
from postwright.mcp.http import McpEndpoint
from postwright.web import install as install_dashboard

DESCRIPTION = """
Postwright is a self-hosted engine for AI social-media content. It serves several API
dialects (zorbit, voxburst, sparkvox, adcopy, powerpost) on one core.

**Authentication**: `Authorization: Bearer <key>` or `x-api-key: <key>`; `X-Workspace-Id`
picks one of your workspaces. **Errors** use one envelope:
`{"error": {"code", "message", "details", "requestId", "timestamp"}}`.
**Rate limits** are reported on every response in `X-RateLimit-Limit/Remaining/Reset`.
"""

ROUTERS = (
    system.router,
    zorbit_user.router,
    platform_accounts.router,
    zorbit_billing.router,
    voxburst_billing.router,
    powerpost_credits.router,
    incoming_webhooks.router,
    zorbit_personas.router,
    voxburst_personas.router,
    voxburst_ai.router,
    voxburst_bulk.router,
    zorbit_posts.router,
    zorbit_saved.router,
    zorbit_comments.router,
    zorbit_ideas.router,
    zorbit_feed.router,
    sparkvox_projects.router,
    sparkvox_posts.router,
    platform_posts_io.router,
    connected_accounts.router,
    outbox.router,
    zorbit_publishing.router,
    voxburst_suggest_time.router,
    powerpost_posts.router,
    powerpost_generations.router,
    platform_webhooks.router,
    media_files.router,
    zorbit_images.router,
    sparkvox_images.router,
    powerpost_media.router,
    adcopy_routes.router,
    platform_trash.router,
)


async def request_checks(request: Request) -> None:
    """Every request's checks, in order, as one app-wide dependency (FastAPI's cost is per
    dependency, on every request): a JSON body is sent as JSON, text is storable, and the
    Idempotency-Key is claimed last, once the request is known to be acceptable."""
    await require_json_content_type(request)
    await reject_unstorable_text(request)
    await claim_idempotency_key(request)


async def bootstrap_first_workspace(services: Services) -> None:
    """Containers get a first key without a shell: POSTWRIGHT_BOOTSTRAP_API_KEY."""
    key = services.settings.bootstrap_api_key
    if key is None:
        return
    async with services.db.transaction() as session:
        if await accounts.any_workspace_exists(session):
            return
        created = await accounts.bootstrap_workspace(
            session,
            now=services.clock.now(),
            name="Default workspace",
            owner_email=None,
            api_key=key.get_secret_value(),
            platform_admin=True,
        )
    logger.info("bootstrap_workspace_created", workspace_id=created.workspace.id)


def create_served_app() -> FastAPI:
    """What ``postwright serve`` runs: the app, its start-up heap frozen (see below)."""
    return create_app(freeze_heap_after_start=True)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    freeze_heap_after_start: bool = False,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    services = Services.build(settings, clock=clock)
    mcp = McpEndpoint(services)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await bootstrap_first_workspace(services)
        if settings.jobs.enabled:
            await job_registry.start_engine(services)
        if freeze_heap_after_start:
            # The modules, routes and models loaded at start-up live as long as the process:
            # out of the collector's generations, a full collection no longer walks them
            # (it stalled requests for ~0.2 s, the list's p99 at 4 connections fell 9x).
            # Not in tests' apps: many per process, and their garbage must stay collectable.
            gc.collect()
            gc.freeze()
        try:
            async with mcp.running():
                yield
        finally:
            if settings.jobs.enabled:
                await job_registry.stop_engine()
            await services.close()

    app = FastAPI(
        title="Postwright API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        swagger_ui_oauth2_redirect_url="/api/v1/docs/oauth2-redirect",
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(request_checks)],
    )
    app.state.services = services
    install_error_handlers(app)
    install_openapi(app)
    for router in ROUTERS:
        include_flat(app, router)
    platform_webhooks.document_events(app.webhooks)
    install_dashboard(app)  # the web dashboard at /app, and / redirecting there
    app.router.routes.append(Route(MCP_PATH, mcp, include_in_schema=False))
    # Inside CORS (replays carry its headers), outside every route: one Idempotency-Key
    # layer for all write routes.
    install_idempotency(app, services)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.http.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "X-API-Key",
            "X-Request-ID",
            "X-Workspace-Id",
        ],
        expose_headers=[
            "X-Request-ID",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Retry-After",
            "Idempotent-Replayed",
            "Deprecation",
            "Sunset",
        ],
        max_age=600,
    )
    app.add_middleware(RequestMiddleware, services=services)
    app.add_middleware(RequestOriginMiddleware)
    return app
