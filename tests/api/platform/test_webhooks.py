"""Outgoing webhooks end to end: registration, signed deliveries, retries, 410, isolation."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import HttpSettings, JobSettings, WebhookSettings
from postwright.domain import webhooks
from postwright.domain.accounts.models import Role
from postwright.domain.webhooks.models import WebhookEndpoint
from tests.conftest import make_settings
from tests.engine import running
from tests.factories import Tenant, add_member, make_tenant
from tests.fakes.webhook_receiver import WebhookReceiver

HOOKS = "/api/v1/webhooks"


@pytest.fixture
async def engine(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05, bulk_window=3),
        # Retries at least a second apart, so each attempt's signed timestamp differs.
        webhooks=WebhookSettings(retry_base_seconds=1.0, timeout_seconds=2.0),
    )
    async with running(settings, clock) as pair:
        yield pair


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    server.start()
    yield server
    server.stop()


async def register(
    http: httpx.AsyncClient, tenant: Tenant, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await http.post(
        HOOKS, json={"url": url, "events": events or []}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def emit(services: Services, tenant: Tenant, event: str, data: dict[str, Any]) -> list[str]:
    async with services.db.transaction() as session:
        return await webhooks.emit(session, tenant.workspace_id, event, data)


async def deliveries(
    http: httpx.AsyncClient, tenant: Tenant, endpoint_id: str
) -> list[dict[str, Any]]:
    response = await http.get(f"{HOOKS}/{endpoint_id}/deliveries", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["deliveries"])


async def eventually(check: Callable[[], Any]) -> Any:
    for _ in range(400):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("condition never met")


async def test_registration_shows_the_secret_once_and_lists_and_deletes(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    tenant = await make_tenant(services)

    created = await register(http, tenant, receiver.url, ["generation.completed"])
    listed = (await http.get(HOOKS, headers=tenant.headers)).json()["webhooks"]
    deleted = await http.delete(f"{HOOKS}/{created['id']}", headers=tenant.headers)
    again = await http.delete(f"{HOOKS}/{created['id']}", headers=tenant.headers)

    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["generation.completed"]
    assert created["enabled"] is True
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert deleted.status_code == 204
    assert again.status_code == 404
    assert (await http.get(HOOKS, headers=tenant.headers)).json()["webhooks"] == []


async def test_registration_refuses_internal_urls_unknown_events_and_plain_members(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    tenant = await make_tenant(services, email="owner@example.com")
    member = await add_member(services, tenant, email="m@example.com", role=Role.MEMBER)

    for url in ("http://10.1.2.3/hook", "http://169.254.169.254/latest", "ftp://example.com/x"):
        refused = await http.post(HOOKS, json={"url": url}, headers=tenant.headers)
        assert refused.status_code == 400, url
        assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    unknown = await http.post(
        HOOKS, json={"url": receiver.url, "events": ["post.liked"]}, headers=tenant.headers
    )
    by_member = await http.post(HOOKS, json={"url": receiver.url}, headers=member.headers)

    assert unknown.status_code == 400
    assert by_member.status_code == 403
    assert (await http.get(HOOKS, headers=tenant.headers)).json()["webhooks"] == []


async def test_loopback_is_refused_without_the_test_setting(
    database_url: str, tmp_path: Path, clock: FrozenClock, receiver: WebhookReceiver
) -> None:
    settings = make_settings(database_url, tmp_path, http=HttpSettings(allow_loopback_urls=False))
    async with running(settings, clock) as (http, services):
        tenant = await make_tenant(services)
        refused = await http.post(HOOKS, json={"url": receiver.url}, headers=tenant.headers)

    assert refused.status_code == 400
    assert "private, loopback or metadata" in refused.json()["error"]["message"]


async def test_a_failing_receiver_gets_one_successful_signed_delivery_after_retries(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    tenant = await make_tenant(services)
    endpoint = await register(http, tenant, receiver.url)
    receiver.statuses = [500, 503, 200]

    started = await http.post(
        "/api/v1/content/generate",
        json={"prompt": "We just shipped dark mode", "platforms": ["x"]},
        headers=tenant.headers,
    )
    generation_id = started.json()["generation_id"]

    async def delivered() -> list[dict[str, Any]] | None:
        found = await deliveries(http, tenant, endpoint["id"])
        return found if found and found[0]["status"] == "delivered" else None

    [delivery] = await eventually(delivered)
    assert [r.answered for r in receiver.received] == [500, 503, 200]
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery["id"]}
    stamps = [int(r.headers["webhook-timestamp"]) for r in receiver.received]
    assert stamps == sorted(set(stamps))
    assert len({r.headers["webhook-signature"] for r in receiver.received}) == 3
    verifier = Webhook(endpoint["secret"])
    for request in receiver.received:
        payload = verifier.verify(request.body, request.headers)
        assert payload["type"] == "generation.completed"
        assert payload["data"]["generation_id"] == generation_id
        assert payload["data"]["credits_used"] == 5
        assert set(payload["data"]["outputs"]) == {"x"}
    last = receiver.received[-1]
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(last.body, last.headers)
    assert delivery["attemptCount"] == 3
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 503, 200]
    assert delivery["eventType"] == "generation.completed"
    assert delivery["deliveredAt"]


async def test_gone_disables_the_endpoint_and_later_events_skip_it(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    tenant = await make_tenant(services)
    endpoint = await register(http, tenant, receiver.url)
    receiver.statuses = [410]

    await emit(services, tenant, "post.published", {"post_id": "post_1"})

    async def disabled() -> bool:
        listed = (await http.get(HOOKS, headers=tenant.headers)).json()["webhooks"]
        return listed[0]["enabled"] is False

    await eventually(disabled)
    later = await emit(services, tenant, "post.published", {"post_id": "post_2"})
    [delivery] = await deliveries(http, tenant, endpoint["id"])

    assert later == []
    assert delivery["status"] == "failed"
    assert [a["statusCode"] for a in delivery["attempts"]] == [410]
    assert len(receiver.received) == 1


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/dead"


async def test_a_dead_endpoint_does_not_hold_up_the_others(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    tenant = await make_tenant(services)
    dead = await register(http, tenant, closed_port_url())
    alive = await register(http, tenant, receiver.url, ["post.failed"])
    filtered = await register(http, tenant, receiver.url, ["bulk_job.completed"])

    for index in range(3):
        await emit(services, tenant, "post.failed", {"post_id": f"post_{index}"})

    async def all_delivered() -> bool:
        found = await deliveries(http, tenant, alive["id"])
        return len(found) == 3 and all(d["status"] == "delivered" for d in found)

    await eventually(all_delivered)
    dead_ones = await deliveries(http, tenant, dead["id"])
    assert len(dead_ones) == 3
    assert {d["status"] for d in dead_ones} == {"pending"}
    assert all(d["attempts"][0]["error"] for d in dead_ones if d["attempts"])
    assert await deliveries(http, tenant, filtered["id"]) == []


async def test_bulk_jobs_report_completion_and_cancellation(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    tenant = await make_tenant(services)
    await register(http, tenant, receiver.url, ["bulk_job.completed", "bulk_job.cancelled"])
    start = datetime(2027, 4, 28, 9, tzinfo=UTC)
    body = {
        "accountId": "acc_demo",
        "platform": "linkedin",
        "totalPosts": 2,
        "scheduledDates": [(start + timedelta(days=i)).isoformat() for i in range(2)],
    }

    job_id = (await http.post("/v1/bulk-generate", json=body, headers=tenant.headers)).json()[
        "jobId"
    ]

    async def got(event: str) -> dict[str, Any] | None:
        for request in receiver.received:
            payload = json.loads(request.body)
            if payload["type"] == event:
                return dict(payload)
        return None

    completed = await eventually(lambda: got("bulk_job.completed"))
    assert completed["data"]["job_id"] == job_id
    assert completed["data"]["completed_posts"] == 2


async def test_cancelling_a_bulk_job_emits_bulk_job_cancelled(
    database_url: str, tmp_path: Path, clock: FrozenClock, receiver: WebhookReceiver
) -> None:
    # The engine only enqueues here (no worker), so the job is still queued when cancelled.
    settings = make_settings(
        database_url, tmp_path, jobs=JobSettings(mode="enqueue", polling_interval_seconds=0.05)
    )
    async with running(settings, clock) as (http, services):
        tenant = await make_tenant(services)
        endpoint = await register(http, tenant, receiver.url)
        body = {
            "accountId": "acc_demo",
            "platform": "linkedin",
            "totalPosts": 1,
            "scheduledDates": ["2027-04-28T09:00:00Z"],
        }
        job_id = (await http.post("/v1/bulk-generate", json=body, headers=tenant.headers)).json()[
            "jobId"
        ]
        cancelled = await http.post(f"/v1/bulk-generate/{job_id}/cancel", headers=tenant.headers)
        [delivery] = await deliveries(http, tenant, endpoint["id"])

    assert cancelled.status_code == 200
    assert delivery["eventType"] == "bulk_job.cancelled"
    assert delivery["status"] == "pending"


async def test_another_workspace_cannot_see_or_delete_an_endpoint(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    owner = await make_tenant(services, email="o@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    endpoint = await register(http, owner, receiver.url)

    peek = await http.get(f"{HOOKS}/{endpoint['id']}/deliveries", headers=stranger.headers)
    delete = await http.delete(f"{HOOKS}/{endpoint['id']}", headers=stranger.headers)
    delivered_to = await emit(services, stranger, "post.published", {"post_id": "p"})

    assert peek.status_code == 404
    assert delete.status_code == 404
    assert (await http.get(HOOKS, headers=stranger.headers)).json()["webhooks"] == []
    assert delivered_to == []
    assert len((await http.get(HOOKS, headers=owner.headers)).json()["webhooks"]) == 1


async def test_an_endpoint_now_pointing_inside_the_network_is_not_called(
    engine: tuple[httpx.AsyncClient, Services], receiver: WebhookReceiver
) -> None:
    http, services = engine
    tenant = await make_tenant(services)
    endpoint = await register(http, tenant, receiver.url)
    async with services.db.transaction() as session:
        # As if its DNS name had been re-pointed at a metadata address after registration.
        stored = await session.get(WebhookEndpoint, endpoint["id"])
        assert stored is not None
        stored.url = "http://169.254.169.254/latest/meta-data"

    await emit(services, tenant, "post.published", {"post_id": "p"})

    async def attempted() -> list[dict[str, Any]] | None:
        found = await deliveries(http, tenant, endpoint["id"])
        return found if found and found[0]["attempts"] else None

    [delivery] = await eventually(attempted)
    assert delivery["status"] == "pending"
    assert "private, loopback or metadata" in delivery["attempts"][0]["error"]
    assert delivery["attempts"][0]["statusCode"] is None
    assert receiver.received == []
