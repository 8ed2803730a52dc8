"""Sign in (API key, or the identity provider's token), sign out, switch workspace; and the
small JSON the composer's counter reads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from postwright.api.deps import ServicesDep, SessionDep
from postwright.core import errors
from postwright.core.jwt import looks_like_jwt
from postwright.core.security import API_KEY_PREFIX
from postwright.core.services import Services
from postwright.domain.accounts import authentication, sessions
from postwright.domain.accounts import service as accounts
from postwright.domain.generation.platforms import get_platform, known_platforms
from postwright.web import limits
from postwright.web.deps import (
    COOKIE,
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    Problem,
    WebDep,
    check_token,
    cookie_secure,
    describe,
    login_csrf,
    safe_next,
    set_session_cookie,
    text,
)
from postwright.web.render import bare, see_other

router = APIRouter()
MAX_MEASURE = 100_000


@router.get("/")
async def home() -> Response:
    return see_other("/app/compose")


def _login_page(
    request: Request, services: Services, *, problem: Problem | None = None, status: int = 200
) -> Response:
    token = login_csrf(request)
    response = bare(
        request,
        "login.html",
        status_code=status,
        csrf=token,
        next=safe_next(request.query_params.get("next")),
        problem=problem,
        jwt_enabled=services.jwt is not None,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path="/app",
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
    )
    return response


@router.get("/login")
async def login_form(request: Request, services: ServicesDep) -> Response:
    return _login_page(request, services)


async def _identify(services: Services, credential: str) -> tuple[str, str | None]:
    """(user id, the credential's workspace) through the API's own sign-in
    (``domain.accounts.authentication``), its refusals put in words for a person."""
    try:
        identity = await authentication.identify(services, credential)
    except errors.Unauthorized as exc:
        if credential.startswith(API_KEY_PREFIX):
            message = "That API key is not valid or has been revoked"
        elif services.jwt is not None and looks_like_jwt(credential):
            message = "That sign-in token is not valid or has expired"
        else:
            message = f"Paste an API key (it starts with {API_KEY_PREFIX})"
        raise errors.Unauthorized(message) from exc
    return identity.user_id, identity.workspace_id


@router.post("/login")
async def login(request: Request, services: ServicesDep) -> Response:
    form = await request.form()
    try:
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
        if cookie is None:
            raise errors.Forbidden("Your browser did not keep the sign-in form's cookie; reload")
        value = form.get(CSRF_FIELD)
        check_token(cookie, value if isinstance(value, str) else None)
        await limits.sign_in(request, services)
        credential = text(form, "api_key", max_length=5000, required=True)
        user_id, workspace_id = await _identify(services, credential)
        now = services.clock.now()
        async with services.db.transaction() as session:
            user = await accounts.get_active_user(session, user_id)
            if user is None:
                raise errors.Unauthorized("This account no longer exists")
            workspace, _ = await accounts.resolve_workspace(
                session, user=user, requested_id=None, default_id=workspace_id
            )
            await sessions.purge_expired(session, now=now)
            opened = await sessions.open_session(
                session, now=now, user_id=user.id, workspace_id=workspace.id
            )
    except errors.AppError as exc:
        problem = describe(exc)
        if exc.code == "UNAUTHORIZED":
            problem.fields.setdefault("api_key", problem.message)
        return _login_page(request, services, problem=problem, status=exc.status_code)
    response = see_other(safe_next(text(form, "next", max_length=2000)))
    set_session_cookie(response, request, opened.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/app")
    return response


@router.post("/logout", openapi_extra=limits.NOT_LIMITED)
async def logout(request: Request, wctx: WebDep, session: SessionDep) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        await sessions.close_session(session, token)
    response = see_other("/app/login")
    response.delete_cookie(COOKIE, path="/app")
    return response


@router.post("/workspace")
async def switch_workspace(request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    workspace_id = text(form, "workspace_id", max_length=64, required=True)
    await sessions.switch_workspace(
        wctx.db, wctx.session_id, user=wctx.ctx.actor.user, workspace_id=workspace_id
    )
    return see_other(safe_next(text(form, "next", max_length=2000)))


@router.get("/platforms.json")
async def platforms(wctx: WebDep) -> JSONResponse:
    """Each platform's limit and how it counts, for the composer."""
    return JSONResponse(
        {
            key: {
                "name": p.display_name,
                "limit": p.limit,
                "counting": p.counting,
                "maxHashtags": p.max_hashtags,
            }
            for key in known_platforms()
            if (p := get_platform(key))
        }
    )


@router.post("/measure", openapi_extra=limits.COUNTS_AS_READ)
async def measure(request: Request, wctx: WebDep) -> JSONResponse:
    """The length of a text as each platform counts it (the same rule the API fits by)."""
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "Send JSON"}, status_code=400)
    value = body.get("text") if isinstance(body, dict) else None
    names = body.get("platforms") if isinstance(body, dict) else None
    if not isinstance(value, str) or not isinstance(names, list) or len(value) > MAX_MEASURE:
        return JSONResponse({"error": "Send text and platforms"}, status_code=400)
    result = {}
    for name in names[:20]:
        if not isinstance(name, str):
            continue
        try:
            profile = get_platform(name)
        except errors.ValidationFailed:
            continue
        result[profile.key] = {"count": profile.measure(value), "limit": profile.limit}
    return JSONResponse(result)
