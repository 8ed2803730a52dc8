"""Incoming billing and identity webhooks: verification, replay protection, effects.

DodoPayments: ``X-Webhook-Signature`` is the hex HMAC-SHA256, keyed with the configured
secret, of ``"{X-Webhook-Timestamp}.{raw body}"`` (optionally prefixed ``sha256=``; several
may be sent space-separated). The timestamp is Unix seconds and must be within the
tolerance (5 minutes) of now. The event id is the body's ``id`` — inside the signed body, so
a replay cannot pose as a new event.

Clerk: Svix signatures (``svix-id``, ``svix-timestamp``, ``svix-signature``), verified with
the svix library; the ``svix-id`` is the event id.

Each provider's event ids are stored: a replay answers success and changes nothing. Any
failure leaves nothing behind (one transaction).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from svix.webhooks import Webhook, WebhookVerificationError

from postwright.core.errors import NotFound, Unauthorized, ValidationFailed
from postwright.core.ids import new_id
from postwright.domain.accounts.identity import sync_clerk_user
from postwright.domain.accounts.models import Workspace
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.ledger import grant_credits
from postwright.domain.billing.models import IncomingWebhookEvent
from postwright.domain.billing.periods import month_start, next_month_start
from postwright.domain.billing.plans import get_plan
from postwright.domain.billing.subscriptions import activate_subscription, mark_subscription

DODOPAYMENTS = "dodopayments"
CLERK = "clerk"
DEFAULT_TOLERANCE = timedelta(minutes=5)
UNIX_SECONDS = re.compile(r"[0-9]{1,12}")
# Credits land in an Integer column (32-bit on PostgreSQL).
MAX_CREDITS = 2**31 - 1


@dataclass(frozen=True)
class WebhookOutcome:
    event_id: str
    event_type: str
    replayed: bool


def sign_dodopayments(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _check_timestamp(timestamp: str | None, now: datetime, tolerance: timedelta) -> None:
    # Whole Unix seconds only: float() would take "nan" and "inf", which compare false
    # against any window and so would pass it.
    if timestamp is None or not UNIX_SECONDS.fullmatch(timestamp):
        raise Unauthorized("Invalid webhook timestamp")
    if abs(now.timestamp() - int(timestamp)) > tolerance.total_seconds():
        raise Unauthorized("Webhook timestamp is outside the allowed tolerance")


def verify_dodopayments(
    secret: str,
    *,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    if not signature or not timestamp:
        raise Unauthorized("Missing webhook signature headers")
    _check_timestamp(timestamp, now, tolerance)
    expected = sign_dodopayments(secret, timestamp, body)
    offered = [s.removeprefix("sha256=") for s in signature.split()]
    # compare_digest on every candidate: the time taken says nothing about the secret.
    if not any(hmac.compare_digest(expected.encode(), o.encode()) for o in offered):
        raise Unauthorized("Invalid webhook signature")


def verify_svix(
    secret: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> str:
    """The verified ``svix-id``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    svix_id = lowered.get("svix-id")
    if not svix_id or not lowered.get("svix-signature"):
        raise Unauthorized("Missing webhook signature headers")
    _check_timestamp(lowered.get("svix-timestamp"), now, tolerance)
    try:
        Webhook(secret).verify(body, lowered)
    except (WebhookVerificationError, ValueError, TypeError) as exc:
        raise Unauthorized("Invalid webhook signature") from exc
    return svix_id


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationFailed("Webhook body is not valid JSON") from None
    if not isinstance(event, dict):
        raise ValidationFailed("Webhook body must be a JSON object")
    return event


def _required_text(event: dict[str, Any], key: str) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"Webhook body needs a string '{key}'")
    return value


def _data(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    if not isinstance(data, dict):
        raise ValidationFailed("Webhook body needs an object 'data'")
    return data


async def _first_delivery(
    session: AsyncSession, provider: str, event_id: str, event_type: str, now: datetime
) -> bool:
    try:
        async with session.begin_nested():
            session.add(
                IncomingWebhookEvent(
                    id=new_id("whe"),
                    provider=provider,
                    event_id=event_id[:200],
                    event_type=event_type[:100],
                    received_at=now,
                )
            )
            await session.flush()
    except IntegrityError:
        return False
    return True


def _moment(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"data.{field} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _positive_int(value: Any, field: str) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{field} must be an integer") from None
    if number <= 0 or str(number) != str(value).strip():
        raise ValidationFailed(f"{field} must be a positive integer")
    if number > MAX_CREDITS:
        raise ValidationFailed(f"{field} must be at most {MAX_CREDITS}")
    return number


async def _dodo_workspace(
    session: AsyncSession, data: dict[str, Any], now: datetime
) -> SystemActor:
    metadata = data.get("metadata") or {}
    workspace_id = metadata.get("workspace_id") if isinstance(metadata, dict) else None
    if not isinstance(workspace_id, str) or not workspace_id:
        raise ValidationFailed("data.metadata.workspace_id is required")
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None or workspace.deleted_at is not None:
        raise ValidationFailed("data.metadata.workspace_id names no workspace")
    return SystemActor(workspace_id=workspace_id, at=now)


async def _apply_dodo_event(
    session: AsyncSession, event_id: str, event_type: str, data: dict[str, Any], now: datetime
) -> None:
    handled = {
        "subscription.active",
        "subscription.renewed",
        "subscription.cancelled",
        "subscription.failed",
        "payment.succeeded",
    }
    if event_type not in handled:
        return
    acting = await _dodo_workspace(session, data, now)
    metadata: dict[str, Any] = data.get("metadata") or {}
    reference = f"{DODOPAYMENTS}:{event_id}"
    subscription_id = data.get("subscription_id")
    external_id = subscription_id if isinstance(subscription_id, str) else None
    if event_type in ("subscription.active", "subscription.renewed"):
        plan_id = metadata.get("plan_id") or data.get("plan_id")
        try:
            plan = await get_plan(session, str(plan_id))
        except NotFound:
            raise ValidationFailed("data.metadata.plan_id names no plan") from None
        start = (
            _moment(data.get("current_period_start"), "current_period_start")
            or _moment(data.get("previous_billing_date"), "previous_billing_date")
            or month_start(now)
        )
        end = (
            _moment(data.get("current_period_end"), "current_period_end")
            or _moment(data.get("next_billing_date"), "next_billing_date")
            or next_month_start(start)
        )
        await activate_subscription(
            session, acting, plan=plan, period_start=start, period_end=end, external_id=external_id
        )
        if plan.monthly_credits > 0:
            await grant_credits(
                session,
                acting,
                plan.monthly_credits,
                reason=f"{event_type}: plan {plan.id}",
                related_id=external_id,
                reference=reference,
            )
    elif event_type == "subscription.cancelled":
        await mark_subscription(session, acting, cancel_at_period_end=True)
    elif event_type == "subscription.failed":
        await mark_subscription(session, acting, past_due=True)
    else:
        credits = _positive_int(data.get("credits", metadata.get("credits")), "data.credits")
        if credits:
            payment_id = data.get("payment_id")
            await grant_credits(
                session,
                acting,
                credits,
                reason="payment.succeeded",
                related_id=payment_id if isinstance(payment_id, str) else None,
                reference=reference,
            )


async def process_dodopayments_webhook(
    session: AsyncSession,
    *,
    secret: str | None,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> WebhookOutcome:
    """Verify, then apply a DodoPayments event once (see the module docstring)."""
    if not secret:
        raise Unauthorized("DodoPayments webhooks are not configured on this server")
    verify_dodopayments(
        secret, body=body, signature=signature, timestamp=timestamp, now=now, tolerance=tolerance
    )
    event = _json_object(body)
    event_id, event_type = _required_text(event, "id"), _required_text(event, "type")
    data = _data(event)
    if not await _first_delivery(session, DODOPAYMENTS, event_id, event_type, now):
        return WebhookOutcome(event_id, event_type, replayed=True)
    await _apply_dodo_event(session, event_id, event_type, data, now)
    return WebhookOutcome(event_id, event_type, replayed=False)


async def process_clerk_webhook(
    session: AsyncSession,
    *,
    secret: str | None,
    body: bytes,
    headers: Mapping[str, str],
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> WebhookOutcome:
    """Verify (Svix), then apply a Clerk user event once."""
    if not secret:
        raise Unauthorized("Clerk webhooks are not configured on this server")
    svix_id = verify_svix(secret, body=body, headers=headers, now=now, tolerance=tolerance)
    event = _json_object(body)
    event_type = _required_text(event, "type")
    data = _data(event)
    if not await _first_delivery(session, CLERK, svix_id, event_type, now):
        return WebhookOutcome(svix_id, event_type, replayed=True)
    await sync_clerk_user(session, event_type, data, now)
    return WebhookOutcome(svix_id, event_type, replayed=False)
