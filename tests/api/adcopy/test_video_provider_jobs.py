"""Video jobs rendered by an avatar provider (a fake HeyGen on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import imageio_ffmpeg  # type: ignore[import-untyped]
import pytest
from PIL import Image

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.adcopy.video import portrait_box
from tests.api.adcopy.helpers import available, grant, ledger, poll, project_with_product
from tests.api.adcopy.test_jobs import JobClient, job_settings, read_asset
from tests.engine import running
from tests.factories import Tenant, make_tenant
from tests.fakes.heygen import AVATAR_COLOUR, VIDEO_BYTES, FakeHeyGen


@pytest.fixture(scope="module")
def heygen_server() -> Iterator[FakeHeyGen]:
    with FakeHeyGen().running() as fake:
        yield fake


@pytest.fixture
def heygen(heygen_server: FakeHeyGen) -> FakeHeyGen:
    heygen_server.reset()
    return heygen_server


@pytest.fixture
async def provider_client(
    database_url: str, tmp_path: Path, clock: FrozenClock, heygen: FakeHeyGen
) -> AsyncIterator[JobClient]:
    settings = job_settings(
        database_url,
        tmp_path,
        video_provider="heygen",
        video_provider_base_url=heygen.base_url,
        video_provider_api_key=heygen.api_key,
    )
    async with running(settings, clock) as pair:
        yield pair


async def submit_video(http: httpx.AsyncClient, tenant: Tenant, services: Services) -> str:
    await grant(services, tenant, 100)
    project_id, product_id = await project_with_product(http, tenant)
    response = await http.post(
        "/api/generate/video",
        json={
            "projectId": project_id,
            "productId": product_id,
            "script": "Hey! You need to check out this amazing product...",
            "avatarUrl": "https://example.com/avatar.jpg",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["creditsUsed"] == 40
    return str(response.json()["jobId"])


async def test_provider_video_is_polled_until_ready_and_stored(
    provider_client: JobClient, heygen: FakeHeyGen
) -> None:
    http, services = provider_client
    tenant = await make_tenant(services)
    heygen.polls_before_done = 2

    job = await poll(http, tenant, await submit_video(http, tenant, services))

    assert job["status"] == "completed"
    [asset] = job["assets"]
    assert asset["type"] == "video"
    assert await read_asset(services, asset["url"]) == VIDEO_BYTES
    [sent] = heygen.posts
    assert sent["video_inputs"][0]["voice"]["voice_id"] == "male-1"
    assert sent["dimension"] == {"width": 720, "height": 1280}


async def test_a_video_the_provider_fails_is_refunded(
    provider_client: JobClient, heygen: FakeHeyGen
) -> None:
    http, services = provider_client
    tenant = await make_tenant(services)
    heygen.fail_videos = True
    job_id = await submit_video(http, tenant, services)
    charged = await available(services, tenant)

    job = await poll(http, tenant, job_id)

    assert job["status"] == "failed"
    assert job["error"] == "avatar could not be animated"
    assert job["assets"] == []
    assert await available(services, tenant) == charged + 40
    assert await ledger(services, tenant, job_id) == [("consume", -40), ("refund", 40)]


@pytest.fixture
async def builtin_client(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[JobClient]:
    async with running(job_settings(database_url, tmp_path), clock) as pair:
        yield pair


async def frame_at(video: bytes, seconds: float) -> Image.Image:
    process = await asyncio.create_subprocess_exec(
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-loglevel",
        "error",
        "-i",
        "pipe:0",
        "-ss",
        str(seconds),
        "-frames:v",
        "1",
        "-f",
        "image2pipe",
        "-c:v",
        "png",
        "pipe:1",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    png, _ = await process.communicate(video)
    return Image.open(io.BytesIO(png)).convert("RGB")


async def test_builtin_video_shows_the_avatar(
    builtin_client: JobClient, heygen: FakeHeyGen
) -> None:
    http, services = builtin_client
    tenant = await make_tenant(services)
    await grant(services, tenant, 100)
    project_id, product_id = await project_with_product(http, tenant)
    response = await http.post(
        "/api/generate/video",
        json={
            "projectId": project_id,
            "productId": product_id,
            "script": "Meet the quietest fan you will ever own.",
            "avatarUrl": f"{heygen.base_url}/avatars/green.png",
            "aspectRatio": "1:1",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text

    job = await poll(http, tenant, response.json()["jobId"])

    assert job["status"] == "completed"
    frame = await frame_at(await read_asset(services, job["assets"][0]["url"]), 0.5)
    left, top, diameter = portrait_box("1:1")
    centre = frame.getpixel((left + diameter // 2, top + diameter // 2))
    assert isinstance(centre, tuple)
    assert all(abs(a - b) <= 12 for a, b in zip(centre, AVATAR_COLOUR, strict=True))


async def test_avatar_urls_inside_our_network_are_refused(builtin_client: JobClient) -> None:
    http, services = builtin_client
    tenant = await make_tenant(services)
    await grant(services, tenant, 100)
    project_id, product_id = await project_with_product(http, tenant)
    before = await available(services, tenant)

    for url in (
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/a.png",
        "ftp://x.org/a",
    ):
        response = await http.post(
            "/api/generate/video",
            json={
                "projectId": project_id,
                "productId": product_id,
                "script": "Meet the quietest fan you will ever own.",
                "avatarUrl": url,
            },
            headers=tenant.headers,
        )
        assert response.status_code == 400, url
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await available(services, tenant) == before


async def test_a_missing_avatar_fails_the_video_and_refunds_it(
    builtin_client: JobClient, heygen: FakeHeyGen
) -> None:
    http, services = builtin_client
    tenant = await make_tenant(services)
    await grant(services, tenant, 100)
    project_id, product_id = await project_with_product(http, tenant)
    before = await available(services, tenant)
    response = await http.post(
        "/api/generate/video",
        json={
            "projectId": project_id,
            "productId": product_id,
            "script": "Meet the quietest fan you will ever own.",
            "avatarUrl": f"{heygen.base_url}/avatars/missing.png",
        },
        headers=tenant.headers,
    )

    job = await poll(http, tenant, response.json()["jobId"])

    assert job["status"] == "failed"
    assert job["error"] == "The avatar URL answered 404"
    assert await available(services, tenant) == before


async def test_a_provider_refusing_the_key_fails_the_video_and_refunds_it(
    provider_client: JobClient, heygen: FakeHeyGen
) -> None:
    http, services = provider_client
    tenant = await make_tenant(services)
    heygen.revoke(heygen.api_key)
    job_id = await submit_video(http, tenant, services)
    charged = await available(services, tenant)

    job = await poll(http, tenant, job_id)

    assert job["status"] == "failed"
    assert job["error"].startswith("provider answered 401")
    assert await available(services, tenant) == charged + 40
