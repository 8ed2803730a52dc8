"""One Idempotency-Key layer on every write route: charged routes run (and charge) once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postwright.core import idempotency
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings
from tests.api.adcopy.helpers import project_with_product
from tests.conftest import make_settings
from tests.domain.billing.helpers import funded_tenant, ledger_state
from tests.engine import running
from tests.factories import Tenant

Pair = tuple[httpx.AsyncClient, Services]
Request = tuple[str, dict[str, Any]]
SENDS = 21


@pytest.fixture
async def job_client(database_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Pair]:
    settings = make_settings(
        database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05)
    )
    async with running(settings, clock) as pair:
        yield pair


async def voxburst_post(http: httpx.AsyncClient, tenant: Tenant, topic: str) -> Request:
    return "/v1/ai/generate-post-content", {
        "systemPrompt": "You write short LinkedIn posts.",
        "userPrompt": f"Topic: {topic}",
        "platform": "linkedin",
    }


async def adcopy_copy(http: httpx.AsyncClient, tenant: Tenant, topic: str) -> Request:
    project_id, product_id = await project_with_product(http, tenant)
    return "/api/generate/copy", {
        "projectId": project_id,
        "productId": product_id,
        "platform": "meta",
        "format": "short",
        "tone": "bold",
        "customInstructions": topic,
    }


async def powerpost_image(http: httpx.AsyncClient, tenant: Tenant, topic: str) -> Request:
    return "/api/v1/content/images/generate", {"prompt": topic}


CHARGED: dict[str, tuple[Callable[..., Awaitable[Request]], int]] = {
    "voxburst generate-post-content": (voxburst_post, 1),
    "adcopy copy": (adcopy_copy, 1),
    "powerpost images": (powerpost_image, 5),
}


async def spent(services: Services, tenant: Tenant, funded: int) -> int:
    """Credits consumed or still held, once every image job has settled."""
    for _ in range(400):
        state = await ledger_state(services, tenant.workspace_id)
        if state["reserved"] == 0:
            return funded - state["balance"]
        await asyncio.sleep(0.05)
    raise AssertionError("a reservation was never settled")


@pytest.mark.parametrize("route", sorted(CHARGED))
@pytest.mark.parametrize("concurrently", [False, True], ids=["sequential", "concurrent"])
async def test_one_key_sent_21_times_runs_and_charges_once(
    job_client: Pair, route: str, concurrently: bool
) -> None:
    http, services = job_client
    tenant = await funded_tenant(services, 200)
    build, cost = CHARGED[route]
    path, body = await build(http, tenant, "Dark mode ships today")
    headers = {**tenant.headers, "Idempotency-Key": f"retry-{route}"}

    async def send() -> httpx.Response:
        return await http.post(path, json=body, headers=headers)

    if concurrently:
        responses = list(await asyncio.gather(*[send() for _ in range(SENDS)]))
    else:
        responses = [await send() for _ in range(SENDS)]

    assert {r.status_code for r in responses} == {responses[0].status_code}
    assert 200 <= responses[0].status_code < 300, responses[0].text
    assert len({r.content for r in responses}) == 1
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    assert len(replayed) == SENDS - 1
    assert await spent(services, tenant, 200) == cost


@pytest.mark.parametrize("route", sorted(CHARGED))
async def test_the_key_with_another_payload_is_422_and_charges_nothing(
    job_client: Pair, route: str
) -> None:
    http, services = job_client
    tenant = await funded_tenant(services, 200)
    build, cost = CHARGED[route]
    path, body = await build(http, tenant, "Dark mode ships today")
    _, other = await build(http, tenant, "Light mode is back")
    headers = {**tenant.headers, "Idempotency-Key": "one-key"}

    first = await http.post(path, json=body, headers=headers)
    different = await http.post(path, json=other, headers=headers)

    assert 200 <= first.status_code < 300, first.text
    assert different.status_code == 422
    assert different.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await spent(services, tenant, 200) == cost


async def test_a_key_is_scoped_to_its_route_and_workspace(job_client: Pair) -> None:
    http, services = job_client
    tenant = await funded_tenant(services, 200)
    other_workspace = await funded_tenant(services, 200)
    headers = {"Idempotency-Key": "shared"}
    path, body = await voxburst_post(http, tenant, "Tea")

    mine = await http.post(path, json=body, headers={**tenant.headers, **headers})
    theirs = await http.post(path, json=body, headers={**other_workspace.headers, **headers})
    other_route = await http.post(
        "/v1/ai/hashtags", json={"content": "Tea"}, headers={**tenant.headers, **headers}
    )

    assert mine.status_code == theirs.status_code == other_route.status_code == 200
    assert "idempotent-replayed" not in theirs.headers
    assert "idempotent-replayed" not in other_route.headers
    assert await spent(services, other_workspace, 200) == 1


async def test_zorbit_answers_a_repeated_key_with_409_and_the_cached_body(
    job_client: Pair,
) -> None:
    http, services = job_client
    tenant = await funded_tenant(services, 0)
    headers = {**tenant.headers, "Idempotency-Key": "persona-once"}

    first = await http.post("/api/v1/persona", json={"name": "Ada"}, headers=headers)
    repeats = await asyncio.gather(
        *[http.post("/api/v1/persona", json={"name": "Ada"}, headers=headers) for _ in range(5)]
    )
    other = await http.post("/api/v1/persona", json={"name": "Grace"}, headers=headers)

    assert first.status_code == 201, first.text
    assert {r.status_code for r in repeats} == {409}
    assert all(r.json() == first.json() for r in repeats)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "CONFLICT"
    listed = (await http.get("/api/v1/persona", headers=tenant.headers)).json()
    names = [p["name"] for p in (listed if isinstance(listed, list) else listed["personas"])]
    assert names.count("Ada") == 1


async def test_a_duplicate_still_in_flight_after_the_wait_is_409(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = make_settings(database_url, tmp_path, idempotency_wait_seconds=0)
    async with running(settings, clock) as (http, services):
        tenant = await funded_tenant(services, 10)
        headers = {**tenant.headers, "Idempotency-Key": "slow"}
        path, body = await voxburst_post(http, tenant, "Tea")
        # Hold the key as a request in flight would (claimed, no response yet).
        caller = f"{tenant.workspace_id}:{tenant.user_id}"
        fingerprint = idempotency.fingerprint("POST", path, b"", httpx_json(body))
        held = await idempotency.claim(
            services.db,
            scope=caller,
            endpoint=f"POST {path}",
            key="slow",
            request_fingerprint=fingerprint,
            now=clock.now(),
            ttl=timedelta(hours=24),
            lease=timedelta(minutes=10),
        )
        assert isinstance(held, idempotency.Claimed)

        waiting = await http.post(path, json=body, headers=headers)
        await idempotency.release(services.db, held)
        after = await http.post(path, json=body, headers=headers)

        assert waiting.status_code == 409
        assert waiting.json()["error"]["code"] == "CONFLICT"
        assert after.status_code == 200, after.text
        assert await spent(services, tenant, 10) == 1


def httpx_json(body: dict[str, Any]) -> bytes:
    """The bytes httpx sends for ``json=body``."""
    return httpx.Request("POST", "http://t", json=body).content
