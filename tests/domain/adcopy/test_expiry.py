"""Jobs past their deadline expire and are refunded exactly once (the injected clock decides)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.adcopy import lifecycle
from postwright.domain.adcopy.workflow import expire_overdue
from tests.api.adcopy.helpers import available, ledger, ledger_matches_balance, project_with_product
from tests.factories import make_tenant


async def submit_static_ad(
    client: httpx.AsyncClient, headers: dict[str, str], project_id: str, product_id: str
) -> str:
    response = await client.post(
        "/api/generate/static-ad",
        json={"projectId": project_id, "productId": product_id, "idempotencyKey": "k1"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["jobId"])


async def test_overdue_jobs_expire_and_are_refunded_once(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    # The job engine is off here, so the job waits in the queue past its deadline.
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    before = await available(services, tenant)
    job_id = await submit_static_ad(client, tenant.headers, project_id, product_id)

    clock.advance(timedelta(seconds=services.settings.adcopy.static_ad_deadline_seconds - 1))
    assert await expire_overdue(services) == []
    clock.advance(timedelta(seconds=2))
    assert await expire_overdue(services) == [job_id]
    assert await expire_overdue(services) == []

    status = (
        await client.get(f"/api/generate/status?jobId={job_id}", headers=tenant.headers)
    ).json()
    assert status["status"] == "expired"
    assert status["assets"] == []
    assert status["completedAt"] is not None
    assert await available(services, tenant) == before
    assert await ledger(services, tenant, job_id) == [("consume", -3), ("refund", 3)]
    await ledger_matches_balance(services, tenant)


async def test_an_expired_job_gives_its_idempotency_key_up(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    first = await submit_static_ad(client, tenant.headers, project_id, product_id)
    clock.advance(timedelta(hours=1))
    await expire_overdue(services)

    second = await submit_static_ad(client, tenant.headers, project_id, product_id)

    assert second != first


async def test_a_render_finishing_after_expiry_changes_nothing(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    before = await available(services, tenant)
    job_id = await submit_static_ad(client, tenant.headers, project_id, product_id)
    async with services.db.transaction() as session:
        assert await lifecycle.claim(session, job_id, clock.now()) is not None
    clock.advance(timedelta(hours=1))
    await expire_overdue(services)

    async with services.db.transaction() as session:
        late = await lifecycle.complete(session, job_id, clock.now(), [])
        failed = await lifecycle.fail(session, job_id, clock.now(), "late failure")

    assert (late, failed) == (False, False)
    assert await available(services, tenant) == before
    assert await ledger(services, tenant, job_id) == [("consume", -3), ("refund", 3)]


async def test_a_failed_job_is_refunded_once_however_often_it_fails(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    before = await available(services, tenant)
    job_id = await submit_static_ad(client, tenant.headers, project_id, product_id)

    for _ in range(2):
        async with services.db.transaction() as session:
            await lifecycle.fail(session, job_id, clock.now(), "renderer crashed")
    clock.advance(timedelta(hours=1))
    await expire_overdue(services)

    status = (
        await client.get(f"/api/generate/status?jobId={job_id}", headers=tenant.headers)
    ).json()
    assert (status["status"], status["error"]) == ("failed", "renderer crashed")
    assert await available(services, tenant) == before
    assert await ledger(services, tenant, job_id) == [("consume", -3), ("refund", 3)]
