"""The API's rate limits applied to the dashboard: the same limiter (``services.limiter``),
the same configured budgets and the same keys, so a person's dashboard pages and their API
calls draw on one budget per class; sign-in attempts on a budget per client address."""

from __future__ import annotations

from fastapi import Request

from postwright.core import errors
from postwright.core.services import Services

SIGN_IN_BUCKET = "/app/login"
# ``openapi_extra`` of a POST route that only reads (the composer's counter).
COUNTS_AS_READ = {"x-dashboard-limit": "read"}
# ... and of one that always works: signing out must not wait for a budget.
NOT_LIMITED = {"x-dashboard-limit": "none"}


async def _hit(
    request: Request, services: Services, limit_class: str, identity: str, bucket: str
) -> None:
    configured = services.settings.rate_limit
    if not configured.enabled:
        return
    limit = getattr(configured, limit_class)
    state = await services.limiter.hit(limit, identity, limit_class, bucket)
    headers = getattr(request.state, "response_headers", None)
    if isinstance(headers, dict):
        headers.update(state.headers())
    if not state.allowed:
        services.metrics.rate_limited.labels(limit_class).inc()
        wait = state.retry_after
        raise errors.RateLimited(
            "You have made too many requests for now. Try again in "
            + (f"{wait} seconds" if wait < 120 else f"{round(wait / 60)} minutes"),
            headers=state.headers(),
            extras={"retryAfter": wait},
        )


async def per_user(request: Request, services: Services, user_id: str) -> None:
    """Pages count as the API's reads, form posts as its writes (keyed ``read``/``write``
    for the user, like ``api.deps``)."""
    extra = getattr(request.scope.get("route"), "openapi_extra", None) or {}
    if extra == NOT_LIMITED:
        return
    reads = request.method in ("GET", "HEAD", "OPTIONS") or extra == COUNTS_AS_READ
    limit_class = "read" if reads else "write"
    await _hit(request, services, limit_class, user_id, limit_class)


async def ai(request: Request, services: Services, user_id: str) -> None:
    """An action that runs the model also draws on the user's ``ai`` budget."""
    await _hit(request, services, "ai", user_id, "ai")


async def sign_in(request: Request, services: Services) -> None:
    """Every sign-in attempt counts against the client address (stops key guessing)."""
    client = request.client.host if request.client else "unknown"
    await _hit(request, services, "anonymous", client, SIGN_IN_BUCKET)


__all__ = ["ai", "per_user", "sign_in"]
