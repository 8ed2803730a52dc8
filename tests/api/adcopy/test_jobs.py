"""Static-ad and video jobs through the real job engine (DBOS) in this process."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import imageio_ffmpeg  # type: ignore[import-untyped]
import pytest
from PIL import Image

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import AdcopySettings, JobSettings, Settings
from postwright.domain.adcopy.assets import media_storage
from postwright.domain.adcopy.models import AdJob, AdJobStatus, AdJobType
from postwright.domain.billing import service as billing
from postwright.domain.media.storage import LocalStorage
from tests.api.adcopy.helpers import (
    acting,
    available,
    drain,
    grant,
    ledger,
    ledger_matches_balance,
    poll,
    project_with_product,
)
from tests.conftest import make_settings
from tests.engine import running
from tests.factories import Tenant, make_tenant

JobClient = tuple[httpx.AsyncClient, Services]


def job_settings(database_url: str, tmp_path: Path, **adcopy: Any) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05),
        adcopy=AdcopySettings(video_poll_interval_seconds=0.05, **adcopy),
    )


@pytest.fixture
async def job_client(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[JobClient]:
    async with running(job_settings(database_url, tmp_path), clock) as pair:
        yield pair


async def read_asset(services: Services, url: str) -> bytes:
    """Checks the URL is a valid signed link to our storage, then reads what it names."""
    storage = media_storage(services.settings, services.clock)
    assert isinstance(storage, LocalStorage)
    key = storage.key_from_url(url)
    assert key is not None
    query = parse_qs(urlsplit(url).query)
    assert storage.verify(key, query["expires"][0], query["signature"][0])
    data, _ = await storage.get(key)
    return data


def static_body(project_id: str, product_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "productId": product_id,
        "style": "lifestyle",
        "aspectRatio": "9:16",
        "prompt": "Summer vibes, bright background",
        **extra,
    }


async def submit(http: httpx.AsyncClient, tenant: Tenant, path: str, body: dict[str, Any]) -> Any:
    response = await http.post(f"/api/generate/{path}", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_static_ad_job_renders_a_signed_image_and_charges_three_credits(
    job_client: JobClient,
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(http, tenant)
    before = await available(services, tenant)

    submitted = await submit(http, tenant, "static-ad", static_body(project_id, product_id))
    job = await poll(http, tenant, submitted["jobId"])

    assert set(submitted) == {"jobId", "status", "creditsUsed", "creditsRemaining"}
    assert submitted["status"] == "queued"
    assert (submitted["creditsUsed"], submitted["creditsRemaining"]) == (3, before - 3)
    assert job["status"] == "completed"
    assert job["id"] == submitted["jobId"]
    assert job["type"] == "static_ad"
    assert job["createdAt"].endswith("Z")
    assert job["completedAt"].endswith("Z")
    [asset] = job["assets"]
    assert asset["type"] == "image"
    image = Image.open(io.BytesIO(await read_asset(services, asset["url"])))
    assert (image.format, image.size) == ("PNG", (1080, 1920))
    # The project's first brand colour paints the top of the (gradient) background.
    top = image.convert("RGB").getpixel((5, 40))
    assert isinstance(top, tuple)
    assert all(abs(a - b) <= 4 for a, b in zip(top, (10, 61, 98), strict=True))
    assert await available(services, tenant) == before - 3
    assert await ledger(services, tenant, submitted["jobId"]) == [("consume", -3)]


async def test_a_repeated_idempotency_key_returns_the_pending_job_for_free(
    client: httpx.AsyncClient, services: Services
) -> None:
    # The job engine is off here, so the first job stays queued (non-terminal).
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    body = static_body(project_id, product_id, idempotencyKey="static-abc123")
    first = await submit(client, tenant, "static-ad", body)

    again = await submit(client, tenant, "static-ad", body)
    other_endpoint = await submit(
        client,
        tenant,
        "video",
        {
            "projectId": project_id,
            "productId": product_id,
            "script": "Hello there, friends!",
            "idempotencyKey": "static-abc123",
        },
    )

    assert again["jobId"] == first["jobId"]
    assert (again["status"], again["creditsUsed"]) == ("reused", 0)
    assert again["creditsRemaining"] == first["creditsRemaining"]
    assert other_endpoint["jobId"] != first["jobId"]
    assert other_endpoint["creditsUsed"] == 40
    assert await ledger(services, tenant, first["jobId"]) == [("consume", -3)]


async def test_a_finished_job_gives_its_idempotency_key_up(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(http, tenant)
    body = static_body(project_id, product_id, idempotencyKey="static-abc123")
    first = await submit(http, tenant, "static-ad", body)
    assert (await poll(http, tenant, first["jobId"]))["status"] == "completed"

    again = await submit(http, tenant, "static-ad", body)

    assert again["jobId"] != first["jobId"]
    assert (again["status"], again["creditsUsed"]) == ("queued", 3)
    await poll(http, tenant, again["jobId"])
    assert await ledger(services, tenant, again["jobId"]) == [("consume", -3)]


async def test_refused_submissions_charge_nothing(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    project_id, product_id = await project_with_product(http, tenant)
    _, foreign = await project_with_product(http, stranger)
    before = await available(services, tenant)

    bad_ratio = await http.post(
        "/api/generate/static-ad",
        json=static_body(project_id, product_id, aspectRatio="3:2"),
        headers=tenant.headers,
    )
    short_prompt = await http.post(
        "/api/generate/static-ad",
        json=static_body(project_id, product_id, prompt="hey"),
        headers=tenant.headers,
    )
    short_script = await http.post(
        "/api/generate/video",
        json={"projectId": project_id, "productId": product_id, "script": "Too short"},
        headers=tenant.headers,
    )
    foreign_product = await http.post(
        "/api/generate/static-ad", json=static_body(project_id, foreign), headers=tenant.headers
    )
    await drain(services, tenant, leave=2)
    broke = await http.post(
        "/api/generate/static-ad", json=static_body(project_id, product_id), headers=tenant.headers
    )

    assert [r.status_code for r in (bad_ratio, short_prompt, short_script)] == [400, 400, 400]
    assert foreign_product.status_code == 404
    assert broke.status_code == 402
    assert broke.json()["error"]["code"] == "INSUFFICIENT_CREDITS"
    assert (broke.json()["error"]["required"], broke.json()["error"]["available"]) == (3, 2)
    assert await available(services, tenant) == 2
    assert before > 2


async def test_status_of_another_workspaces_job_is_not_found(job_client: JobClient) -> None:
    http, services = job_client
    owner = await make_tenant(services, email="o@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    project_id, product_id = await project_with_product(http, owner)
    job_id = (await submit(http, owner, "static-ad", static_body(project_id, product_id)))["jobId"]
    await poll(http, owner, job_id)

    foreign = await http.get(f"/api/generate/status?jobId={job_id}", headers=stranger.headers)
    not_uuid = await http.get("/api/generate/status?jobId=nope", headers=owner.headers)
    missing = await http.get("/api/generate/status", headers=owner.headers)

    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "NOT_FOUND"
    assert not_uuid.status_code == 400
    assert missing.status_code == 400


async def test_builtin_video_job_renders_a_captioned_mp4(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    await grant(services, tenant, 100)
    project_id, product_id = await project_with_product(http, tenant)
    before = await available(services, tenant)

    submitted = await submit(
        http,
        tenant,
        "video",
        {
            "projectId": project_id,
            "productId": product_id,
            "script": "Hey! You need to check out this amazing fan. Quiet, cool, and only $49.",
            "aspectRatio": "16:9",
            "voiceId": "female-2",
        },
    )
    job = await poll(http, tenant, submitted["jobId"])

    assert (submitted["status"], submitted["creditsUsed"]) == ("queued", 40)
    assert submitted["creditsRemaining"] == before - 40
    assert (job["type"], job["status"]) == ("video", "completed")
    [asset] = job["assets"]
    assert asset["type"] == "video"
    video = await read_asset(services, asset["url"])
    process = await asyncio.create_subprocess_exec(
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-i",
        "pipe:0",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate(video)
    probe = errors.decode()
    assert "Video: h264" in probe
    assert "1280x720" in probe
    await ledger_matches_balance(services, tenant)


async def test_the_scheduled_sweep_expires_a_stuck_job(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = job_settings(database_url, tmp_path, expiry_sweep_cron="* * * * * *")
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            tenant = await make_tenant(services)
            project_id, product_id = await project_with_product(http, tenant)
            before = await available(services, tenant)
            # A job whose worker died mid-render, long past its deadline.
            job_id = str(uuid.uuid4())
            now = clock.now()
            async with services.db.transaction() as session:
                session.add(
                    AdJob(
                        id=job_id,
                        workspace_id=tenant.workspace_id,
                        user_id=tenant.user_id,
                        project_id=project_id,
                        product_id=product_id,
                        type=AdJobType.STATIC_AD,
                        status=AdJobStatus.PROCESSING,
                        params={"aspectRatio": "1:1"},
                        credits_used=3,
                        deadline_at=now - timedelta(seconds=1),
                        created_at=now - timedelta(hours=1),
                        updated_at=now,
                    )
                )
                await session.flush()
                await billing.charge_credits(
                    session,
                    acting(services, tenant),
                    "static_ad",
                    amount=3,
                    related_id=job_id,
                    reference=f"{job_id}:charge",
                )

            job = await poll(http, tenant, job_id)

            assert job["status"] == "expired"
            assert await available(services, tenant) == before
            assert await ledger(services, tenant, job_id) == [("consume", -3), ("refund", 3)]


async def test_a_job_left_queued_runs_when_the_engine_next_starts(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    # First process: jobs accepted while no engine runs (a crash between commit and enqueue).
    idle = create_app(make_settings(database_url, tmp_path), clock=clock)
    async with idle.router.lifespan_context(idle):
        services: Services = idle.state.services
        transport = httpx.ASGITransport(app=idle)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            tenant = await make_tenant(services)
            project_id, product_id = await project_with_product(http, tenant)
            submitted = await submit(http, tenant, "static-ad", static_body(project_id, product_id))
            queued = await http.get(
                f"/api/generate/status?jobId={submitted['jobId']}", headers=tenant.headers
            )
            assert queued.json()["status"] == "queued"

    worker = create_app(job_settings(database_url, tmp_path), clock=clock)
    async with worker.router.lifespan_context(worker):
        transport = httpx.ASGITransport(app=worker)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            job = await poll(http, tenant, submitted["jobId"])

    assert job["status"] == "completed"
    assert len(job["assets"]) == 1


async def test_concurrent_requests_with_one_key_make_one_job_and_one_charge(
    job_client: JobClient,
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(http, tenant)
    before = await available(services, tenant)
    body = static_body(project_id, product_id, idempotencyKey="same-key")

    responses = await asyncio.gather(
        *(http.post("/api/generate/static-ad", json=body, headers=tenant.headers) for _ in range(4))
    )

    assert [r.status_code for r in responses] == [200] * 4
    bodies = [r.json() for r in responses]
    assert len({b["jobId"] for b in bodies}) == 1
    assert sorted(b["creditsUsed"] for b in bodies) == [0, 0, 0, 3]
    assert sorted(b["status"] for b in bodies) == ["queued", "reused", "reused", "reused"]
    await poll(http, tenant, bodies[0]["jobId"])
    assert await available(services, tenant) == before - 3
