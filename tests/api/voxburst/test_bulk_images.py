"""voxburst bulk jobs with ``generateImages``: every post gets an image, 5 credits each."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings, MediaSettings
from postwright.domain.content.models import Post
from postwright.domain.media.models import MediaAsset
from tests.api.voxburst.test_bulk import available, job_body, poll
from tests.conftest import make_settings
from tests.domain.media.helpers import image_size
from tests.engine import running
from tests.factories import make_tenant
from tests.fakes.images import FakeReplicate


@pytest.fixture
async def job_client(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = make_settings(
        database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05, bulk_window=3)
    )
    async with running(settings, clock) as pair:
        yield pair


async def test_each_post_gets_an_image_for_five_credits_more(
    job_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    body = job_body(3, generateImages=True, creditsPerPost=6)
    submitted = await http.post("/v1/bulk-generate", json=body, headers=tenant.headers)
    assert submitted.status_code == 201, submitted.text
    job_id = submitted.json()["jobId"]
    job = await poll(http, tenant, job_id)

    assert job["status"] == "COMPLETED"
    assert job["credits"] == {"reserved": 18, "consumed": 18, "refunded": 0, "remaining": 0}
    assert await available(services, tenant) == before - 18
    async with services.db.read_sessionmaker() as session:
        posts = list(await session.scalars(select(Post).where(Post.job_id == job_id)))
        assets = list(await session.scalars(select(MediaAsset).where(MediaAsset.job_id == job_id)))
    assert len(posts) == 3
    assert all(post.image_key for post in posts)
    assert {asset.key for asset in assets} == {post.image_key for post in posts}
    for post in posts:
        assert post.image_key is not None
        download = await http.get(
            "/api/v1/download-image", params={"key": post.image_key}, headers=tenant.headers
        )
        assert download.status_code == 200
        assert image_size(download.content) == (1080, 1080)


async def test_without_generate_images_posts_have_no_image(
    job_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    submitted = await http.post("/v1/bulk-generate", json=job_body(2), headers=tenant.headers)
    job_id = submitted.json()["jobId"]
    job = await poll(http, tenant, job_id)
    assert job["credits"]["consumed"] == 2
    async with services.db.read_sessionmaker() as session:
        keys = list(await session.scalars(select(Post.image_key).where(Post.job_id == job_id)))
    assert keys == [None, None]


@pytest.fixture(scope="module")
def fake_replicate() -> Iterator[FakeReplicate]:
    with FakeReplicate().running() as server:
        yield server


async def test_a_failed_image_keeps_the_post_and_refunds_its_credits(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_replicate: FakeReplicate
) -> None:
    fake_replicate.reset()
    fake_replicate.fail_run = True
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05),
        media=MediaSettings(
            image_provider="replicate",
            replicate_api_token=SecretStr("r8_test"),
            replicate_base_url=f"{fake_replicate.base_url}/v1",
        ),
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            tenant = await make_tenant(services)
            body = job_body(2, generateImages=True, creditsPerPost=6)
            submitted = await http.post("/v1/bulk-generate", json=body, headers=tenant.headers)
            job = await poll(http, tenant, submitted.json()["jobId"])
    assert (job["status"], job["completedPosts"]) == ("COMPLETED", 2)
    assert job["credits"] == {"reserved": 12, "consumed": 2, "refunded": 10, "remaining": 0}
