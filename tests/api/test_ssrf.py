"""SSRF: every URL a user hands us refuses internal addresses in any spelling (loopback
allowance off), and outbound clients connect only to the address they checked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.outbound import PinnedBackend, pinned_client
from postwright.core.services import Services
from postwright.core.settings import HttpSettings
from tests.api.adcopy.helpers import project_with_product
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant
from tests.fakes.loopback import LoopbackServer
from tests.processes import free_port

INTERNAL_URLS = [
    "http://2130706433/v1",  # 127.0.0.1 as one decimal number
    "http://0x7f000001/v1",  # hex
    "http://0177.0.0.1/v1",  # octal
    "http://127.1/v1",  # short form
    "http://127.0.0.1:11434/v1",
    "http://localhost/v1",
    "http://[::1]/v1",
    "http://[::ffff:127.0.0.1]/v1",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/v1",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fd00:ec2::254]/",  # metadata over IPv6 (unique local)
    "http://10.0.0.7/v1",
    "http://172.16.3.4/v1",
    "http://192.168.1.10/v1",
    "http://100.64.0.1/v1",  # CGNAT
    "http://0.0.0.0/v1",
    "http://user:pw@93.184.216.34/v1",  # credentials in the URL
    "http://user:pw@127.0.0.1/v1",
]


@pytest.fixture
async def app(database_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, tmp_path, http=HttpSettings(allow_loopback_urls=False))
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


Send = Callable[[httpx.AsyncClient, Tenant, str], Awaitable[httpx.Response]]


async def webhook_endpoint(http: httpx.AsyncClient, tenant: Tenant, url: str) -> httpx.Response:
    return await http.post("/api/v1/webhooks", json={"url": url}, headers=tenant.headers)


async def ai_base_url(http: httpx.AsyncClient, tenant: Tenant, url: str) -> httpx.Response:
    return await http.put(
        "/v1/ai/settings",
        json={"model": "openai:gpt-4o-mini", "apiKey": "sk-test", "baseUrl": url},
        headers=tenant.headers,
    )


async def avatar_url(http: httpx.AsyncClient, tenant: Tenant, url: str) -> httpx.Response:
    project_id, product_id = await project_with_product(http, tenant)
    return await http.post(
        "/api/generate/video",
        json={
            "projectId": project_id,
            "productId": product_id,
            "script": "Hello there, friends!",
            "avatarUrl": url,
        },
        headers=tenant.headers,
    )


async def mastodon_instance(http: httpx.AsyncClient, tenant: Tenant, url: str) -> httpx.Response:
    body: dict[str, Any] = {"provider": "mastodon", "instanceUrl": url, "accessToken": "t"}
    return await http.post("/api/v1/accounts", json=body, headers=tenant.headers)


async def bluesky_pds(http: httpx.AsyncClient, tenant: Tenant, url: str) -> httpx.Response:
    body: dict[str, Any] = {
        "provider": "bluesky",
        "identifier": "me.example.com",
        "appPassword": "abcd-efgh-ijkl-mnop",
        "instanceUrl": url,
    }
    return await http.post("/api/v1/accounts", json=body, headers=tenant.headers)


URL_FIELDS: dict[str, Send] = {
    "webhook endpoint url": webhook_endpoint,
    "workspace AI baseUrl": ai_base_url,
    "adcopy avatarUrl": avatar_url,
    "mastodon instanceUrl": mastodon_instance,
    "bluesky instanceUrl": bluesky_pds,
}


async def zorbit_comment_image(http: httpx.AsyncClient, tenant: Tenant, url: str) -> httpx.Response:
    body = {"firstName": "Jane", "quote": "Great post!", "image": url}
    return await http.post("/api/v1/comments", json=body, headers=tenant.headers)


async def zorbit_comment_author_url(
    http: httpx.AsyncClient, tenant: Tenant, url: str
) -> httpx.Response:
    body = {
        "postContent": "We shipped our new onboarding flow today.",
        "platform": "linkedin",
        "authorName": "Jane Smith",
        "authorUrl": url,
    }
    return await http.post("/api/v1/comments/generate", json=body, headers=tenant.headers)


async def adcopy_product_url(http: httpx.AsyncClient, tenant: Tenant, url: str) -> httpx.Response:
    project = await http.post("/api/projects", json={"name": "Launch"}, headers=tenant.headers)
    return await http.post(
        f"/api/projects/{project.json()['id']}/products",
        json={"name": "Breeze Fan", "url": url},
        headers=tenant.headers,
    )


# Fields the server stores and hands back but never fetches: no request of ours goes to
# them, so they need no outbound guard (the client that reads them fetches them). Publishing
# carries no media URL (``PublishRequest.media`` is filled by no caller) and images shown to
# clients are these URLs as given or our own signed ones. Should the server ever fetch one of
# these, it must go through ``ensure_public_url`` and a pinned client like the fields above —
# the test below then fails, because the loopback server sees the request.
# Stored the same way and left out here because each needs a running job engine: sparkvox
# ``image_url`` and powerpost import ``image_url`` (https:// only), powerpost ``media_url``
# (kept in the generation's input, "shape-checked only", never downloaded).
STORED_ONLY_URL_FIELDS: dict[str, Send] = {
    "zorbit comment image": zorbit_comment_image,
    "zorbit comment authorUrl": zorbit_comment_author_url,
    "adcopy product url": adcopy_product_url,
}


@pytest.mark.parametrize("field", sorted(STORED_ONLY_URL_FIELDS))
async def test_stored_only_url_fields_are_never_fetched_by_the_server(
    client: httpx.AsyncClient, services: Services, field: str
) -> None:
    tenant = await make_tenant(services)
    target = LoopbackServer()
    try:
        response = await STORED_ONLY_URL_FIELDS[field](client, tenant, target.url("/image.png"))
    finally:
        target.stop()
    assert response.is_success, response.text
    assert target.hosts == []


@pytest.mark.parametrize("field", sorted(URL_FIELDS))
async def test_internal_addresses_are_refused_in_every_url_field(
    client: httpx.AsyncClient, services: Services, field: str
) -> None:
    tenant = await make_tenant(services)
    send = URL_FIELDS[field]
    accepted = []
    for url in INTERNAL_URLS:
        response = await send(client, tenant, url)
        if response.status_code != 400 or response.json()["error"]["code"] != "VALIDATION_ERROR":
            accepted.append((url, response.status_code, response.text[:200]))
    assert accepted == []


async def test_pinned_backend_refuses_internal_hosts_at_connect_time() -> None:
    backend = PinnedBackend(allow_loopback=False)
    for host in ("127.0.0.1", "2130706433", "localhost", "::1", "169.254.169.254"):
        with pytest.raises(httpcore.ConnectError):
            await backend.connect_tcp(host, 80, timeout=1)


async def test_pinned_client_sends_the_original_host_to_the_checked_address() -> None:
    """A name that resolves to loopback is reached only with the test allowance, and the
    request still names its host (what a server behind TLS/SNI or virtual hosting needs)."""
    seen: dict[str, str] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen["host"] = dict(scope["headers"]).get(b"host", b"").decode()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.02)
        async with pinned_client(allow_loopback=True, timeout=5) as http:
            response = await http.get(f"http://localhost:{port}/x")
        async with pinned_client(allow_loopback=False, timeout=5) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"http://localhost:{port}/x")
    finally:
        server.should_exit = True
        await task
    assert response.status_code == 204
    assert seen["host"] == f"localhost:{port}"
