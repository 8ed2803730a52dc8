"""powerpost Upload Media and Generate Images."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings
from tests.conftest import make_settings
from tests.domain.billing.helpers import assert_invariants, funded_tenant, ledger_state
from tests.domain.media.helpers import image_size, local_path
from tests.engine import running
from tests.factories import Tenant, make_tenant
from tests.fakes.images import png


def powerpost_headers(tenant: Tenant) -> dict[str, str]:
    return {"x-api-key": tenant.api_key, "X-Workspace-Id": tenant.workspace_id}


@pytest.fixture
async def job_client(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = make_settings(
        database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05)
    )
    async with running(settings, clock) as pair:
        yield pair


async def test_upload_media_then_read_it_back(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    headers = powerpost_headers(tenant)
    created = await client.post(
        "/api/v1/content/media/upload",
        json={"filename": "launch.webp", "file_size_bytes": 1000},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    target = created.json()
    assert target["status"] == "pending"
    assert target["method"] == "PUT"
    assert target["content_type"] == "image/webp"
    assert target["max_bytes"] == 50 * 1024 * 1024
    pending = await client.get(f"/api/v1/content/media/{target['media_id']}", headers=headers)
    assert pending.json()["status"] == "pending"
    assert pending.json()["url"] is None

    data = png()
    wrong = await client.put(
        local_path(target["upload_url"]), content=data, headers=target["headers"]
    )
    assert wrong.status_code == 400  # a PNG sent as WebP
    webp = _webp()
    put = await client.put(
        local_path(target["upload_url"]), content=webp, headers=target["headers"]
    )
    assert put.status_code == 200

    ready = (
        await client.get(f"/api/v1/content/media/{target['media_id']}", headers=headers)
    ).json()
    assert ready["status"] == "ready"
    assert ready["size_bytes"] == len(webp)
    fetched = await client.get(local_path(ready["url"]))
    assert fetched.content == webp

    stranger = await make_tenant(services, name="Other")
    hidden = await client.get(
        f"/api/v1/content/media/{target['media_id']}", headers=powerpost_headers(stranger)
    )
    assert hidden.status_code == 404


def _webp() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, format="WEBP")
    return buffer.getvalue()


async def _finished(http: httpx.AsyncClient, tenant: Tenant, generation_id: str) -> dict[str, Any]:
    for _ in range(600):
        body: dict[str, Any] = (
            await http.get(
                f"/api/v1/content/images/{generation_id}", headers=powerpost_headers(tenant)
            )
        ).json()
        if body["status"] != "processing":
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("the generation did not finish")


async def test_generate_images_charges_five_credits_per_image(
    job_client: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = job_client
    tenant = await funded_tenant(services, 12)
    started = await http.post(
        "/api/v1/content/images/generate",
        json={
            "caption": "We just shipped dark mode 🌙",
            "count": 2,
            "aspect_ratio": "4:5",
            "style": "vibrant",
        },
        headers=powerpost_headers(tenant),
    )
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["status"] == "processing"
    assert body["credits_used"] == 10

    done = await _finished(http, tenant, body["generation_id"])
    assert done["status"] == "completed"
    assert done["credits_used"] == 10
    images = done["outputs"]["images"]
    assert len(images) == 2
    for image in images:
        fetched = await http.get(local_path(image["url"]))
        assert fetched.status_code == 200
        assert image_size(fetched.content) == (1080, 1350)
    state = await ledger_state(services, tenant.workspace_id)
    assert state["balance"] == 2
    assert_invariants(state)


async def test_generate_images_refuses_bad_requests(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await funded_tenant(services, 4)
    headers = powerpost_headers(tenant)
    url = "/api/v1/content/images/generate"
    assert (await client.post(url, json={}, headers=headers)).status_code == 400
    assert (
        await client.post(url, json={"prompt": "x", "count": 5}, headers=headers)
    ).status_code == 400
    bad_ratio = await client.post(url, json={"prompt": "x", "aspect_ratio": "3:2"}, headers=headers)
    assert bad_ratio.status_code == 400
    poor = await client.post(url, json={"prompt": "A lighthouse"}, headers=headers)
    assert poor.status_code == 402
    assert poor.json()["error"]["code"] == "INSUFFICIENT_CREDITS"
    missing = await client.get("/api/v1/content/images/imgjob_nope", headers=headers)
    assert missing.status_code == 404


async def test_generate_images_with_an_unknown_persona_is_404_and_charges_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await funded_tenant(services, 10)
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    theirs = await client.post(
        "/api/v1/persona", json={"name": "Their voice"}, headers=stranger.headers
    )
    assert theirs.status_code == 201, theirs.text
    url = "/api/v1/content/images/generate"

    for persona_id in ("persona_missing", theirs.json()["id"]):
        response = await client.post(
            url,
            json={"prompt": "A lighthouse", "persona_id": persona_id},
            headers=powerpost_headers(tenant),
        )
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "NOT_FOUND"
    state = await ledger_state(services, tenant.workspace_id)
    assert (state["balance"], state["reserved"]) == (10, 0)
