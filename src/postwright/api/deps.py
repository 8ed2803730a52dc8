"""Request dependencies: the unit of work, the acting user and workspace, rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import structlog
from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import errors
from postwright.core.db import discard_after_commit, run_after_commit
from postwright.core.ratelimit import RateLimitState
from postwright.core.services import Services
from postwright.core.text import find_unstorable_text, is_storable
from postwright.domain.accounts import authentication
from postwright.domain.accounts.context import Actor
from postwright.domain.accounts.models import Role, Workspace
from postwright.domain.context import RequestCtx

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_LIMIT_KEY = "x-rate-limit"


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


# Dependencies are ``async def`` even when they do not await: FastAPI runs a plain ``def``
# dependency in its thread pool, a thread hop per request for each.
async def get_services(request: Request) -> Services:
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


# The dependencies every authenticated route solves (session, ctx) read the services from the
# request instead of depending on ``get_services``: FastAPI solves a shared dependency's whole
# sub-graph again at each place it is named, before it looks in its cache.


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, else rolled back.

    Used with ``scope="function"`` so the commit happens before the response is sent: a
    failed commit is a 500, never a 200 for lost work.
    """
    services = services_of(request)
    factory = (
        services.db.read_sessionmaker
        if request.method in READ_METHODS
        else services.db.sessionmaker
    )
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            discard_after_commit(session)
            raise
        await run_after_commit(session)


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def rate_limited(limit_class: str, limit: str | None = None) -> dict[str, Any]:
    """``openapi_extra`` for a route with its own limit (documented in the spec too)."""
    return {RATE_LIMIT_KEY: {"class": limit_class, "limit": limit}}


def _route_limit(request: Request, services: Services) -> tuple[str, str]:
    route = request.scope.get("route")
    declared = (getattr(route, "openapi_extra", None) or {}).get(RATE_LIMIT_KEY)
    configured = services.settings.rate_limit
    if declared:
        limit_class = declared["class"]
        return limit_class, declared.get("limit") or getattr(configured, limit_class)
    if request.method in READ_METHODS:
        return "read", configured.read
    return "write", configured.write


async def _enforce(
    request: Request, services: Services, limit_class: str, limit: str, identity: str
) -> None:
    if not services.settings.rate_limit.enabled:
        return
    route = request.scope.get("route")
    # Not ``getattr(route, "path", request.url.path)``: its default would build the URL on
    # every request.
    template = route.path if route is not None else request.scope["path"]
    bucket = template if limit_class != "read" and limit_class != "write" else limit_class
    state: RateLimitState = await services.limiter.hit(limit, identity, limit_class, bucket)
    request.state.response_headers.update(state.headers())
    if not state.allowed:
        services.metrics.rate_limited.labels(limit_class).inc()
        raise errors.RateLimited(
            f"Rate limit exceeded: {limit}. Retry after {state.retry_after} seconds",
            headers=state.headers(),
        )


bearer_scheme = HTTPBearer(
    auto_error=False, description="An API key (pw_live_…) or an identity provider's JWT"
)
api_key_scheme = APIKeyHeader(name="x-api-key", auto_error=False, description="An API key")


def _credential(bearer: HTTPAuthorizationCredentials | None, api_key: str | None) -> str | None:
    if bearer is not None and bearer.credentials.strip():
        return bearer.credentials.strip()
    return api_key.strip() if api_key and api_key.strip() else None


async def current_ctx(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
    workspace_id: Annotated[
        str | None,
        Header(
            alias="X-Workspace-Id",
            max_length=64,
            description="Act in this workspace (one you are a member of)",
        ),
    ] = None,
) -> RequestCtx:
    """The request's one domain context: its session, the acting user and the services.

    Authentication happens here, and ``current_actor`` reads the actor from it: one
    dependency that every authenticated route solves, not three nested ones (FastAPI's
    bookkeeping is per dependency, per request)."""
    services = services_of(request)
    credential = _credential(bearer, api_key)
    client = request.client.host if request.client else "unknown"
    if credential is None:
        await _enforce(
            request, services, "anonymous", services.settings.rate_limit.anonymous, client
        )
        raise errors.Unauthorized(
            "Missing credentials: send Authorization: Bearer <key> or x-api-key"
        )
    try:
        identity = await authentication.identify(services, credential)
    except errors.Unauthorized:
        await _enforce(
            request, services, "anonymous", services.settings.rate_limit.anonymous, client
        )
        raise
    # The budget is the user's: checked before the request's session reads anything, so no
    # transaction is open across the limiter's call to Redis.
    limit_class, limit = _route_limit(request, services)
    await _enforce(request, services, limit_class, limit, identity.user_id)
    actor = await authentication.acting_as(
        session,
        identity,
        clock=services.clock,
        requested_workspace_id=workspace_id,
        database=services.db.name,
        cache_seconds=services.settings.api_key_cache_seconds,
    )
    request.state.user_id = actor.user_id
    request.state.workspace_id = actor.workspace_id
    structlog.contextvars.bind_contextvars(user_id=actor.user_id, workspace_id=actor.workspace_id)
    return RequestCtx(session=session, actor=actor, services=services)


CtxDep = Annotated[RequestCtx, Depends(current_ctx)]


async def current_actor(ctx: CtxDep) -> Actor:
    return ctx.actor


ActorDep = Annotated[Actor, Depends(current_actor)]


async def admin_ctx(ctx: CtxDep) -> RequestCtx:
    """``current_ctx`` for routes only a platform admin may call."""
    if not ctx.actor.is_platform_admin:
        raise errors.Forbidden("Admin role required")
    return ctx


AdminCtxDep = Annotated[RequestCtx, Depends(admin_ctx)]


async def platform_admin(ctx: AdminCtxDep) -> Actor:
    return ctx.actor


AdminDep = Annotated[Actor, Depends(platform_admin)]


async def manager_ctx(ctx: CtxDep) -> RequestCtx:
    """``current_ctx`` for routes only a workspace owner or admin may call."""
    if ctx.actor.role not in (Role.OWNER, Role.ADMIN):
        raise errors.Forbidden("Workspace owner or admin role required")
    return ctx


ManagerCtxDep = Annotated[RequestCtx, Depends(manager_ctx)]


async def workspace_manager(ctx: ManagerCtxDep) -> Actor:
    return ctx.actor


ManagerDep = Annotated[Actor, Depends(workspace_manager)]

_JSON_TYPES = ("application/json",)


async def require_json_content_type(request: Request) -> None:
    """JSON routes refuse bodies sent as anything but JSON (415, in the envelope)."""
    if request.method in READ_METHODS or request.method == "DELETE":
        return
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is None:
        return
    extra = getattr(route, "openapi_extra", None) or {}
    if extra.get("x-raw-body"):
        return
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    if not has_body:
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _JSON_TYPES and not media_type.endswith("+json"):
        raise errors.UnsupportedMediaType(
            f"Content-Type must be application/json, got {media_type or 'none'}"
        )


async def reject_unstorable_text(request: Request) -> None:
    """Text PostgreSQL cannot hold is a 400 naming the field, on every backend alike."""
    field: str | None = None
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if not is_storable(str(value)):
            field = name
            break
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    is_json = media_type in _JSON_TYPES or media_type.endswith("+json")
    # Only JSON is read here: reading a multipart body would consume the stream that
    # File()/Form() parameters parse afterwards.
    if field is None and is_json and request.method not in READ_METHODS:
        field = find_unstorable_text(await request.body())
    if field is None:
        return
    raise errors.ValidationFailed(
        "Request contains text that cannot be stored",
        details=[
            {
                "field": field,
                "message": "NUL characters and unpaired surrogates are not allowed",
                "type": "string_unstorable",
            }
        ],
    )


def deprecated(*, sunset: str, link: str | None = None) -> Any:
    """Dependency for a deprecated route: RFC 9745 ``Deprecation`` and RFC 8594 ``Sunset``."""

    async def _headers(request: Request) -> None:
        request.state.response_headers["Deprecation"] = "true"
        request.state.response_headers["Sunset"] = sunset
        if link:
            request.state.response_headers["Link"] = f'<{link}>; rel="successor-version"'

    return Depends(_headers)


__all__ = [
    "ActorDep",
    "AdminCtxDep",
    "AdminDep",
    "CtxDep",
    "ManagerCtxDep",
    "ManagerDep",
    "ServicesDep",
    "SessionDep",
    "Workspace",
    "deprecated",
    "rate_limited",
]
