"""Settings: API keys (shown once), outgoing webhooks (secret shown once, deliveries), and the
workspace's own AI model."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from postwright.core import errors
from postwright.domain.accounts import service as accounts
from postwright.domain.generation import service as generation
from postwright.domain.webhooks import service as webhooks
from postwright.domain.webhooks.events import EVENT_TYPES
from postwright.web.deps import Problem, WebCtx, WebDep, checked, many, optional, text
from postwright.web.render import attempt, page, see_other, status_for

router = APIRouter()
DELIVERIES_PAGE = 20
DONE = {
    "revoked": "Key revoked: it stops working at once.",
    "removed": "Webhook endpoint removed.",
    "ai": "AI settings saved.",
}


def _manager(wctx: WebCtx) -> None:
    if not wctx.ctx.actor.role.can_manage:
        raise errors.Forbidden("Only workspace owners and admins can change this")


async def _render(
    wctx: WebCtx,
    *,
    problem: Problem | None = None,
    notice: str | None = None,
    new_key: str | None = None,
    new_secret: str | None = None,
    section: str | None = None,
) -> Response:
    ctx = wctx.ctx
    manages = ctx.actor.role.can_manage
    return page(
        wctx,
        "settings.html",
        active="settings",
        title="Settings",
        status_code=status_for(problem) if problem else 200,
        problem=problem,
        notice=notice,
        keys=await accounts.list_api_keys(ctx),
        endpoints=await webhooks.list_endpoints(ctx) if manages else [],
        ai=await generation.ai_status(ctx),
        ai_config=await generation.get_ai_config(ctx),
        manages=manages,
        event_types=EVENT_TYPES,
        new_key=new_key,
        new_secret=new_secret,
        section=section,
    )


@router.get("/settings")
async def settings_page(request: Request, wctx: WebDep) -> Response:
    return await _render(wctx, notice=DONE.get(request.query_params.get("done", "")))


@router.post("/settings/keys")
async def create_key(request: Request, wctx: WebDep) -> Response:
    form = await request.form()

    async def run() -> str:
        name = text(form, "name", max_length=100) or "dashboard"
        issued = await accounts.create_api_key_for(wctx.ctx, name=name)
        return issued.plaintext

    plaintext, problem = await attempt(wctx, run)
    # The key is rendered into this one response (never a URL, never stored readable).
    return await _render(wctx, problem=problem, new_key=plaintext, section="keys")


@router.post("/settings/keys/{key_id}/revoke")
async def revoke_key(key_id: str, wctx: WebDep) -> Response:
    _, problem = await attempt(wctx, lambda: accounts.revoke_api_key(wctx.ctx, key_id))
    if problem is not None:
        return await _render(wctx, problem=problem, section="keys")
    return see_other("/app/settings?done=revoked")


@router.post("/settings/webhooks")
async def create_webhook(request: Request, wctx: WebDep) -> Response:
    form = await request.form()

    async def run() -> str:
        _manager(wctx)
        url = text(form, "url", max_length=2000, required=True)
        if not url.startswith(("https://", "http://")):
            raise errors.ValidationFailed(
                details=[{"field": "url", "message": "Enter a full URL starting with https://"}]
            )
        created = await webhooks.create_endpoint(
            wctx.ctx,
            url=url,
            event_types=many(form, "events"),
            description=optional(form, "description", max_length=500),
        )
        return created.secret

    secret, problem = await attempt(wctx, run)
    return await _render(wctx, problem=problem, new_secret=secret, section="webhooks")


@router.post("/settings/webhooks/{endpoint_id}/delete")
async def delete_webhook(endpoint_id: str, wctx: WebDep) -> Response:
    async def run() -> None:
        _manager(wctx)
        await webhooks.delete_endpoint(wctx.ctx, endpoint_id)

    _, problem = await attempt(wctx, run)
    if problem is not None:
        return await _render(wctx, problem=problem, section="webhooks")
    return see_other("/app/settings?done=removed")


@router.get("/settings/webhooks/{endpoint_id}")
async def deliveries(endpoint_id: str, request: Request, wctx: WebDep) -> Response:
    _manager(wctx)
    ctx = wctx.ctx
    cursor = request.query_params.get("cursor") or None
    found = await webhooks.list_deliveries(
        ctx,
        endpoint_id,
        cursor=cursor,
        limit=DELIVERIES_PAGE,
    )
    endpoint = await webhooks.get_endpoint(ctx, endpoint_id)
    return page(
        wctx,
        "deliveries.html",
        active="settings",
        title="Webhook deliveries",
        endpoint=endpoint,
        page_=found.page,
        attempts=found.attempts,
    )


@router.post("/settings/ai")
async def save_ai(request: Request, wctx: WebDep) -> Response:
    form = await request.form()

    async def run() -> Any:
        _manager(wctx)
        base_url = optional(form, "base_url", max_length=2000)
        if base_url and not base_url.startswith(("https://", "http://")):
            raise errors.ValidationFailed(
                details=[{"field": "base_url", "message": "Enter a full URL or leave it empty"}]
            )
        api_key = text(form, "api_key", max_length=500)
        return await generation.set_ai_config(
            wctx.ctx,
            model=optional(form, "model", max_length=200),
            # Empty keeps the stored key; "remove" clears it.
            api_key=("" if checked(form, "remove_key") else (api_key or None)),
            base_url=base_url,
            enabled=checked(form, "enabled"),
        )

    _, problem = await attempt(wctx, run)
    if problem is not None:
        return await _render(wctx, problem=problem, section="ai")
    return see_other("/app/settings?done=ai")
