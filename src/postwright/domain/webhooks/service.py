"""Outgoing webhooks: endpoints a workspace registers, and ``emit`` — the one call other areas
make when something happens::

    await webhooks.emit(session, workspace_id, "post.published", {"post_id": post.id})

``emit`` writes one delivery per subscribed endpoint in the caller's transaction and starts
their delivery workflows only after it commits, so a rolled-back change sends nothing and a
committed one is never lost (``recover_pending`` restarts any that did not get started).
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.db import after_commit
from postwright.core.errors import ValidationFailed
from postwright.core.ids import new_id
from postwright.core.outbound import ensure_public_url
from postwright.core.pagination import KeysetPage, paginate_keyset
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.context import Ctx
from postwright.domain.webhooks.events import EVENT_TYPES, is_known
from postwright.domain.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

MAX_ENDPOINTS = 20
SECRET_BYTES = 24


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _validate_events(event_types: list[str]) -> list[str]:
    unknown = [e for e in event_types if not is_known(e)]
    if unknown:
        raise ValidationFailed(
            f"Unknown event type: {unknown[0]}",
            details=[
                {
                    "field": "events",
                    "message": f"unknown event types {unknown}; known: {list(EVENT_TYPES)}",
                }
            ],
        )
    return list(dict.fromkeys(event_types))


async def create_endpoint(
    ctx: Ctx,
    *,
    url: str,
    event_types: list[str],
    description: str | None,
) -> CreatedEndpoint:
    """Register ``url`` (refused when it points inside the network); the signing secret is
    returned here once and stored only encrypted."""
    events = _validate_events(event_types)
    await ctx.end_transaction()  # the DNS lookup below
    await ensure_public_url(url, allow_loopback=ctx.settings.http.allow_loopback_urls)
    count = len(list(await ctx.session.scalars(scoped(WebhookEndpoint, ctx.workspace_id))))
    if count >= MAX_ENDPOINTS:
        raise ValidationFailed(f"A workspace can register at most {MAX_ENDPOINTS} endpoints")
    secret = _new_secret()
    now = ctx.now()
    endpoint = WebhookEndpoint(
        id=new_id("whep"),
        workspace_id=ctx.workspace_id,
        url=url,
        description=description,
        event_types=events,
        secret_encrypted=ctx.secrets.encrypt(secret),
        enabled=True,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(endpoint)
    await ctx.session.flush()
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


async def list_endpoints(ctx: Ctx) -> list[WebhookEndpoint]:
    rows = await ctx.session.scalars(
        scoped(WebhookEndpoint, ctx.workspace_id).order_by(
            WebhookEndpoint.created_at, WebhookEndpoint.id
        )
    )
    return list(rows)


async def get_endpoint(ctx: Ctx, endpoint_id: str) -> WebhookEndpoint:
    return await get_scoped(ctx.session, WebhookEndpoint, ctx.workspace_id, endpoint_id)


async def delete_endpoint(ctx: Ctx, endpoint_id: str) -> None:
    """Remove the endpoint with its delivery history; retries still queued find it gone."""
    endpoint = await get_endpoint(ctx, endpoint_id)
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    await ctx.session.execute(
        delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries))
    )
    await ctx.session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    await ctx.session.delete(endpoint)
    await ctx.session.flush()


@dataclass(frozen=True)
class DeliveryPage:
    page: KeysetPage[WebhookDelivery]
    attempts: dict[str, list[WebhookAttempt]]


async def list_deliveries(
    ctx: Ctx,
    endpoint_id: str,
    *,
    cursor: str | None,
    limit: int,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first, each with every attempt made so far."""
    endpoint = await get_endpoint(ctx, endpoint_id)
    page = await paginate_keyset(
        ctx.session,
        scoped(WebhookDelivery, ctx.workspace_id).where(WebhookDelivery.endpoint_id == endpoint.id),
        codec=ctx.cursors,
        created_at=WebhookDelivery.created_at,
        id_column=WebhookDelivery.id,
        cursor=cursor,
        limit=limit,
        scope=f"webhook-deliveries:{endpoint.id}",
    )
    attempts: dict[str, list[WebhookAttempt]] = {d.id: [] for d in page.items}
    if attempts:
        rows = await ctx.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.number)
        )
        for attempt in rows:
            attempts[attempt.delivery_id].append(attempt)
    return DeliveryPage(page=page, attempts=attempts)


def event_body(event_type: str, data: dict[str, Any], at: datetime) -> str:
    """The Standard Webhooks payload shape: ``{type, timestamp, data}``."""
    timestamp = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(
        {"type": event_type, "timestamp": timestamp, "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


async def emit(
    session: AsyncSession,
    workspace_id: str,
    event_type: str,
    data: dict[str, Any],
    *,
    at: datetime | None = None,
) -> list[str]:
    """Queue ``event_type`` for every enabled endpoint of the workspace subscribed to it;
    sent once the caller's transaction commits. Returns the delivery ids (``webhook-id``)."""
    if not is_known(event_type):
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoints = await session.scalars(
        scoped(WebhookEndpoint, workspace_id).where(WebhookEndpoint.enabled.is_(True))
    )
    now = at or datetime.now(UTC)
    body = event_body(event_type, data, now)
    ids = []
    for endpoint in endpoints:
        if endpoint.event_types and event_type not in endpoint.event_types:
            continue
        delivery = WebhookDelivery(
            id=new_id("msg"),
            workspace_id=workspace_id,
            endpoint_id=endpoint.id,
            event_type=event_type,
            body=body,
            status=DeliveryStatus.PENDING,
            attempt_count=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(delivery)
        ids.append(delivery.id)
    if ids:
        await session.flush()
        after_commit(session, _starter(ids))
    return ids


def _starter(delivery_ids: list[str]) -> Any:
    async def start() -> None:
        if not jobs.is_running():
            return  # no engine in this process (CLI): the next one to start sends them
        from postwright.domain.webhooks.delivery import start_delivery

        for delivery_id in delivery_ids:
            await start_delivery(delivery_id)

    return start
