"""Jobs past their deadline expire and are refunded exactly once (the injected clock decides)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.adcopy import lifecycle
from postwright.domain.adcopy.lifecycle import AD_JOBS
from postwright.domain.adcopy.models import AdJob
from postwright.domain.adcopy.workflow import expire_overdue
from postwright.domain.billing.context import SystemActor
from postwright.domain.jobs import kernel
from postwright.domain.jobs.status import JobState
from tests.api.adcopy.helpers import available, ledger, ledger_matches_balance, project_with_product
from tests.factories import make_tenant


def hand_services_to_kernel(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the job is submitted (the engine is off, so it waits in the queue): the kernel's
    steps find this process's services as a running engine would provide them."""
    monkeypatch.setattr(jobs, "_services", services)


async def completed(session: AsyncSession, job: AdJob, _: SystemActor, __: datetime) -> JobState:
    return JobState.COMPLETED


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
    client: httpx.AsyncClient,
    services: Services,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    before = await available(services, tenant)
    job_id = await submit_static_ad(client, tenant.headers, project_id, product_id)
    hand_services_to_kernel(services, monkeypatch)
    assert await kernel.begin(AD_JOBS, job_id)
    clock.advance(timedelta(hours=1))
    await expire_overdue(services)

    late = await kernel.finish(AD_JOBS, job_id, completed)
    failed = await kernel.finish(
        AD_JOBS, job_id, lifecycle.refunded(JobState.FAILED, "late failure")
    )

    assert (late, failed) == ("expired", "expired")
    assert await available(services, tenant) == before
    assert await ledger(services, tenant, job_id) == [("consume", -3), ("refund", 3)]


async def test_a_failed_job_is_refunded_once_however_often_it_fails(
    client: httpx.AsyncClient,
    services: Services,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    before = await available(services, tenant)
    job_id = await submit_static_ad(client, tenant.headers, project_id, product_id)
    hand_services_to_kernel(services, monkeypatch)

    for _ in range(2):
        await kernel.finish(
            AD_JOBS, job_id, lifecycle.refunded(JobState.FAILED, "renderer crashed")
        )
    clock.advance(timedelta(hours=1))
    await expire_overdue(services)

    status = (
        await client.get(f"/api/generate/status?jobId={job_id}", headers=tenant.headers)
    ).json()
    assert (status["status"], status["error"]) == ("failed", "renderer crashed")
    assert await available(services, tenant) == before
    assert await ledger(services, tenant, job_id) == [("consume", -3), ("refund", 3)]
