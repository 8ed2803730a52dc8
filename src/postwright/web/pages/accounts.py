"""Connected accounts: connect (credentials or OAuth), status, reconnect, timezone, default."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from postwright.core import errors
from postwright.domain.publishing import accounts as connected
from postwright.domain.publishing import connect
from postwright.web import common
from postwright.web.deps import Problem, WebCtx, WebDep, checked, optional, text
from postwright.web.render import attempt, page, see_other, status_for

router = APIRouter()
CREDENTIAL_FORMS = {
    "bluesky": (
        ("identifier", "Handle or email", "text"),
        ("appPassword", "App password", "password"),
        ("instanceUrl", "PDS URL (optional)", "url"),
    ),
    "mastodon": (
        ("instanceUrl", "Instance URL", "url"),
        ("accessToken", "Access token", "password"),
    ),
    "buffer": (
        ("apiKey", "API key", "password"),
        ("externalAccountId", "Channel id", "text"),
    ),
    "publer": (
        ("apiKey", "API key", "password"),
        ("publerWorkspaceId", "Publer workspace id", "text"),
        ("externalAccountId", "Account id", "text"),
        ("network", "Network (optional, e.g. linkedin)", "text"),
    ),
}
NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon", "buffer": "Buffer", "publer": "Publer"}
DONE = {"connected": "Account connected.", "removed": "Account removed.", "saved": "Saved."}
OAUTH_NAMES = {"linkedin": "LinkedIn", "x": "X"}
# The OAuth callback (api/platform) sends the browser back with one of these reasons.
OAUTH_FAILURES = {
    "denied": "access was not allowed on {name}",
    "expired": "the sign-in expired or was already used",
    "refused": "{name} did not accept the sign-in",
}


async def _render(
    wctx: WebCtx,
    *,
    problem: Problem | None = None,
    notice: str | None = None,
    failed: str | None = None,
    reconnect: str | None = None,
    status_code: int | None = None,
) -> Response:
    found = await connected.list_accounts(wctx.ctx)
    return page(
        wctx,
        "accounts.html",
        active="accounts",
        title="Accounts",
        status_code=status_code or (status_for(problem) if problem else 200),
        problem=problem,
        notice=notice,
        accounts=found,
        forms=CREDENTIAL_FORMS,
        names=NAMES,
        failed=failed,
        reconnect=reconnect,
        zones=common.zones(wctx.ctx.actor.workspace.timezone, *(a.timezone for a in found)),
    )


def _oauth_outcome(query: Mapping[str, str]) -> tuple[str | None, Problem | None]:
    """The words for where an OAuth sign-in started here ended (the callback's redirect)."""
    name = OAUTH_NAMES.get(query.get("provider", ""))
    outcome = query.get("oauth")
    if name is None or outcome is None:
        return None, None
    if outcome == "connected":
        return f"{name} account connected.", None
    reason = OAUTH_FAILURES.get(query.get("reason", ""), OAUTH_FAILURES["refused"])
    message = f"Connecting {name} did not finish: {reason.format(name=name)}. Try again."
    return None, Problem(message=message)


@router.get("/accounts")
async def accounts_page(request: Request, wctx: WebDep) -> Response:
    notice, problem = _oauth_outcome(request.query_params)
    return await _render(
        wctx,
        problem=problem,
        status_code=200,  # the page is fine; it reports how the earlier sign-in ended
        failed=request.query_params.get("provider") if problem else None,
        notice=notice or DONE.get(request.query_params.get("done", "")),
        reconnect=request.query_params.get("reconnect"),
    )


@router.post("/accounts/connect/{provider}")
async def connect_account(provider: str, request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    ctx = wctx.ctx

    async def run() -> None:
        if provider not in CREDENTIAL_FORMS:
            raise errors.NotFound("Unknown provider")
        await connect.connect_account(
            ctx,
            connect.AccountInput(
                provider=provider,
                timezone=text(form, "timezone", max_length=64) or "UTC",
                is_default=checked(form, "isDefault"),
                identifier=optional(form, "identifier", max_length=500),
                app_password=optional(form, "appPassword", max_length=500),
                instance_url=optional(form, "instanceUrl", max_length=2000),
                access_token=optional(form, "accessToken", max_length=5000),
                api_key=optional(form, "apiKey", max_length=5000),
                external_account_id=optional(form, "externalAccountId", max_length=500),
                publer_workspace_id=optional(form, "publerWorkspaceId", max_length=200),
                network=optional(form, "network", max_length=40),
            ),
        )

    _, problem = await attempt(wctx, run)
    if problem is not None:
        return await _render(wctx, problem=problem, failed=provider)
    return see_other("/app/accounts?done=connected")


@router.post("/accounts/oauth/{provider}")
async def start_oauth(provider: str, request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    ctx = wctx.ctx

    async def run() -> str:
        return await connect.start_oauth(
            ctx,
            provider,
            timezone=text(form, "timezone", max_length=64) or "UTC",
            is_default=checked(form, "isDefault"),
            return_to="/app/accounts",
        )

    url, problem = await attempt(wctx, run)
    if problem is not None or url is None:
        return await _render(wctx, problem=problem, failed=provider)
    return RedirectResponse(url, status_code=303)


@router.post("/accounts/{account_id}")
async def account_action(account_id: str, request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    op = text(form, "op", max_length=20)
    ctx = wctx.ctx

    async def run() -> str:
        if op == "save":
            await connected.update_account(
                ctx,
                account_id,
                timezone=text(form, "timezone", max_length=64) or None,
                is_default=checked(form, "isDefault") or None,
            )
            return "saved"
        if op == "remove":
            await connected.delete_account(ctx, account_id)
            return "removed"
        raise errors.ValidationFailed("Unknown action")

    done, problem = await attempt(wctx, run)
    if problem is not None:
        return await _render(wctx, problem=problem)
    return see_other(f"/app/accounts?done={done}")
