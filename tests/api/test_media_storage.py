"""The storage backends through the app: S3 presigned uploads checked by their bytes, and
the local upload route's size limit."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import MediaSettings, Settings
from tests.conftest import make_settings
from tests.domain.media.fake_s3 import FakeS3
from tests.domain.media.helpers import local_path
from tests.engine import running
from tests.factories import make_tenant
from tests.fakes.images import png


@pytest.fixture(scope="module")
def fake_s3() -> Iterator[FakeS3]:
    with FakeS3().running() as server:
        yield server


async def _serve(
    settings: Settings, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    async with running(settings, clock) as pair:
        yield pair


@pytest.fixture
async def s3_client(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_s3: FakeS3
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    fake_s3.reset()
    media = MediaSettings(
        backend="s3",
        s3_bucket="media",
        s3_endpoint_url=fake_s3.base_url,
        s3_addressing_style="path",
        s3_access_key_id="AKIAFAKE",
        s3_secret_access_key=SecretStr("fake-secret"),
    )
    async for pair in _serve(make_settings(database_url, tmp_path, media=media), clock):
        yield pair


@pytest.fixture
async def small_uploads(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    media = MediaSettings(max_upload_bytes=1000)
    async for pair in _serve(make_settings(database_url, tmp_path, media=media), clock):
        yield pair


def _headers(api_key: str, workspace_id: str) -> dict[str, str]:
    return {"x-api-key": api_key, "X-Workspace-Id": workspace_id}


async def test_s3_uploads_are_checked_once_they_land(
    s3_client: tuple[httpx.AsyncClient, Services], fake_s3: FakeS3
) -> None:
    http, services = s3_client
    tenant = await make_tenant(services)
    headers = _headers(tenant.api_key, tenant.workspace_id)
    good = (
        await http.post("/api/v1/content/media/upload", json={"filename": "a.png"}, headers=headers)
    ).json()
    assert good["upload_url"].startswith(f"{fake_s3.base_url}/media/")
    assert "X-Amz-Signature=" in good["upload_url"]
    async with httpx.AsyncClient() as outside:
        sent = await outside.put(good["upload_url"], content=png(), headers=good["headers"])
    assert sent.status_code == 200

    ready = (await http.get(f"/api/v1/content/media/{good['media_id']}", headers=headers)).json()
    assert ready["status"] == "ready"
    assert ready["url"].startswith(f"{fake_s3.base_url}/media/")
    download = await http.get(
        "/api/v1/download-image", params={"key": good["storage_key"]}, headers=tenant.headers
    )
    assert download.content == png()

    bad = (
        await http.post("/api/v1/content/media/upload", json={"filename": "b.png"}, headers=headers)
    ).json()
    async with httpx.AsyncClient() as outside:
        await outside.put(bad["upload_url"], content=b"%PDF-1.7", headers=bad["headers"])
    rejected = (await http.get(f"/api/v1/content/media/{bad['media_id']}", headers=headers)).json()
    assert rejected["status"] == "rejected"
    assert ("media", bad["storage_key"]) not in fake_s3.objects
    # The app's own media routes serve only the local backend.
    assert (
        await http.get(f"/media/{good['storage_key']}?expires=1&signature=x")
    ).status_code == 404


async def test_checking_an_upload_holds_no_transaction_across_the_store(
    s3_client: tuple[httpx.AsyncClient, Services], fake_s3: FakeS3
) -> None:
    """Another writer commits while the app asks the store whether the upload landed: on
    SQLite a GET's read snapshot taken before that commit could not be upgraded to record
    the verdict ("database is locked"); the check must run with no transaction open."""
    http, services = s3_client
    if not services.db.is_sqlite:
        pytest.skip("SQLite snapshots only")
    tenant = await make_tenant(services)
    headers = _headers(tenant.api_key, tenant.workspace_id)
    target = (
        await http.post("/api/v1/content/media/upload", json={"filename": "a.png"}, headers=headers)
    ).json()
    async with httpx.AsyncClient() as outside:
        await outside.put(target["upload_url"], content=png(), headers=target["headers"])

    database = services.db.engine.url.database
    assert database is not None

    def another_writer_commits() -> None:
        with sqlite3.connect(database, timeout=10) as other:
            other.execute("UPDATE workspaces SET name = name || ' '")

    fake_s3.on_head = another_writer_commits
    response = await http.get(f"/api/v1/content/media/{target['media_id']}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


async def test_s3_generated_images_are_presigned(
    s3_client: tuple[httpx.AsyncClient, Services], fake_s3: FakeS3
) -> None:
    http, services = s3_client
    tenant = await make_tenant(services)
    response = await http.post(
        "/api/v1/generate-image-replicate", json={"postContent": "Hello"}, headers=tenant.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert ("media", body["imageKey"]) in fake_s3.objects
    async with httpx.AsyncClient() as outside:
        fetched = await outside.get(body["imageUrl"])
    assert fetched.content.startswith(b"\x89PNG")


async def test_local_uploads_over_the_signed_size_are_413(
    small_uploads: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = small_uploads
    tenant = await make_tenant(services)
    headers = _headers(tenant.api_key, tenant.workspace_id)
    target = (
        await http.post("/api/v1/content/media/upload", json={"filename": "a.png"}, headers=headers)
    ).json()
    big = png(400, 400, "white") + b"\x00" * 2000
    response = await http.put(
        local_path(target["upload_url"]), content=big, headers=target["headers"]
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    too_big = await http.post(
        "/api/v1/content/media/upload",
        json={"filename": "a.png", "file_size_bytes": 1001},
        headers=headers,
    )
    assert too_big.status_code == 413
