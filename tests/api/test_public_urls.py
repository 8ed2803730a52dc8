"""Every URL handed to a client starts with the one public base URL and can be fetched by the
client that received it: a real ``serve --port`` process, both media backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from typer.testing import CliRunner

from postwright.api.app import create_app
from postwright.cli import main as cli
from postwright.core.clock import FrozenClock
from postwright.core.ids import new_id
from postwright.core.public_url import public_base_url, request_origin, serving_origin
from postwright.core.services import Services
from postwright.core.settings import MediaSettings, Settings, get_settings
from postwright.domain.projects.models import Project, ProjectStatus, SourceType
from tests.conftest import make_settings
from tests.domain.media.fake_s3 import FakeS3
from tests.domain.media.helpers import make_post
from tests.factories import Tenant, make_tenant
from tests.fakes.images import png
from tests.processes import app_env, served

APP_ORIGIN = "http://pw.test:8443"


# -- the base URL -------------------------------------------------------------------------------
def test_the_setting_wins_then_the_request_then_the_bound_address(tmp_path: Path) -> None:
    bound = make_settings("sqlite+aiosqlite://", tmp_path, host="0.0.0.0", port=9123)
    assert public_base_url(bound) == "http://127.0.0.1:9123"
    with serving_origin(request_origin("https", "Posts.Example.com:444")):
        assert public_base_url(bound) == "https://posts.example.com:444"
        configured = make_settings(
            "sqlite+aiosqlite://", tmp_path, public_base_url="https://cdn.example/pw/"
        )
        assert public_base_url(configured) == "https://cdn.example/pw"
    # A Host header that is not a host name is never echoed into links.
    assert request_origin("http", "evil.example/x?y") is None
    assert request_origin("http", "a b") is None
    assert request_origin("http", "[::1]:8000") == "http://[::1]:8000"


def test_serve_hands_its_address_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda *_, **kwargs: started.update(kwargs))
    monkeypatch.delenv("POSTWRIGHT_PUBLIC_BASE_URL", raising=False)
    # Registered for restore: serve writes both.
    monkeypatch.setenv("POSTWRIGHT_HOST", "127.0.0.1")
    monkeypatch.setenv("POSTWRIGHT_PORT", "8000")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["serve", "--port", "9123"])
        assert result.exit_code == 0, result.output
        assert started["port"] == 9123
        assert public_base_url(get_settings()) == "http://127.0.0.1:9123"
    finally:
        get_settings.cache_clear()


async def _tenant(database_url: str, data_dir: Path) -> Tenant:
    services = Services.build(make_settings(database_url, data_dir))
    try:
        return await make_tenant(services)
    finally:
        await services.close()


def test_a_served_process_hands_out_media_urls_on_its_own_port(
    database_url: str, tmp_path: Path
) -> None:
    tenant = asyncio.run(_tenant(database_url, tmp_path))
    with served(app_env(database_url, tmp_path)) as base_url, httpx.Client() as http:
        generated = http.post(
            f"{base_url}/api/v1/generate-image-replicate",
            json={"postContent": "Three lessons from our first year"},
            headers=tenant.headers,
        )
        assert generated.status_code == 200, generated.text
        image_url = generated.json()["imageUrl"]
        assert image_url.startswith(f"{base_url}/media/")
        fetched = http.get(image_url)
        assert fetched.status_code == 200
        original = http.get(
            f"{base_url}/api/v1/download-image",
            params={"key": generated.json()["imageKey"]},
            headers=tenant.headers,
        )
        assert fetched.content == original.content
        assert fetched.content.startswith(b"\x89PNG")


# -- every URL can be fetched ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def fake_s3() -> Iterator[FakeS3]:
    with FakeS3().running() as server:
        yield server


@pytest.fixture(params=["local", "s3"])
async def network(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """One client that reaches the app at ``APP_ORIGIN`` and anything else over the network,
    as a real client would (the fake bucket listens on 127.0.0.1)."""
    media = MediaSettings()
    if request.param == "s3":
        fake: FakeS3 = request.getfixturevalue("fake_s3")
        fake.reset()
        media = MediaSettings(
            backend="s3",
            s3_bucket="media",
            s3_endpoint_url=fake.base_url,
            s3_addressing_style="path",
            s3_access_key_id="AKIAFAKE",
            s3_secret_access_key=SecretStr("fake-secret"),
        )
    settings: Settings = make_settings(database_url, tmp_path, media=media)
    app: FastAPI = create_app(settings, clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            base_url=APP_ORIGIN,
            mounts={
                APP_ORIGIN: httpx.ASGITransport(app=app),
                "all://": httpx.AsyncHTTPTransport(),
            },
        ) as http,
    ):
        yield http, app.state.services


def urls_in(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, url) for every http(s) URL anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from urls_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from urls_in(item, f"{path}[{index}]")
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        yield path, value


async def _project(services: Services, tenant: Tenant) -> str:
    now = services.clock.now()
    async with services.db.transaction() as session:
        project = Project(
            id=new_id("proj"),
            workspace_id=tenant.workspace_id,
            user_id=tenant.user_id,
            name="Launch",
            source_type=SourceType.TRANSCRIPT,
            source_filename=None,
            source_text="Notes",
            persona_id=None,
            max_moments=1,
            status=ProjectStatus.COMPLETED,
            credits_per_post=0,
            created_at=now,
            updated_at=now,
        )
        session.add(project)
        return project.id


async def _put_upload(http: httpx.AsyncClient, target: dict[str, Any], url_field: str) -> None:
    put = await http.put(
        target[url_field], content=png(), headers={"Content-Type": target["content_type"]}
    )
    assert put.status_code == 200, put.text


async def test_every_url_a_media_endpoint_returns_can_be_fetched(
    network: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = network
    tenant = await make_tenant(services)
    headers = tenant.headers
    documents: dict[str, Any] = {}

    post_id = await make_post(services, workspace_id=tenant.workspace_id, user_id=tenant.user_id)
    generated = await http.post(
        "/api/v1/generate-image-replicate", json={"postId": post_id}, headers=headers
    )
    assert generated.status_code == 200, generated.text
    documents["zorbit generate-image"] = generated.json()
    refreshed = await http.post(
        "/api/v1/refresh-image-url",
        json={"imageKey": generated.json()["imageKey"]},
        headers=headers,
    )
    documents["zorbit refresh-image-url"] = refreshed.json()
    documents["zorbit post"] = (await http.get(f"/api/v1/post/{post_id}", headers=headers)).json()
    saved = await http.put(f"/api/v1/post/{post_id}", json={"isSaved": True}, headers=headers)
    assert saved.status_code == 200, saved.text
    documents["zorbit saved"] = (await http.get("/api/v1/saved", headers=headers)).json()
    # Same object, both signed: the signature's timestamp may differ by a second between calls.
    saved_image = documents["zorbit saved"]["posts"][0]["content"]["image"]
    post_image = documents["zorbit post"]["imageUrl"]
    assert saved_image.split("?")[0] == post_image.split("?")[0]
    assert "?" in saved_image

    project_id = await _project(services, tenant)
    project_post = await make_post(
        services, workspace_id=tenant.workspace_id, user_id=tenant.user_id, project_id=project_id
    )
    sparkvox_post = f"/api/v1/projects/{project_id}/posts/{project_post}"
    target = (
        await http.post(f"{sparkvox_post}/upload-url", json={"filename": "a.png"}, headers=headers)
    ).json()
    await _put_upload(http, target, "upload_url")
    documents["sparkvox upload-url"] = {"public_url": target["public_url"]}
    patched = await http.patch(
        sparkvox_post, json={"image_url": target["public_url"]}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    documents["sparkvox post"] = (await http.get(sparkvox_post, headers=headers)).json()

    media = (
        await http.post("/api/v1/content/media/upload", json={"filename": "b.png"}, headers=headers)
    ).json()
    await _put_upload(http, media, "upload_url")
    documents["powerpost media"] = (
        await http.get(f"/api/v1/content/media/{media['media_id']}", headers=headers)
    ).json()

    found = [
        (f"{name}{where}", url)
        for name, document in documents.items()
        for where, url in urls_in(document)
    ]
    assert len(found) >= 7, found
    for where, url in found:
        response = await http.get(url)  # no credentials: the URL alone must do
        assert response.status_code == 200, (where, url, response.text[:200])
        assert response.content.startswith(b"\x89PNG"), where
