from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from postwright.core.services import Services
from postwright.domain.accounts.models import ApiKey
from tests.factories import make_tenant


async def count_keys(services: Services) -> int:
    async with services.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(ApiKey)) or 0)


async def test_same_keyed_request_fired_concurrently_runs_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    before = await count_keys(services)
    headers = {**tenant.headers, "Idempotency-Key": "2b9c1f0e-concurrent"}

    responses = await asyncio.gather(
        *[client.post("/api/v1/api-keys", json={"name": "ci"}, headers=headers) for _ in range(20)]
    )

    assert await count_keys(services) == before + 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(1 for r in responses if r.headers.get("idempotent-replayed") == "true") == 19


async def test_ietf_style_reuse_with_another_payload_is_422(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    headers = {**tenant.headers, "Idempotency-Key": "k-1"}
    first = await client.post("/api/v1/api-keys", json={"name": "one"}, headers=headers)
    other = await client.post("/api/v1/api-keys", json={"name": "two"}, headers=headers)

    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_zorbit_replay_is_the_cached_response_with_409(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    headers = {**tenant.headers, "Idempotency-Key": "3f1e-user-update"}

    first = await client.put("/api/v1/user", json={"name": "Grace Hopper"}, headers=headers)
    await client.put("/api/v1/user", json={"name": "Someone Else"}, headers=tenant.headers)
    replay = await client.put("/api/v1/user", json={"name": "Grace Hopper"}, headers=headers)
    different = await client.put("/api/v1/user", json={"name": "Other"}, headers=headers)

    assert first.status_code == 200
    assert replay.status_code == 409
    assert replay.json() == first.json()
    assert different.status_code == 409
    assert different.json()["error"]["code"] == "CONFLICT"
    profile = (await client.get("/api/v1/user", headers=tenant.headers)).json()
    assert profile["firstName"] == "Someone"


async def test_keys_are_scoped_per_user(client: httpx.AsyncClient, services: Services) -> None:
    a = await make_tenant(services, email="a@example.com")
    b = await make_tenant(services, email="b@example.com")
    key = {"Idempotency-Key": "shared-key"}

    first = await client.put("/api/v1/user", json={"name": "Alpha"}, headers={**a.headers, **key})
    second = await client.put("/api/v1/user", json={"name": "Beta"}, headers={**b.headers, **key})

    assert first.status_code == second.status_code == 200
    assert second.json()["firstName"] == "Beta"


async def test_failed_request_does_not_consume_the_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    headers = {**tenant.headers, "Idempotency-Key": "retry-after-failure"}

    failed = await client.put("/api/v1/user", json={"bio": None}, headers=headers)
    retried = await client.put("/api/v1/user", json={"name": "Fixed"}, headers=headers)

    assert failed.status_code == 400
    assert retried.status_code == 200


async def test_records_expire_after_the_retention(
    client: httpx.AsyncClient, services: Services, clock: object
) -> None:
    from datetime import timedelta

    from postwright.core.clock import FrozenClock

    assert isinstance(clock, FrozenClock)
    tenant = await make_tenant(services)
    headers = {**tenant.headers, "Idempotency-Key": "old-key"}
    await client.post("/api/v1/api-keys", json={"name": "one"}, headers=headers)
    clock.advance(timedelta(hours=25))

    again = await client.post("/api/v1/api-keys", json={"name": "two"}, headers=headers)

    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
