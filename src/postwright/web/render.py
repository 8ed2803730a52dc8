"""Templates and the small helpers every page uses to render and to run an action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from postwright import __version__
from postwright.core import errors
from postwright.core.db import discard_after_commit
from postwright.core.public_url import public_base_url
from postwright.core.settings import Settings
from postwright.web.deps import Problem, WebCtx, describe

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["version"] = __version__
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True

NAV = (
    ("compose", "Compose", "/app/compose"),
    ("calendar", "Calendar", "/app/calendar"),
    ("bulk", "Bulk", "/app/bulk"),
    ("personas", "Personas", "/app/personas"),
    ("accounts", "Accounts", "/app/accounts"),
    ("credits", "Credits", "/app/credits"),
    ("settings", "Settings", "/app/settings"),
)


def media_src(url: str | None, settings: Settings) -> str | None:
    """This server's own media as a path, so pages show it whatever host name the browser
    used (the configured public URL may name another); other URLs as they are."""
    if url is None:
        return None
    base = public_base_url(settings).rstrip("/")
    return url[len(base) :] if url.startswith(base + "/") else url


def local_time(value: datetime | None, timezone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime(fmt)


def page(
    wctx: WebCtx,
    template: str,
    *,
    active: str,
    title: str,
    status_code: int = 200,
    problem: Problem | None = None,
    **context: Any,
) -> HTMLResponse:
    actor = wctx.ctx.actor
    tz = actor.workspace.timezone or "UTC"
    return templates.TemplateResponse(
        wctx.request,
        template,
        {
            "nav": NAV,
            "active": active,
            "title": title,
            "csrf": wctx.csrf,
            "user": actor.user,
            "workspace": actor.workspace,
            "role": actor.role,
            "workspaces": wctx.workspaces,
            "tz": tz,
            "local": lambda v, fmt="%a %d %b %Y, %H:%M": local_time(v, tz, fmt),
            "problem": problem,
            "errors": problem.fields if problem else {},
            **context,
        },
        status_code=status_code,
    )


def bare(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page outside the signed-in frame (sign-in, errors before a session)."""
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def status_for(problem: Problem) -> int:
    return {
        "VALIDATION_ERROR": 400,
        "UNAUTHORIZED": 401,
        "FORBIDDEN": 403,
        "NOT_FOUND": 404,
        "CONFLICT": 409,
        "GONE": 410,
        "INSUFFICIENT_CREDITS": 402,
        "AI_SUBSCRIPTION": 402,
        "QUOTA_EXHAUSTED": 402,
        "PAYLOAD_TOO_LARGE": 413,
        "RATE_LIMITED": 429,
    }.get(problem.code, 400)


async def attempt(
    wctx: WebCtx, action: Callable[[], Awaitable[T]]
) -> tuple[T | None, Problem | None]:
    """Run one domain command: on an AppError its writes are undone and the error comes back
    in words. Not a savepoint: a metered command commits its reservation before the model
    call (no transaction open across it), which a savepoint would not survive. What the page
    already loaded stays readable: it is detached before the rollback expires it."""
    try:
        return await action(), None
    except errors.AppError as exc:
        discard_after_commit(wctx.db)
        wctx.db.expunge_all()
        await wctx.db.rollback()
        return None, describe(exc)
