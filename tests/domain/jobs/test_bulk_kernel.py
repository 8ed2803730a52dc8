"""Bulk generation on the job kernel: diversity by plan, per-item failure, 429 backoff, cancel
during the fan-out, and the progress stream — through the real job engine in this process."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbos import DBOS
from sqlalchemy import select

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings, LlmSettings, Settings
from postwright.domain.billing.context import SystemActor
from postwright.domain.content.models import Post
from postwright.domain.generation.planning import DIFFER_INSTRUCTION, hook_of, max_similarity
from postwright.domain.jobs import bulk
from postwright.domain.jobs.models import JobStatus
from tests.api.voxburst.test_bulk import (
    available,
    job_body,
    ledger_matches_balance,
    poll,
    poll_until,
)
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.engine import running
from tests.factories import make_tenant

VOCABULARY = [f"w{index}" for index in range(2000)]


def distinct_post(seed: int) -> str:
    words = random.Random(seed).sample(VOCABULARY, 40)
    return f"Opening line number {seed} stands alone. " + " ".join(words) + " #Distinct"


def plan_reply(count: int) -> Reply:
    angles = [
        {"hook": f"Hook {i}: a different door in.", "subtopic": f"slice {i}", "format": "story"}
        for i in range(count)
    ]
    return Reply(arguments={"angles": angles})


@pytest.fixture
def llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


def model_settings(database_url: str, tmp_path: Path, llm: FakeOpenAI, **jobs: Any) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05, **jobs),
        llm=LlmSettings(model="ollama:llama3.2", base_url=llm.base_url, api_key="k", max_retries=2),
    )


@pytest.fixture
async def builtin_client(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = make_settings(
        database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05)
    )
    async with running(settings, clock) as pair:
        yield pair


async def contents(services: Services, job_id: str) -> list[str]:
    async with services.db.transaction() as session:
        rows = await session.scalars(select(Post.content).where(Post.job_id == job_id))
        return list(rows)


def sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and ":" in line[:6]
        )
        if "data" in fields:
            events.append((fields.get("event", "message"), json.loads(fields["data"])))
    return events


async def test_builtin_50_post_job_is_diverse_and_streams_its_progress(
    builtin_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = builtin_client
    tenant = await make_tenant(services)
    job_id = (
        await http.post("/v1/bulk-generate", json=job_body(50), headers=tenant.headers)
    ).json()["jobId"]
    stream = await http.get(f"/v1/bulk-generate/{job_id}/events", headers=tenant.headers)
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    events = sse(stream.text)
    assert [name for name, _ in events][-1] == "end"
    assert all(name == "progress" for name, _ in events[:-1])
    currents = [job["progress"]["current"] for _, job in events]
    assert currents == sorted(currents)
    last = events[-1][1]
    assert last["status"] == "COMPLETED"
    assert last["completedPosts"] == 50
    assert (
        last
        == (await http.get(f"/v1/bulk-generate/{job_id}", headers=tenant.headers)).json()["job"]
    )

    posts = await contents(services, job_id)
    assert len(posts) == 50
    assert max_similarity(posts) <= 0.35
    assert len({hook_of(post) for post in posts}) == 50
    assert last["credits"]["consumed"] == 50


async def test_events_of_another_workspaces_job_is_not_found(
    builtin_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = builtin_client
    owner, stranger = await make_tenant(services), await make_tenant(services)
    job_id = (await http.post("/v1/bulk-generate", json=job_body(2), headers=owner.headers)).json()[
        "jobId"
    ]
    response = await http.get(f"/v1/bulk-generate/{job_id}/events", headers=stranger.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_model_job_plans_angles_and_rewrites_near_duplicates_for_free(
    database_url: str, tmp_path: Path, clock: FrozenClock, llm: FakeOpenAI
) -> None:
    copies = [distinct_post(seed) for seed in range(45)]
    # Five posts come back the same as others: the similarity pass must rewrite them.
    duplicated = [*copies, *copies[:5]]
    llm.replies = [
        plan_reply(50),
        *(Reply(arguments={"content": text}) for text in duplicated),
        *(Reply(arguments={"content": distinct_post(1000 + i)}) for i in range(20)),
    ]
    async with running(model_settings(database_url, tmp_path, llm), clock) as (http, services):
        tenant = await make_tenant(services)
        job_id = (
            await http.post("/v1/bulk-generate", json=job_body(50), headers=tenant.headers)
        ).json()["jobId"]
        job = await poll(http, tenant, job_id)
        posts = await contents(services, job_id)
        await ledger_matches_balance(services, tenant)

    assert job["status"] == "COMPLETED"
    assert job["completedPosts"] == 50
    assert job["credits"]["consumed"] == 50  # rewrites cost nothing
    assert max_similarity(posts) <= 0.35
    assert len({hook_of(post) for post in posts}) == 50
    bodies = [json.dumps(request["body"]) for request in llm.requests]
    assert "angles" in bodies[0]  # the plan came first
    rewrites = [body for body in bodies if DIFFER_INSTRUCTION[:40] in body]
    assert len(rewrites) == 5
    angled = [body for body in bodies[1:] if "Angle for this post: Hook: Hook " in body]
    assert len(angled) == 55


async def test_a_model_error_fails_and_refunds_that_item_only(
    database_url: str, tmp_path: Path, clock: FrozenClock, llm: FakeOpenAI
) -> None:
    llm.replies = [
        plan_reply(3),
        Reply(arguments={"content": distinct_post(1)}),
        Reply(status=400),  # not retryable: the item fails
        Reply(arguments={"content": distinct_post(2)}),
    ]
    settings = model_settings(database_url, tmp_path, llm, llm_concurrency=1)
    async with running(settings, clock) as (http, services):
        tenant = await make_tenant(services)
        before = await available(services, tenant)
        job_id = (
            await http.post("/v1/bulk-generate", json=job_body(3), headers=tenant.headers)
        ).json()["jobId"]
        job = await poll(http, tenant, job_id)
        assert await available(services, tenant) == before - 2
        await ledger_matches_balance(services, tenant)

    assert job["status"] == "COMPLETED"
    assert (job["completedPosts"], job["failedPosts"]) == (2, 1)
    assert job["credits"] == {"reserved": 3, "consumed": 2, "refunded": 1, "remaining": 0}


async def test_provider_429_backs_off_without_failing_the_job(
    database_url: str, tmp_path: Path, clock: FrozenClock, llm: FakeOpenAI
) -> None:
    limited = Reply(status=429, headers={"retry-after": "0"})
    llm.replies = [
        plan_reply(3),
        limited,
        Reply(arguments={"content": distinct_post(1)}),
        limited,
        limited,
        Reply(arguments={"content": distinct_post(2)}),
        Reply(arguments={"content": distinct_post(3)}),
    ]
    settings = model_settings(database_url, tmp_path, llm, llm_concurrency=1)
    async with running(settings, clock) as (http, services):
        tenant = await make_tenant(services)
        job_id = (
            await http.post("/v1/bulk-generate", json=job_body(3), headers=tenant.headers)
        ).json()["jobId"]
        job = await poll(http, tenant, job_id)

    assert job["status"] == "COMPLETED"
    assert (job["completedPosts"], job["failedPosts"]) == (3, 0)
    assert len(llm.requests) == 7  # the three 429s were retried, not given up on


async def test_cancel_during_fan_out_stops_new_calls_and_refunds_every_unstarted_item(
    database_url: str, tmp_path: Path, clock: FrozenClock, llm: FakeOpenAI
) -> None:
    held = threading.Event()
    llm.replies = [
        plan_reply(20),
        Reply(arguments={"content": distinct_post(0)}),
        # The second post's call is out (held) when the job is cancelled.
        Reply(arguments={"content": distinct_post(1)}, gate=held),
        *(Reply(arguments={"content": distinct_post(i)}) for i in range(2, 20)),
    ]
    # One model call at a time: while the held call is out, no child is between its check and
    # its call, so "no call starts after the cancel" has no race with a hand-off.
    settings = model_settings(database_url, tmp_path, llm, llm_concurrency=1)
    async with running(settings, clock) as (http, services):
        tenant = await make_tenant(services)
        before = await available(services, tenant)
        job_id = (
            await http.post("/v1/bulk-generate", json=job_body(20), headers=tenant.headers)
        ).json()["jobId"]
        for _ in range(3000):  # the plan, the first post, the held second post
            if len(llm.requests) >= 3:
                break
            await asyncio.sleep(0.01)
        cancelled = await http.post(f"/v1/bulk-generate/{job_id}/cancel", headers=tenant.headers)
        assert cancelled.status_code == 200
        calls_at_cancel = len(llm.requests)
        held.set()
        assert calls_at_cancel == 3

        async def unfinished() -> list[Any]:
            runs = await DBOS.list_workflows_async(workflow_id_prefix=f"bulk:{job_id}:")
            return [run for run in runs if run.status in ("PENDING", "ENQUEUED")]

        # Every child still queued at the cancel runs (and finds the job cancelled) or is
        # cancelled with its parent: wait until none is left, then count the model calls.
        for _ in range(400):
            if not await unfinished():
                break
            await poll_until(http, tenant, job_id, lambda job: True)
        else:
            raise AssertionError("children still running")
        job = (await http.get(f"/v1/bulk-generate/{job_id}", headers=tenant.headers)).json()["job"]
        after = await available(services, tenant)
        await ledger_matches_balance(services, tenant)

    # Only the calls already in flight at the cancel were made; none started after it.
    assert len(llm.requests) <= calls_at_cancel
    assert job["status"] == "CANCELLED"
    assert job["completedPosts"] < 20
    assert job["completedPosts"] + job["skippedPosts"] == 20
    credits = job["credits"]
    assert credits["consumed"] == job["completedPosts"]
    assert credits["refunded"] == 20 - job["completedPosts"]
    assert credits["remaining"] == 0
    assert after == before - job["completedPosts"]


async def test_pause_stops_new_calls_and_resume_writes_every_post_once(
    database_url: str, tmp_path: Path, clock: FrozenClock, llm: FakeOpenAI
) -> None:
    total, concurrency = 12, 2
    llm.replies = [
        plan_reply(total),
        *(Reply(arguments={"content": distinct_post(i)}, delay=0.3) for i in range(2 * total)),
    ]
    settings = model_settings(database_url, tmp_path, llm, llm_concurrency=concurrency)
    async with running(settings, clock) as (http, services):
        tenant = await make_tenant(services)
        before = await available(services, tenant)
        job_id = (
            await http.post("/v1/bulk-generate", json=job_body(total), headers=tenant.headers)
        ).json()["jobId"]
        await poll_until(http, tenant, job_id, lambda job: job["completedPosts"] >= 1)
        async with services.db.transaction() as session:
            paused = await bulk.pause(
                session, SystemActor(tenant.workspace_id, clock.now()), job_id
            )
        assert paused.status == JobStatus.PAUSED
        calls_at_pause = len(llm.requests)

        async def unfinished() -> list[Any]:
            runs = await DBOS.list_workflows_async(workflow_id_prefix=f"bulk:{job_id}:")
            return [run for run in runs if run.status in ("PENDING", "ENQUEUED")]

        for _ in range(400):
            if not await unfinished():
                break
            await poll_until(http, tenant, job_id, lambda job: True)
        else:
            raise AssertionError("children still running")
        held = (await http.get(f"/v1/bulk-generate/{job_id}", headers=tenant.headers)).json()
        # Only calls already on their way at the pause were made (at most one per slot).
        assert len(llm.requests) <= calls_at_pause + concurrency
        calls_while_paused = len(llm.requests)
        assert held["job"]["status"] == "PAUSED"
        assert held["job"]["completedPosts"] < total

        resumed = await http.post(f"/v1/bulk-generate/{job_id}/resume", headers=tenant.headers)
        assert resumed.status_code == 200
        await poll_until(http, tenant, job_id, lambda job: job["status"] in ("COMPLETED", "FAILED"))
        job = (await http.get(f"/v1/bulk-generate/{job_id}", headers=tenant.headers)).json()["job"]
        texts = await contents(services, job_id)
        after = await available(services, tenant)
        await ledger_matches_balance(services, tenant)

    assert calls_while_paused > 0
    assert job["status"] == "COMPLETED"
    assert job["completedPosts"] == total
    assert len(texts) == total
    assert job["credits"]["consumed"] == total
    assert after == before - total
