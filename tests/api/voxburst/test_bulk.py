"""Bulk generation through the real job engine (DBOS) in this process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import BillingSettings, CreditCosts, JobSettings, LlmSettings
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.models import CreditLedgerEntry
from postwright.domain.content.models import Post
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.engine import running
from tests.factories import Tenant, make_tenant

FINISHED = {"COMPLETED", "CANCELLED", "FAILED", "PAUSED"}


def dates(count: int) -> list[str]:
    start = datetime(2027, 4, 28, 9, tzinfo=UTC)
    return [(start + timedelta(days=i)).isoformat().replace("+00:00", "Z") for i in range(count)]


def job_body(count: int, **extra: Any) -> dict[str, Any]:
    return {
        "accountId": "acc_demo",
        "platform": "linkedin",
        "totalPosts": count,
        "scheduledDates": dates(count),
        "topicHint": "product updates and sustainability",
        **extra,
    }


async def start_app(settings: Any, clock: FrozenClock) -> FastAPI:
    return create_app(settings, clock=clock)


@pytest.fixture
def job_settings(database_url: str, tmp_path: Path) -> Any:
    return make_settings(
        database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05, bulk_window=3)
    )


@pytest.fixture
async def job_client(
    job_settings: Any, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    async with running(job_settings, clock) as pair:
        yield pair


async def poll(
    http: httpx.AsyncClient, tenant: Tenant, job_id: str, until: set[str] = FINISHED
) -> dict[str, Any]:
    for _ in range(600):
        job = (await http.get(f"/v1/bulk-generate/{job_id}", headers=tenant.headers)).json()["job"]
        credits = job["credits"]
        assert (
            credits["reserved"] == credits["consumed"] + credits["refunded"] + credits["remaining"]
        )
        assert (
            job["progress"]["current"]
            == job["completedPosts"] + job["failedPosts"] + job["skippedPosts"]
        )
        if job["status"] in until:
            return dict(job)
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def poll_until(
    http: httpx.AsyncClient, tenant: Tenant, job_id: str, done: Callable[[dict[str, Any]], bool]
) -> None:
    for _ in range(600):
        job = (await http.get(f"/v1/bulk-generate/{job_id}", headers=tenant.headers)).json()["job"]
        if done(job):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never met")


async def available(services: Services, tenant: Tenant) -> int:
    async with services.db.transaction() as session:
        acting = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        return (await billing.credit_summary(session, acting)).available


async def ledger_matches_balance(services: Services, tenant: Tenant) -> None:
    async with services.db.transaction() as session:
        acting = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        summary = await billing.credit_summary(session, acting)
        total = await session.scalar(
            select(func.coalesce(func.sum(CreditLedgerEntry.amount), 0)).where(
                CreditLedgerEntry.workspace_id == tenant.workspace_id
            )
        )
    assert summary.balance == total
    assert summary.available >= 0


async def test_job_runs_to_completion_and_schedules_posts(
    job_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    before = await available(services, tenant)

    submitted = await http.post("/v1/bulk-generate", json=job_body(5), headers=tenant.headers)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["status"] == "QUEUED"
    assert submitted.json()["message"] == "Bulk generation job created successfully"
    job = await poll(http, tenant, submitted.json()["jobId"])

    assert job["status"] == "COMPLETED"
    assert (job["completedPosts"], job["failedPosts"], job["skippedPosts"]) == (5, 0, 0)
    assert job["credits"] == {"reserved": 5, "consumed": 5, "refunded": 0, "remaining": 0}
    assert job["progress"] == {"percentage": 100, "current": 5, "total": 5}
    assert [p["scheduledFor"] for p in job["posts"]] == [d.replace("Z", ".000Z") for d in dates(5)]
    assert {p["status"] for p in job["posts"]} == {"SCHEDULED"}
    assert job["startedAt"]
    assert job["completedAt"]
    assert await available(services, tenant) == before - 5
    async with services.db.transaction() as session:
        posts = list(await session.scalars(select(Post).where(Post.job_id == job["id"])))
    assert len(posts) == 5
    assert len({p.content for p in posts}) == 5
    assert all(len(p.content) <= 3000 for p in posts)
    listed = (await http.get("/v1/bulk-generate", headers=tenant.headers)).json()["jobs"]
    assert listed[0]["id"] == job["id"]
    assert listed[0]["credits"] == {"reserved": 5, "consumed": 5}
    await ledger_matches_balance(services, tenant)


async def test_submission_is_validated_and_charges_nothing_when_refused(
    job_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    before = await available(services, tenant)

    mismatch = await http.post(
        "/v1/bulk-generate",
        json={**job_body(3), "scheduledDates": dates(2)},
        headers=tenant.headers,
    )
    too_many = await http.post("/v1/bulk-generate", json=job_body(51), headers=tenant.headers)
    short = await http.post(
        "/v1/bulk-generate", json=job_body(50, creditsPerPost=6), headers=tenant.headers
    )
    unknown_persona = await http.post(
        "/v1/bulk-generate", json=job_body(1, personaId="persona_nope"), headers=tenant.headers
    )

    assert mismatch.status_code == 400
    assert mismatch.json()["error"]["details"][0]["field"] == "scheduledDates"
    assert too_many.status_code == 400
    assert short.status_code == 402
    error = short.json()["error"]
    assert error["code"] == "INSUFFICIENT_CREDITS"
    assert (error["required"], error["available"]) == (300, before)
    assert unknown_persona.status_code == 404
    assert await available(services, tenant) == before
    assert (await http.get("/v1/bulk-generate", headers=tenant.headers)).json()["jobs"] == []


async def test_another_workspace_cannot_see_or_touch_a_job(
    job_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = job_client
    owner = await make_tenant(services, email="o@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    job_id = (await http.post("/v1/bulk-generate", json=job_body(1), headers=owner.headers)).json()[
        "jobId"
    ]
    await poll(http, owner, job_id)

    for method, path in (("GET", ""), ("POST", "/cancel"), ("POST", "/resume")):
        response = await http.request(
            method, f"/v1/bulk-generate/{job_id}{path}", headers=stranger.headers
        )
        assert response.status_code == 404
    assert (await http.get("/v1/bulk-generate", headers=stranger.headers)).json()["jobs"] == []


@pytest.fixture
def slow_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


async def test_cancel_refunds_the_remainder(
    database_url: str, tmp_path: Path, clock: FrozenClock, slow_llm: FakeOpenAI
) -> None:
    slow_llm.replies = [
        Reply(arguments={"content": f"Post number {i} about tea. #Tea"}, delay=0.4)
        for i in range(40)
    ]
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05, bulk_window=1, llm_concurrency=1),
        llm=LlmSettings(
            model="ollama:llama3.2", base_url=slow_llm.base_url, api_key="k", max_retries=0
        ),
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        tenant = await make_tenant(services)
        before = await available(services, tenant)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            job_id = (
                await http.post("/v1/bulk-generate", json=job_body(10), headers=tenant.headers)
            ).json()["jobId"]
            await poll(http, tenant, job_id, until={"PROCESSING"})
            await poll_until(http, tenant, job_id, lambda job: job["completedPosts"] >= 1)
            cancelled = await http.post(
                f"/v1/bulk-generate/{job_id}/cancel", headers=tenant.headers
            )
            assert cancelled.json() == {
                "jobId": job_id,
                "status": "CANCELLED",
                "message": "Job cancelled and credits refunded.",
            }
            await asyncio.sleep(1.0)  # an item in flight finishes and must be discarded
            job = (await http.get(f"/v1/bulk-generate/{job_id}", headers=tenant.headers)).json()[
                "job"
            ]
            again = await http.post(f"/v1/bulk-generate/{job_id}/cancel", headers=tenant.headers)

        assert job["status"] == "CANCELLED"
        assert job["completedPosts"] + job["skippedPosts"] == 10
        assert 1 <= job["completedPosts"] < 10
        credits = job["credits"]
        assert credits["remaining"] == 0
        assert credits["consumed"] == job["completedPosts"]
        assert credits["consumed"] + credits["refunded"] == credits["reserved"] == 10
        assert await available(services, tenant) == before - job["completedPosts"]
        assert again.status_code == 409
        async with services.db.transaction() as session:
            stored = await session.scalar(
                select(func.count()).select_from(Post).where(Post.job_id == job_id)
            )
        assert stored == job["completedPosts"]
        await ledger_matches_balance(services, tenant)


async def test_pauses_when_credits_run_out_and_resumes_after_top_up(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    # Each post really costs 3; the client reserved 1 per post, so 2 more per post come from
    # the free balance while the job runs.
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05, bulk_window=2),
        billing=BillingSettings(costs=CreditCosts(bulk_item=3)),
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        tenant = await make_tenant(services)
        async with services.db.transaction() as session:
            acting = SystemActor(workspace_id=tenant.workspace_id, at=clock.now())
            left = (await billing.credit_summary(session, acting)).available
            # Leave 6 + 4 free after the reservation of 6: room for the extra of 2 posts.
            await billing.adjust_credits(session, acting, -(left - 10), reason="test")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            job_id = (
                await http.post("/v1/bulk-generate", json=job_body(6), headers=tenant.headers)
            ).json()["jobId"]
            paused = await poll(http, tenant, job_id)
            assert paused["status"] == "PAUSED"
            assert paused["completedPosts"] == 2

            still_short = await http.post(
                f"/v1/bulk-generate/{job_id}/resume", headers=tenant.headers
            )
            assert still_short.status_code == 402
            assert still_short.json()["error"]["required"] == 8

            async with services.db.transaction() as session:
                await billing.grant_credits(
                    session, SystemActor(tenant.workspace_id, clock.now()), 8, reason="top-up"
                )
            resumed = await http.post(f"/v1/bulk-generate/{job_id}/resume", headers=tenant.headers)
            assert resumed.json() == {
                "jobId": job_id,
                "status": "PROCESSING",
                "message": "Job resumed.",
            }
            done = await poll(http, tenant, job_id, until={"COMPLETED", "FAILED", "CANCELLED"})

        assert done["status"] == "COMPLETED"
        assert done["completedPosts"] == 6
        assert done["credits"] == {"reserved": 18, "consumed": 18, "refunded": 0, "remaining": 0}
        assert await available(services, tenant) == 0
        await ledger_matches_balance(services, tenant)
