"""Project generation as a durable job: partial failures, orphan recovery, replayed steps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings, LlmSettings
from postwright.domain.billing.models import CreditLedgerEntry
from postwright.domain.content.models import Post
from postwright.domain.projects import workflow
from tests.api.sparkvox.conftest import TRANSCRIPT, available, wait_for_project
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant

MOMENTS = {
    "moments": [
        {"title": f"Moment {i}", "summary": f"Summary {i}.", "quote": "We moved to weekly releases"}
        for i in range(3)
    ]
}


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


async def test_a_failed_post_is_not_charged_and_the_rest_complete(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_llm: FakeOpenAI
) -> None:
    fake_llm.replies = [
        Reply(arguments=MOMENTS),
        Reply(arguments={"post": "Weekly releases changed us.", "first_comment": "Agree?"}),
        Reply(arguments={"post": "Feature flags matter.", "first_comment": "#DevOps Try it"}),
        # Nothing left: the third post's call answers 500.
    ]
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05, llm_concurrency=1),
        llm=LlmSettings(
            model="ollama:llama3.2", base_url=fake_llm.base_url, api_key="k", max_retries=0
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
            created = await http.post(
                "/api/v1/projects",
                json={"name": "Ep 1", "source_text": TRANSCRIPT, "max_moments": 5},
                headers=tenant.headers,
            )
            assert created.status_code == 202
            project = await wait_for_project(http, tenant, created.json()["project"]["id"])
            posts = (
                await http.get(f"/api/v1/projects/{project['id']}/posts", headers=tenant.headers)
            ).json()["posts"]

        assert project["status"] == "completed"
        assert sorted(m["status"] for m in project["moments"]) == [
            "completed",
            "completed",
            "failed",
        ]
        assert project["credits_used"] == 2
        assert await available(services, tenant) == before - 2
        comments = sorted(p["first_comment"] for p in posts)
        assert comments[0] == "#DevOps Try it"
        # The engine wrote no hashtags for this one: the post's own were appended.
        assert comments[1].startswith("Agree?\n\n#")


async def test_a_project_left_queued_is_recovered_when_a_job_engine_starts(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    without_jobs = create_app(make_settings(database_url, tmp_path), clock=clock)
    async with without_jobs.router.lifespan_context(without_jobs):
        services: Services = without_jobs.state.services
        tenant = await make_tenant(services)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=without_jobs), base_url="http://t"
        ) as http:
            created = await http.post(
                "/api/v1/projects",
                json={"name": "Later", "source_text": TRANSCRIPT, "max_moments": 2},
                headers=tenant.headers,
            )
            assert created.status_code == 202
            project_id = created.json()["project"]["id"]
            queued = await http.get(f"/api/v1/projects/{project_id}", headers=tenant.headers)
            assert queued.json()["project"]["status"] == "queued"

    settings = make_settings(
        database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05)
    )
    with_jobs = create_app(settings, clock=clock)
    async with with_jobs.router.lifespan_context(with_jobs):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=with_jobs), base_url="http://t"
        ) as http:
            project = await wait_for_project(http, tenant, project_id)
        assert project["status"] == "completed"

        # A step re-run after a crash (DBOS steps are at-least-once) changes nothing.
        services = with_jobs.state.services
        async with services.db.transaction() as session:
            entries = await session.scalar(select(func.count()).select_from(CreditLedgerEntry))
        assert await workflow._settle_moment(project_id, 0, None, error="replayed") == "discarded"
        assert await workflow._finish(project_id) == "completed"
        async with services.db.transaction() as session:
            assert (
                await session.scalar(select(func.count()).select_from(CreditLedgerEntry)) == entries
            )
            posts = await session.scalar(
                select(func.count()).select_from(Post).where(Post.project_id == project_id)
            )
        assert posts == len(project["moments"])
