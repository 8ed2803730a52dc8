from __future__ import annotations

from datetime import UTC, datetime

import httpx

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.billing import service as billing
from tests.domain.billing.helpers import funded_tenant
from tests.factories import make_tenant


async def test_credits_in_snake_case_with_the_workspace_header(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 6, 3, tzinfo=UTC))
    tenant = await funded_tenant(services, 40)
    who = billing.SystemActor(tenant.workspace_id, clock.now())
    async with services.db.transaction() as session:
        await billing.charge_credits(session, who, "powerpost_generation", amount=10)
        await billing.reserve_credits(session, who, 15)
    headers = {"x-api-key": tenant.api_key, "X-Workspace-Id": tenant.workspace_id}

    response = await client.get("/api/v1/content/credits", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "credits_remaining": 15,
        "credits_balance": 30,
        "credits_reserved": 15,
        "credits_used_this_period": 10,
        "plan_id": body["plan_id"],
        "period_start": "2026-06-01T00:00:00.000Z",
        "period_end": "2026-07-01T00:00:00.000Z",
    }
    assert body["plan_id"].startswith("plan_test_")


async def test_fresh_workspace_shows_its_free_credits(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    body = (await client.get("/api/v1/content/credits", headers=tenant.headers)).json()
    assert body["credits_remaining"] == 100
    assert body["plan_id"] == "plan_free"
