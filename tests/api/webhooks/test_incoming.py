from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from svix.webhooks import Webhook

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import BillingSettings
from postwright.domain.accounts.models import User
from postwright.domain.billing.webhooks import sign_dodopayments
from tests.api.test_auth import assert_envelope
from tests.conftest import make_settings
from tests.domain.billing.helpers import ledger_state, metered_plan
from tests.factories import make_tenant

DODO_SECRET = "dodo-test-secret"
CLERK_SECRET = "whsec_" + base64.b64encode(b"clerk-test-secret-0123456789").decode()


@pytest.fixture
async def app(database_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url,
        tmp_path,
        billing=BillingSettings(
            clerk_webhook_secret=CLERK_SECRET, dodopayments_webhook_secret=DODO_SECRET
        ),
    )
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


def dodo_request(
    event: dict[str, Any], at: datetime, *, secret: str = DODO_SECRET
) -> dict[str, Any]:
    body = json.dumps(event).encode()
    timestamp = str(int(at.timestamp()))
    return {
        "content": body,
        "headers": {
            "Content-Type": "application/json",
            "X-Webhook-Timestamp": timestamp,
            "X-Webhook-Signature": sign_dodopayments(secret, timestamp, body),
        },
    }


def subscription_event(event_id: str, workspace_id: str, plan_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "subscription.active",
        "data": {
            "subscription_id": "dodo_sub_1",
            "current_period_start": "2026-03-01T00:00:00Z",
            "current_period_end": "2026-04-01T00:00:00Z",
            "metadata": {"workspace_id": workspace_id, "plan_id": plan_id},
        },
    }


async def test_subscription_activation_sets_the_plan_and_grants_once(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 5, tzinfo=UTC))
    tenant = await make_tenant(services)
    plan_id = await metered_plan(services, monthly_credits=500)
    event = subscription_event("evt_1", tenant.workspace_id, plan_id)

    first = await client.post("/api/v1/webhook/dodopayments", **dodo_request(event, clock.now()))
    replay = await client.post("/api/v1/webhook/dodopayments", **dodo_request(event, clock.now()))

    assert first.status_code == replay.status_code == 200
    assert first.json() == {"success": True, "processedAt": "2026-03-05T00:00:00.000Z"}
    subscription = (await client.get("/api/v1/subscriptions", headers=tenant.headers)).json()
    assert subscription["planId"] == plan_id
    assert subscription["currentPeriodEnd"] == "2026-04-01T00:00:00.000Z"
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 500


async def test_payment_succeeded_grants_credits_once_per_event(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    event = {
        "id": "evt_pay_1",
        "type": "payment.succeeded",
        "data": {
            "payment_id": "pay_1",
            "credits": 250,
            "metadata": {"workspace_id": tenant.workspace_id},
        },
    }
    for _ in range(3):
        response = await client.post(
            "/api/v1/webhook/dodopayments", **dodo_request(event, clock.now())
        )
        assert response.status_code == 200

    # 250 bought + the free plan's 100 for the month (granted at the first billing write).
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 350


async def test_cancelled_and_failed_events_mark_the_subscription(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    meta = {"workspace_id": tenant.workspace_id}
    failed = {"id": "evt_f", "type": "subscription.failed", "data": {"metadata": meta}}
    cancelled = {"id": "evt_c", "type": "subscription.cancelled", "data": {"metadata": meta}}

    await client.post("/api/v1/webhook/dodopayments", **dodo_request(failed, clock.now()))
    await client.post("/api/v1/webhook/dodopayments", **dodo_request(cancelled, clock.now()))

    subscription = (await client.get("/api/v1/subscriptions", headers=tenant.headers)).json()
    assert subscription["status"] == "past_due"
    assert subscription["cancelAtPeriodEnd"] is True


@pytest.mark.parametrize("forgery", ["wrong-secret", "tampered", "stale", "future", "missing"])
async def test_forged_or_stale_payment_events_are_401_and_change_nothing(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, forgery: str
) -> None:
    tenant = await make_tenant(services)
    event = {
        "id": f"evt_{forgery}",
        "type": "payment.succeeded",
        "data": {"credits": 999, "metadata": {"workspace_id": tenant.workspace_id}},
    }
    at = clock.now()
    if forgery == "stale":
        at -= timedelta(minutes=5, seconds=2)
    if forgery == "future":
        at += timedelta(minutes=6)
    request = dodo_request(event, at, secret="guess" if forgery == "wrong-secret" else DODO_SECRET)
    if forgery == "tampered":
        request["content"] = request["content"].replace(b"999", b"9999")
    if forgery == "missing":
        del request["headers"]["X-Webhook-Signature"]

    response = await client.post("/api/v1/webhook/dodopayments", **request)

    assert_envelope(response, 401, "UNAUTHORIZED")
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"type": "payment.succeeded", "data": {}}',
        b'{"id": "evt_x", "type": "payment.succeeded", "data": {"credits": 5, "metadata": {}}}',
        b'{"id": "evt_y", "type": "subscription.active", '
        b'"data": {"metadata": {"workspace_id": "ws_missing"}}}',
    ],
)
async def test_malformed_payment_events_are_400(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, body: bytes
) -> None:
    timestamp = str(int(clock.now().timestamp()))
    response = await client.post(
        "/api/v1/webhook/dodopayments",
        content=body,
        headers={
            "X-Webhook-Timestamp": timestamp,
            "X-Webhook-Signature": sign_dodopayments(DODO_SECRET, timestamp, body),
        },
    )
    assert_envelope(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "timestamp", ["nan", "NaN", "inf", "-inf", "Infinity", "1e3", "1700000000.5", "+1", " 1", ""]
)
async def test_non_integer_payment_timestamps_are_401(
    client: httpx.AsyncClient, services: Services, timestamp: str
) -> None:
    tenant = await make_tenant(services)
    body = json.dumps(
        {
            "id": "evt_nan",
            "type": "payment.succeeded",
            "data": {"credits": 999, "metadata": {"workspace_id": tenant.workspace_id}},
        }
    ).encode()

    response = await client.post(
        "/api/v1/webhook/dodopayments",
        content=body,
        headers={
            "X-Webhook-Timestamp": timestamp,
            "X-Webhook-Signature": sign_dodopayments(DODO_SECRET, timestamp, body),
        },
    )

    assert_envelope(response, 401, "UNAUTHORIZED")
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 0


@pytest.mark.parametrize("credits", [2**31, 2**63, 10**30])
async def test_payment_credits_beyond_the_column_are_400(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, credits: int
) -> None:
    tenant = await make_tenant(services)
    event = {
        "id": f"evt_big_{credits}",
        "type": "payment.succeeded",
        "data": {"credits": credits, "metadata": {"workspace_id": tenant.workspace_id}},
    }

    response = await client.post("/api/v1/webhook/dodopayments", **dodo_request(event, clock.now()))

    assert_envelope(response, 400, "VALIDATION_ERROR")
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 0


async def test_a_rejected_event_can_be_delivered_again_once_fixed(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    event = subscription_event("evt_retry", tenant.workspace_id, "plan_unknown")
    rejected = await client.post("/api/v1/webhook/dodopayments", **dodo_request(event, clock.now()))
    assert rejected.status_code == 400

    event["data"]["metadata"]["plan_id"] = await metered_plan(services, monthly_credits=10)
    accepted = await client.post("/api/v1/webhook/dodopayments", **dodo_request(event, clock.now()))
    assert accepted.status_code == 200
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 10


def clerk_request(event: dict[str, Any], svix_id: str, at: datetime) -> dict[str, Any]:
    body = json.dumps(event)
    signature = Webhook(CLERK_SECRET).sign(svix_id, at, body)
    return {
        "content": body.encode(),
        "headers": {
            "Content-Type": "application/json",
            "svix-id": svix_id,
            "svix-timestamp": str(int(at.timestamp())),
            "svix-signature": signature,
        },
    }


def clerk_user(event_type: str, **fields: Any) -> dict[str, Any]:
    data = {
        "id": "user_clerk_1",
        "first_name": "Grace",
        "last_name": "Hopper",
        "image_url": "https://img.example/grace.png",
        "primary_email_address_id": "idn_2",
        "email_addresses": [
            {"id": "idn_1", "email_address": "old@example.com"},
            {"id": "idn_2", "email_address": "Grace@Example.com"},
        ],
    }
    data.update(fields)
    return {"type": event_type, "object": "event", "data": data}


async def clerk_users(services: Services) -> list[User]:
    async with services.db.read_sessionmaker() as session:
        return list(await session.scalars(select(User).where(User.external_id.is_not(None))))


async def test_clerk_events_create_update_and_soft_delete_users(
    client: httpx.AsyncClient, services: Services
) -> None:
    # svix checks its tolerance against the real time, so Clerk tests sign with it.
    now = datetime.now(UTC)
    created = await client.post(
        "/api/v1/webhook/clerk", **clerk_request(clerk_user("user.created"), "msg_1", now)
    )
    assert created.status_code == 200
    assert created.json()["success"] is True
    (user,) = await clerk_users(services)
    assert (user.first_name, user.last_name, user.email) == ("Grace", "Hopper", "grace@example.com")
    assert user.image_url == "https://img.example/grace.png"

    updated = clerk_user("user.updated", first_name="Admiral", image_url=None)
    await client.post("/api/v1/webhook/clerk", **clerk_request(updated, "msg_2", now))
    (user,) = await clerk_users(services)
    assert user.first_name == "Admiral"
    assert user.image_url is None

    deleted = {"type": "user.deleted", "data": {"id": "user_clerk_1", "deleted": True}}
    await client.post("/api/v1/webhook/clerk", **clerk_request(deleted, "msg_3", now))
    (user,) = await clerk_users(services)
    assert user.deleted_at is not None


async def test_replayed_clerk_event_is_ignored(
    client: httpx.AsyncClient, services: Services
) -> None:
    now = datetime.now(UTC)
    await client.post(
        "/api/v1/webhook/clerk", **clerk_request(clerk_user("user.created"), "msg_1", now)
    )
    # The same svix-id again (validly signed, with other content): nothing changes.
    replay = clerk_request(clerk_user("user.updated", first_name="Mallory"), "msg_1", now)
    response = await client.post("/api/v1/webhook/clerk", **replay)

    assert response.status_code == 200
    (user,) = await clerk_users(services)
    assert user.first_name == "Grace"


@pytest.mark.parametrize("forgery", ["signature", "stale", "missing-id"])
async def test_forged_or_stale_clerk_events_are_401(
    client: httpx.AsyncClient, services: Services, forgery: str
) -> None:
    at = datetime.now(UTC) - (timedelta(minutes=6) if forgery == "stale" else timedelta(0))
    request = clerk_request(clerk_user("user.created"), "msg_9", at)
    if forgery == "signature":
        request["headers"]["svix-signature"] = "v1,bm90IGEgc2lnbmF0dXJl"
    if forgery == "missing-id":
        del request["headers"]["svix-id"]

    response = await client.post("/api/v1/webhook/clerk", **request)

    assert_envelope(response, 401, "UNAUTHORIZED")
    assert await clerk_users(services) == []


async def test_unconfigured_webhooks_refuse_everything(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    application = create_app(make_settings(database_url, tmp_path), clock=clock)
    transport = httpx.ASGITransport(app=application)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        event = {"id": "evt", "type": "payment.succeeded", "data": {}}
        response = await http.post(
            "/api/v1/webhook/dodopayments", **dodo_request(event, clock.now())
        )
    assert_envelope(response, 401, "UNAUTHORIZED")
