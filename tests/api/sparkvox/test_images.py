"""sparkvox post images: generation as a durable job, and presigned uploads checked by bytes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from postwright.core.clock import FrozenClock
from postwright.core.db import discard_after_commit
from postwright.core.services import Services
from postwright.core.settings import HttpSettings, JobSettings, MediaSettings, Settings
from postwright.domain.billing.context import SystemActor
from postwright.domain.context import Ctx
from postwright.domain.media import generate
from postwright.domain.media.assets import FAILED, GENERATING
from postwright.domain.webhooks.models import WebhookDelivery
from tests.conftest import make_settings
from tests.domain.billing.helpers import assert_invariants, funded_tenant, ledger_state
from tests.domain.media.helpers import image_size, load_post, local_path, make_post
from tests.engine import running
from tests.factories import Tenant, make_tenant
from tests.fakes.images import FakeReplicate, png

PROJECT = "proj_demo"


@pytest.fixture(scope="module")
def fake_replicate() -> Iterator[FakeReplicate]:
    with FakeReplicate().running() as server:
        yield server


async def _client(
    settings: Settings, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    async with running(settings, clock) as pair:
        yield pair


@pytest.fixture
async def job_client(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05),
        http=HttpSettings(allow_loopback_urls=True),
    )
    async for pair in _client(settings, clock):
        yield pair


@pytest.fixture
async def failing_client(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_replicate: FakeReplicate
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    fake_replicate.reset()
    fake_replicate.fail_run = True
    media = MediaSettings(
        image_provider="replicate",
        replicate_api_token=SecretStr("r8_test"),
        replicate_base_url=f"{fake_replicate.base_url}/v1",
        provider_poll_interval_seconds=0.01,
    )
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05),
        media=media,
        http=HttpSettings(allow_loopback_urls=True),
    )
    async for pair in _client(settings, clock):
        yield pair


def _post_path(post_id: str, project: str = PROJECT) -> str:
    return f"/api/v1/projects/{project}/posts/{post_id}"


async def _subscribe(http: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await http.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hooks", "events": ["image.completed", "image.failed"]},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text


async def _announced(services: Services, workspace_id: str) -> list[tuple[str, dict[str, Any]]]:
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.workspace_id == workspace_id)
        )
        return [(row.event_type, json.loads(row.body)["data"]) for row in rows]


async def _settled_image_url(services: Services, post_id: str) -> str | None:
    for _ in range(600):
        post = await load_post(services, post_id)
        if post.image_url != GENERATING:
            return post.image_url
        await asyncio.sleep(0.05)
    raise AssertionError("the image job did not finish")


async def test_generate_image_is_accepted_then_the_post_gets_its_image(
    job_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = job_client
    tenant = await funded_tenant(services, 20)
    await _subscribe(http, tenant)
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    response = await http.post(f"{_post_path(post_id)}/generate-image", headers=tenant.headers)
    assert response.status_code == 202
    assert response.json() == {"accepted": True}

    image_url = await _settled_image_url(services, post_id)
    assert image_url is not None
    assert image_url.startswith("http")
    post = await load_post(services, post_id)
    assert post.image_key is not None
    assert post.image_key.startswith(f"{tenant.workspace_id}/images/")
    download = await http.get(
        "/api/v1/download-image", params={"key": post.image_key}, headers=tenant.headers
    )
    assert download.status_code == 200
    assert image_size(download.content) == (1080, 1080)
    [(event, data)] = await _announced(services, tenant.workspace_id)
    assert (event, data["post_id"], data["keys"]) == ("image.completed", post_id, [post.image_key])
    state = await ledger_state(services, tenant.workspace_id)
    assert state["balance"] == 15
    assert state["reserved"] == 0
    assert_invariants(state)


async def test_a_failed_generation_reads_error_and_costs_nothing(
    failing_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = failing_client
    tenant = await funded_tenant(services, 20)
    await _subscribe(http, tenant)
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    response = await http.post(
        f"{_post_path(post_id)}/generate-image",
        json={"post_content": "Our launch, illustrated"},
        headers=tenant.headers,
    )
    assert response.status_code == 202
    assert await _settled_image_url(services, post_id) == FAILED
    [(event, data)] = await _announced(services, tenant.workspace_id)
    assert (event, data["post_id"]) == ("image.failed", post_id)
    assert data["error"]
    state = await ledger_state(services, tenant.workspace_id)
    assert state["balance"] == 20
    assert state["reserved"] == 0
    assert_invariants(state)


async def test_the_post_reads_generating_while_the_job_is_accepted(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await funded_tenant(services, 20)
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    async with services.db.sessionmaker() as session:
        acting = SystemActor(tenant.workspace_id, services.clock.now(), tenant.user_id)
        job = await generate.start_post_image(
            Ctx(session, acting, services),
            project_id=PROJECT,
            post_id=post_id,
            post_content=None,
        )
        again = await generate.start_post_image(
            Ctx(session, acting, services),
            project_id=PROJECT,
            post_id=post_id,
            post_content=None,
        )
        assert again.id == job.id
        assert job.credits_reserved == 5
        # Not committed and not started: this test only looks at the accepted state.
        discard_after_commit(session)
        post = await session.get(generate.Post, post_id)
        assert post is not None
        assert post.image_url == GENERATING
        await session.rollback()


async def test_generate_image_needs_credits(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await funded_tenant(services, 4)
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    response = await client.post(f"{_post_path(post_id)}/generate-image", headers=tenant.headers)
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "INSUFFICIENT_CREDITS"
    assert (await load_post(services, post_id)).image_url is None


async def test_posts_outside_the_project_or_workspace_are_404(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    loose = await make_post(services, workspace_id=tenant.workspace_id, user_id=tenant.user_id)
    upload = {"filename": "hero.png"}
    for headers, path in (
        (stranger.headers, _post_path(post_id)),
        (tenant.headers, _post_path(post_id, "proj_other")),
        (tenant.headers, _post_path(loose)),
    ):
        assert (await client.post(f"{path}/generate-image", headers=headers)).status_code == 404
        response = await client.post(f"{path}/upload-url", json=upload, headers=headers)
        assert response.status_code == 404


async def _upload_target(
    client: httpx.AsyncClient, tenant: Tenant, post_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"{_post_path(post_id)}/upload-url",
        json={"filename": "hero.png", **body},
        headers=tenant.headers,
    )


async def test_upload_url_accepts_the_promised_image(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    response = await _upload_target(
        client, tenant, post_id, mime_type="image/png", file_size_bytes=2048
    )
    assert response.status_code == 200, response.text
    target = response.json()
    assert set(target) == {"upload_url", "storage_path", "content_type", "public_url"}
    assert target["content_type"] == "image/png"
    assert target["storage_path"].startswith(f"{tenant.workspace_id}/post-images/")
    data = png()
    put = await client.put(
        local_path(target["upload_url"]), content=data, headers={"Content-Type": "image/png"}
    )
    assert put.status_code == 200, put.text
    download = await client.get(
        "/api/v1/download-image", params={"key": target["storage_path"]}, headers=tenant.headers
    )
    assert download.status_code == 200
    assert download.content == data


async def test_uploads_are_judged_by_their_bytes(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    target = (await _upload_target(client, tenant, post_id)).json()
    assert target["content_type"] == "image/png"  # from the file name
    path = local_path(target["upload_url"])
    lying = await client.put(path, content=b"<svg></svg>", headers={"Content-Type": "image/png"})
    assert lying.status_code == 400
    wrong_type = await client.put(path, content=png(), headers={"Content-Type": "image/gif"})
    assert wrong_type.status_code == 400
    tampered = await client.put(
        path.replace("max_bytes=", "max_bytes=9"),
        content=png(),
        headers={"Content-Type": "image/png"},
    )
    assert tampered.status_code == 403
    missing = await client.get(
        "/api/v1/download-image", params={"key": target["storage_path"]}, headers=tenant.headers
    )
    assert missing.status_code == 404


async def test_upload_url_refuses_other_types_and_big_files(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    post_id = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
    )
    pdf = await _upload_target(client, tenant, post_id, filename="deck.pdf")
    assert pdf.status_code == 400
    svg = await _upload_target(client, tenant, post_id, mime_type="image/svg+xml")
    assert svg.status_code == 400
    huge = await _upload_target(client, tenant, post_id, file_size_bytes=50 * 1024 * 1024 + 1)
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_job_accepted_before_a_crash_is_run_at_start_up(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    """Committed but never enqueued (the process died in between): the next start runs it."""
    idle = make_settings(database_url, tmp_path, jobs=JobSettings(enabled=False))
    services = Services.build(idle, clock=clock)
    try:
        tenant = await funded_tenant(services, 20)
        post_id = await make_post(
            services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=PROJECT
        )
        async with services.db.transaction() as session:
            acting = SystemActor(tenant.workspace_id, clock.now(), tenant.user_id)
            await generate.start_post_image(
                Ctx(session, acting, services),
                project_id=PROJECT,
                post_id=post_id,
                post_content=None,
            )
            discard_after_commit(session)
    finally:
        await services.close()

    running = make_settings(database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05))
    async for _, restarted in _client(running, clock):
        url = await _settled_image_url(restarted, post_id)
        assert url is not None
        assert url.startswith("http")
        state = await ledger_state(restarted, tenant.workspace_id)
        assert (state["balance"], state["reserved"]) == (15, 0)
