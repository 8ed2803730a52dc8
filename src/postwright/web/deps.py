"""The dashboard's request plumbing: the session cookie, CSRF, the acting context, forms,
and errors put into words."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from postwright.api.deps import ServicesDep, SessionDep
from postwright.core import errors
from postwright.core.db import commit_point
from postwright.core.services import Services
from postwright.core.text import is_storable
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts import sessions
from postwright.domain.accounts.models import Role, Workspace
from postwright.domain.context import RequestCtx
from postwright.web import limits

COOKIE = "pw_session"
LOGIN_CSRF_COOKIE = "pw_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(errors.Unauthorized):
    """No (live) dashboard session: the browser is sent to the sign-in page."""


class CsrfRejected(errors.Forbidden):
    default_message = "This form has expired. Reload the page and try again."


@dataclass
class WebCtx:
    """A signed-in page request: the domain context plus what every page's header shows."""

    ctx: RequestCtx
    request: Request
    session_id: str
    csrf: str
    workspaces: list[tuple[Workspace, Role]] = field(default_factory=list)

    @property
    def services(self) -> Services:
        return self.ctx.services

    @property
    def db(self) -> AsyncSession:
        return self.ctx.session


def cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Any, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/app",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
    )


def login_csrf(request: Request) -> str:
    """Sign-in happens before any session: a double-submit token guards its form."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def check_token(expected: str, sent: str | None) -> None:
    if not sent or not secrets.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRejected()


async def web_ctx(request: Request, services: ServicesDep, session: SessionDep) -> WebCtx:
    token = request.cookies.get(COOKIE)
    now = services.clock.now()
    record = await sessions.find_session(session, token, now=now) if token else None
    if record is None:
        raise SignInRequired("Sign in to continue")
    if request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        check_token(record.csrf_token, sent)
    actor = await sessions.actor_for(session, record, clock=services.clock)
    # Nothing is written yet: end the transaction before the limiter's call to Redis. The
    # renewal is a short write of its own, now that the request holds no transaction (beside
    # a POST's open write transaction it would wait on the SQLite lock that one holds).
    await commit_point(session)
    await limits.per_user(request, services, actor.user_id)
    if sessions.needs_renewal(record, now):
        async with services.db.transaction() as writer:
            await sessions.renew(writer, record.id, now=now)
    request.state.user_id = actor.user_id
    request.state.workspace_id = actor.workspace_id
    wctx = WebCtx(
        ctx=RequestCtx(session=session, actor=actor, services=services),
        request=request,
        session_id=record.id,
        csrf=record.csrf_token,
    )
    wctx.workspaces = await accounts.list_workspaces(session, user=actor.user)
    return wctx


WebDep = Annotated[WebCtx, Depends(web_ctx)]


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/app/login?next={quote(target, safe='')}"


def safe_next(value: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect."""
    if value and value.startswith("/app") and not value.startswith("//"):
        return value
    return "/app/compose"


# ---- forms ---------------------------------------------------------------------------


def _invalid(name: str, message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, details=[{"field": name, "message": message}])


def text(form: FormData, name: str, *, max_length: int = 5000, required: bool = False) -> str:
    value = form.get(name)
    result = value.strip() if isinstance(value, str) else ""
    if required and not result:
        raise _invalid(name, "This field is required.")
    if len(result) > max_length:
        raise _invalid(name, f"Use at most {max_length} characters.")
    if not is_storable(result):
        raise _invalid(name, "Contains characters that cannot be stored.")
    return result


def raw_text(form: FormData, name: str, *, max_length: int = 50_000) -> str:
    """Like ``text`` but keeps leading/trailing line breaks the writer typed."""
    value = form.get(name)
    result = value.replace("\r\n", "\n") if isinstance(value, str) else ""
    if len(result) > max_length:
        raise _invalid(name, f"Use at most {max_length} characters.")
    if not is_storable(result):
        raise _invalid(name, "Contains characters that cannot be stored.")
    return result


def optional(form: FormData, name: str, *, max_length: int = 5000) -> str | None:
    return text(form, name, max_length=max_length) or None


def integer(form: FormData, name: str, *, low: int, high: int, default: int | None = None) -> int:
    raw = text(form, name, max_length=20)
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(name, "Enter a whole number.") from None
    if not low <= value <= high:
        raise _invalid(name, f"Enter a number from {low} to {high}.")
    return value


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


def local_datetime(form: FormData, prefix: str, timezone: str) -> datetime:
    """``<prefix>_date`` + ``<prefix>_time`` read in ``timezone`` (IANA name)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    day = text(form, f"{prefix}_date", max_length=10, required=True)
    clock = text(form, f"{prefix}_time", max_length=8) or "09:00"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid(f"{prefix}_timezone", "Choose a known timezone.") from None
    try:
        naive = datetime.fromisoformat(f"{day}T{clock}")
    except ValueError:
        raise _invalid(f"{prefix}_date", "Enter a date and time.") from None
    return naive.replace(tzinfo=zone)


# ---- errors in words -------------------------------------------------------------------


@dataclass
class Problem:
    """An AppError as the page shows it: one sentence, and a sentence per field."""

    message: str
    fields: dict[str, str] = field(default_factory=dict)
    code: str = "VALIDATION_ERROR"


FIELD_NAMES: Mapping[str, str] = {
    "personaId": "persona",
    "scheduledOn": "schedule",
    "scheduled_at": "schedule",
    "content": "text",
}


def describe(exc: errors.AppError) -> Problem:
    fields: dict[str, str] = {}
    details = exc.details
    if isinstance(details, list):
        for item in details:
            if isinstance(item, dict) and item.get("field"):
                name = str(item["field"])
                fields.setdefault(name, str(item.get("message") or "is not valid").rstrip("."))
    elif isinstance(details, dict) and isinstance(details.get("field"), str):
        fields[details["field"]] = exc.message
    message = exc.message
    if exc.code in ("INSUFFICIENT_CREDITS", "AI_SUBSCRIPTION") and "required" in exc.extras:
        message = (
            f"This needs {exc.extras['required']} credits and {exc.extras.get('available', 0)} "
            "are available. Top up credits or choose fewer posts."
        )
    elif exc.quota:
        reset = exc.quota.get("resetAt")
        message = f"{exc.message}." + (f" It resets {reset[:10]}." if reset else "")
    elif message == errors.ValidationFailed.default_message and fields:
        first = next(iter(fields.items()))
        message = f"Check the {FIELD_NAMES.get(first[0], first[0])} field: {first[1]}."
    if message and message[-1] not in ".!?":
        message += "."
    return Problem(message=message[0].upper() + message[1:], fields=fields, code=exc.code)


__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "LOGIN_CSRF_COOKIE",
    "CsrfRejected",
    "Problem",
    "SignInRequired",
    "WebCtx",
    "WebDep",
    "describe",
    "web_ctx",
]
