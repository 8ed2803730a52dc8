"""Sending a delivery: one DBOS workflow per attempt on the webhooks queue, signed per
Standard Webhooks, retried with exponential backoff and jitter for about a day.

An attempt that fails enqueues the next one with a delay instead of sleeping, so a dead
endpoint holds no worker slot while it waits and never blocks other deliveries. Every attempt
keeps the delivery's ``webhook-id`` and is signed afresh with its own ``webhook-timestamp``.
The HTTP call is a step (at-least-once): a re-run after a crash may send again under the same
``webhook-id``, which receivers use to de-duplicate; the recorded attempt is written once.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from dbos import DBOS
from sqlalchemy import select
from standardwebhooks import Webhook

from postwright import __version__
from postwright.core import jobs
from postwright.core.ids import new_id
from postwright.core.outbound import UnsafeUrl, ensure_public_url, pinned_client
from postwright.core.services import Services
from postwright.core.settings import WebhookSettings
from postwright.domain.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

BACKOFF_FACTOR = 3
JITTER = 0.2
EXCERPT = 500


def attempt_workflow_id(delivery_id: str, number: int) -> str:
    return f"webhook:{delivery_id}:{number}"


def nominal_delay(settings: WebhookSettings, number: int) -> float:
    """The wait after failed attempt ``number`` before jitter: base, tripled each time, capped."""
    delay = settings.retry_base_seconds * BACKOFF_FACTOR ** (number - 1)
    return float(min(delay, settings.retry_max_delay_seconds))


def retry_delay(settings: WebhookSettings, number: int) -> float | None:
    """Seconds until the attempt after ``number``, or None once the retry window is spent."""
    waited = sum(nominal_delay(settings, n) for n in range(1, number + 1))
    if waited > settings.retry_window_hours * 3600:
        return None
    # Jitter only lengthens a wait, so retries of many deliveries spread without bunching.
    return nominal_delay(settings, number) * (1 + random.uniform(0, JITTER))


async def start_delivery(delivery_id: str) -> None:
    await jobs.enqueue_detached(
        jobs.WEBHOOKS_QUEUE,
        webhook_attempt,
        delivery_id,
        1,
        workflow_id=attempt_workflow_id(delivery_id, 1),
    )


@DBOS.workflow(name="postwright.webhook_attempt")
async def webhook_attempt(delivery_id: str, number: int) -> str:
    outcome = await _attempt(delivery_id, number)
    retry_in = outcome.get("retry_in")
    if retry_in is not None:
        await jobs.enqueue(
            jobs.WEBHOOKS_QUEUE,
            webhook_attempt,
            delivery_id,
            number + 1,
            workflow_id=attempt_workflow_id(delivery_id, number + 1),
            delay_seconds=retry_in,
        )
    return str(outcome["status"])


@dataclass(frozen=True)
class _Target:
    url: str
    secret: str
    body: str


@dataclass(frozen=True)
class _Response:
    signed_timestamp: int
    status_code: int | None
    error: str | None
    excerpt: str | None
    duration_ms: int


def _services() -> Services:
    found: Services = jobs.services()
    return found


@DBOS.step(name="postwright.webhook_send")
async def _attempt(delivery_id: str, number: int) -> dict[str, Any]:
    services = _services()
    prepared = await _prepare(services, delivery_id, number)
    if not isinstance(prepared, _Target):
        return prepared
    response = await _send(services, delivery_id, prepared)
    return await _record(services, delivery_id, number, response)


async def _prepare(services: Services, delivery_id: str, number: int) -> _Target | dict[str, Any]:
    async with services.db.transaction() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return {"status": "gone"}
        if delivery.status != DeliveryStatus.PENDING:
            return {"status": str(delivery.status)}
        if delivery.attempt_count >= number:
            # This step ran before and recorded its attempt: only the retry is left to plan.
            retry_in = retry_delay(services.settings.webhooks, number)
            return {"status": "retrying", "retry_in": retry_in}
        endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            delivery.status = DeliveryStatus.CANCELLED
            delivery.next_attempt_at = None
            delivery.updated_at = services.clock.now()
            return {"status": str(DeliveryStatus.CANCELLED)}
        secret = services.secrets.decrypt(endpoint.secret_encrypted)
        return _Target(url=endpoint.url, secret=secret, body=delivery.body)


async def _send(services: Services, delivery_id: str, target: _Target) -> _Response:
    settings = services.settings
    # Real time, not the app clock: receivers check it against their own clocks.
    signed_at = datetime.now(UTC)
    signature = Webhook(target.secret).sign(delivery_id, signed_at, target.body)
    headers = {
        "content-type": "application/json",
        "user-agent": f"Postwright-Webhooks/{__version__}",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": signature,
    }
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    content = target.body.encode()
    try:
        await ensure_public_url(target.url, allow_loopback=settings.http.allow_loopback_urls)
        async with (
            pinned_client(
                allow_loopback=settings.http.allow_loopback_urls,
                timeout=settings.webhooks.timeout_seconds,
            ) as client,
            client.stream("POST", target.url, content=content, headers=headers) as response,
        ):
            status_code = response.status_code
            async for chunk in response.aiter_bytes():
                excerpt = chunk[:EXCERPT].decode(errors="replace")
                break
    except UnsafeUrl as exc:
        error = exc.message
    except httpx.HTTPError as exc:
        error = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:EXCERPT]
    return _Response(
        signed_timestamp=int(signed_at.timestamp()),
        status_code=status_code,
        error=error,
        excerpt=excerpt,
        duration_ms=int((time.monotonic() - started) * 1000),
    )


async def _record(
    services: Services, delivery_id: str, number: int, response: _Response
) -> dict[str, Any]:
    async with services.db.transaction() as session:
        delivery = await session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        )
        if delivery is None:
            return {"status": "gone"}
        if delivery.attempt_count >= number or delivery.status != DeliveryStatus.PENDING:
            return {"status": str(delivery.status)}
        now = services.clock.now()
        session.add(
            WebhookAttempt(
                id=new_id("wha"),
                delivery_id=delivery_id,
                number=number,
                attempted_at=now,
                signed_timestamp=response.signed_timestamp,
                status_code=response.status_code,
                error=response.error,
                response_excerpt=response.excerpt,
                duration_ms=response.duration_ms,
            )
        )
        delivery.attempt_count = number
        delivery.updated_at = now
        code = response.status_code
        if code is not None and 200 <= code < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            return {"status": str(DeliveryStatus.DELIVERED)}
        if code == 410:
            # Standard Webhooks: 410 Gone means "stop sending here".
            endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
            if endpoint is not None:
                endpoint.enabled = False
                endpoint.disabled_reason = "The endpoint answered 410 Gone"
                endpoint.updated_at = now
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            return {"status": str(DeliveryStatus.FAILED)}
        retry_in = retry_delay(services.settings.webhooks, number)
        if retry_in is None:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            return {"status": str(DeliveryStatus.FAILED)}
        delivery.next_attempt_at = datetime.fromtimestamp(now.timestamp() + retry_in, UTC)
        return {"status": "retrying", "retry_in": retry_in}


async def recover_pending() -> int:
    """Start deliveries committed while no engine ran (or lost between commit and enqueue);
    workflow ids are deterministic, so one already started is simply re-attached."""
    services = _services()
    async with services.db.transaction() as session:
        ids = list(
            await session.scalars(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    WebhookDelivery.attempt_count == 0,
                )
            )
        )
    for delivery_id in ids:
        await start_delivery(delivery_id)
    return len(ids)
