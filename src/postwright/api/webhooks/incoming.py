"""zorbit's incoming webhooks: Clerk (user sync) and DodoPayments (subscriptions, credits).

No API key and no rate limit: the signature is the authentication. Bad or missing
signature, or a timestamp more than 5 minutes from now → 401; a verified body that is not
a usable event → 400; either way nothing changes. A replayed event id answers 200 and
changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from postwright.api.deps import ServicesDep, SessionDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import Unauthorized, ValidationFailed, error_responses
from postwright.domain.billing import service as billing

router = APIRouter(prefix="/api/v1/webhook", tags=["zorbit: webhooks"])


class WebhookAck(BaseModel):
    success: bool
    processedAt: str


def _json_body(description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }


@router.post(
    "/clerk",
    response_model=WebhookAck,
    responses=error_responses(ValidationFailed, Unauthorized),
    openapi_extra=_json_body(
        "A Clerk event (`user.created`, `user.updated`, `user.deleted`), Svix-signed"
    ),
)
async def clerk_webhook(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    svix_id: str | None = Header(default=None, alias="svix-id"),
    svix_timestamp: str | None = Header(default=None, alias="svix-timestamp"),
    svix_signature: str | None = Header(default=None, alias="svix-signature"),
) -> WebhookAck:
    """Sync users (names, email, photo) from Clerk; ``user.deleted`` soft-deletes."""
    settings = services.settings.billing
    secret = settings.clerk_webhook_secret
    now = services.clock.now()
    await billing.process_clerk_webhook(
        session,
        secret=secret.get_secret_value() if secret else None,
        body=await request.body(),
        headers={
            "svix-id": svix_id or "",
            "svix-timestamp": svix_timestamp or "",
            "svix-signature": svix_signature or "",
        },
        now=now,
        tolerance=timedelta(seconds=settings.webhook_tolerance_seconds),
    )
    return WebhookAck(success=True, processedAt=isoformat_z(now))


@router.post(
    "/dodopayments",
    response_model=WebhookAck,
    responses=error_responses(ValidationFailed, Unauthorized),
    openapi_extra=_json_body(
        "A DodoPayments event: `{id, type, data: {subscription_id?, payment_id?, credits?, "
        "current_period_start?, current_period_end?, metadata: {workspace_id, plan_id?}}}`"
    ),
)
async def dodopayments_webhook(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    signature: str | None = Header(default=None, alias="X-Webhook-Signature"),
    timestamp: str | None = Header(default=None, alias="X-Webhook-Timestamp"),
) -> WebhookAck:
    """Payment and subscription events.

    **Signature**: `X-Webhook-Signature` = hex HMAC-SHA256 with the configured secret
    (`POSTWRIGHT_BILLING_DODOPAYMENTS_WEBHOOK_SECRET`) over `"{X-Webhook-Timestamp}.{raw
    body}"`; the timestamp is Unix seconds within 5 minutes of now.

    **Workspace**: `data.metadata.workspace_id` (set it as checkout metadata); the plan for
    subscription events is `data.metadata.plan_id`. The event id is the body's `id`.

    **Effects**: `subscription.active` / `subscription.renewed` put the workspace on the plan
    for `data.current_period_start`..`current_period_end` (or Dodo's
    `previous_billing_date`/`next_billing_date`; default: the current month) and grant the
    plan's monthly credits; `subscription.cancelled` cancels at period end;
    `subscription.failed` marks it past due; `payment.succeeded` grants `data.credits`
    (a credit pack) if given. Credits are granted once per event id. Other types are
    acknowledged and ignored.
    """
    settings = services.settings.billing
    secret = settings.dodopayments_webhook_secret
    now = services.clock.now()
    await billing.process_dodopayments_webhook(
        session,
        secret=secret.get_secret_value() if secret else None,
        body=await request.body(),
        signature=signature,
        timestamp=timestamp,
        now=now,
        tolerance=timedelta(seconds=settings.webhook_tolerance_seconds),
    )
    return WebhookAck(success=True, processedAt=isoformat_z(now))
