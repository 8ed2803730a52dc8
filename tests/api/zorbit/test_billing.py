from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.billing import service as billing
from postwright.domain.billing.service import QuotaType
from tests.api.test_auth import assert_envelope
from tests.domain.billing.helpers import funded_tenant, metered_plan, subscribe
from tests.factories import make_tenant

QUOTA_TYPES = [t.value for t in QuotaType]


async def use(services: Services, ws: str, kind: QuotaType, units: int = 1) -> None:
    async with services.db.transaction() as session:
        await billing.consume_quota(
            session, billing.SystemActor(ws, services.clock.now()), kind, units
        )


async def test_subscription_is_null_until_first_use_then_the_free_plan(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 2, 14, 9, tzinfo=UTC))
    tenant = await make_tenant(services)

    before = await client.get("/api/v1/subscriptions", headers=tenant.headers)
    assert before.status_code == 200
    assert before.json() is None

    await use(services, tenant.workspace_id, QuotaType.POST_GENERATION)
    after = (await client.get("/api/v1/subscriptions", headers=tenant.headers)).json()
    assert after == {
        "id": after["id"],
        "userId": None,
        "planId": "plan_free",
        "status": "active",
        "currentPeriodStart": "2026-02-01T00:00:00.000Z",
        "currentPeriodEnd": "2026-03-01T00:00:00.000Z",
        "cancelAtPeriodEnd": False,
    }
    assert after["id"].startswith("sub_")


async def test_cancel_then_renew_free(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 2, 14, tzinfo=UTC))
    tenant = await make_tenant(services)
    missing = await client.post("/api/v1/subscriptions/cancel", headers=tenant.headers)
    assert_envelope(missing, 404, "NOT_FOUND")

    await use(services, tenant.workspace_id, QuotaType.IDEA_GENERATION)
    headers = {**tenant.headers, "Idempotency-Key": "cancel-1"}
    cancelled = await client.post("/api/v1/subscriptions/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json() == {
        "success": True,
        "message": "Subscription will be cancelled at the end of the current period",
        "cancelAt": "2026-03-01T00:00:00.000Z",
    }
    replayed = await client.post("/api/v1/subscriptions/cancel", headers=headers)
    assert replayed.status_code == 409
    assert replayed.json() == cancelled.json()
    current = (await client.get("/api/v1/subscriptions", headers=tenant.headers)).json()
    assert current["cancelAtPeriodEnd"] is True

    renewed = await client.post("/api/v1/subscriptions/renew-free", headers=tenant.headers)
    assert renewed.status_code == 200
    assert renewed.json() == {
        "success": True,
        "subscription": {
            "id": current["id"],
            "status": "active",
            "currentPeriodEnd": "2026-03-01T00:00:00.000Z",
        },
    }
    current = (await client.get("/api/v1/subscriptions", headers=tenant.headers)).json()
    assert current["cancelAtPeriodEnd"] is False


async def test_renew_free_is_refused_on_an_active_paid_plan(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await funded_tenant(services, 0)
    refused = await client.post("/api/v1/subscriptions/renew-free", headers=tenant.headers)
    assert_envelope(refused, 400, "VALIDATION_ERROR")
    current = (await client.get("/api/v1/subscriptions", headers=tenant.headers)).json()
    assert current["planId"] != "plan_free"


async def test_plans_are_listed_and_fetched(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    listed = await client.get("/api/v1/plans", headers=tenant.headers)
    assert listed.status_code == 200
    free = next(p for p in listed.json() if p["id"] == "plan_free")
    assert free == {
        "id": "plan_free",
        "name": "Free",
        "description": free["description"],
        "price": 0.0,
        "currency": "USD",
        "interval": "month",
        "features": free["features"],
        "postGenerationLimit": 50,
        "ideaGenerationLimit": 50,
        "personaLimit": 3,
        "imageCreationLimit": 10,
        "commentGenerationLimit": 100,
        "monthlyCredits": 100,
        "aiAccess": True,
        "isActive": True,
    }
    one = await client.get("/api/v1/plans/plan_free", headers=tenant.headers)
    assert one.status_code == 200
    assert one.json() == free
    assert_envelope(
        await client.get("/api/v1/plans/plan_nope", headers=tenant.headers), 404, "NOT_FOUND"
    )


PRO_PLAN = {
    "name": "Pro Plan",
    "description": "Professional features",
    "price": 29.99,
    "currency": "USD",
    "interval": "month",
    "features": ["Feature 1", "Feature 2"],
    "postGenerationLimit": 100,
    "ideaGenerationLimit": 50,
    "personaLimit": 10,
    "imageCreationLimit": 20,
}


async def test_only_platform_admins_create_plans(
    client: httpx.AsyncClient, services: Services
) -> None:
    member = await make_tenant(services, name="Customer")
    admin = await make_tenant(services, name="Operator", platform_admin=True)

    forbidden = await client.post("/api/v1/plans", json=PRO_PLAN, headers=member.headers)
    assert_envelope(forbidden, 403, "FORBIDDEN")

    created = await client.post("/api/v1/plans", json=PRO_PLAN, headers=admin.headers)
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "createdAt"}
    assert body["name"] == "Pro Plan"
    assert body["createdAt"].endswith("Z")

    fetched = (await client.get(f"/api/v1/plans/{body['id']}", headers=member.headers)).json()
    assert fetched["price"] == 29.99
    assert fetched["commentGenerationLimit"] == 200
    names = [p["name"] for p in (await client.get("/api/v1/plans", headers=member.headers)).json()]
    assert names[0] == "Free"  # cheapest first
    assert "Pro Plan" in names


@pytest.mark.parametrize("missing", ["name", "price", "postGenerationLimit"])
async def test_plan_creation_without_required_fields_is_400(
    client: httpx.AsyncClient, services: Services, missing: str
) -> None:
    admin = await make_tenant(services, platform_admin=True)
    body = {k: v for k, v in PRO_PLAN.items() if k != missing}
    response = await client.post("/api/v1/plans", json=body, headers=admin.headers)
    assert_envelope(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "field",
    [
        "postGenerationLimit",
        "ideaGenerationLimit",
        "personaLimit",
        "imageCreationLimit",
        "commentGenerationLimit",
        "monthlyCredits",
    ],
)
async def test_plan_limits_beyond_the_column_range_are_400(
    client: httpx.AsyncClient, services: Services, app: FastAPI, field: str
) -> None:
    admin = await make_tenant(services, platform_admin=True)
    largest = 2**31 - 1

    too_big = await client.post(
        "/api/v1/plans", json={**PRO_PLAN, field: largest + 1}, headers=admin.headers
    )
    way_too_big = await client.post(
        "/api/v1/plans", json={**PRO_PLAN, field: 2**63}, headers=admin.headers
    )
    largest_fits = await client.post(
        "/api/v1/plans", json={**PRO_PLAN, field: largest}, headers=admin.headers
    )

    assert_envelope(too_big, 400, "VALIDATION_ERROR")
    assert_envelope(way_too_big, 400, "VALIDATION_ERROR")
    assert largest_fits.status_code == 201, largest_fits.text
    plan_id = largest_fits.json()["id"]
    fetched = (await client.get(f"/api/v1/plans/{plan_id}", headers=admin.headers)).json()
    assert fetched[field] == largest
    # The default comment limit (twice the post limit) is held within the column too.
    assert fetched["commentGenerationLimit"] <= largest
    schema = app.openapi()["components"]["schemas"]["CreatePlanBody"]["properties"][field]
    assert largest in (schema.get("maximum"), *(s.get("maximum") for s in schema.get("anyOf", [])))


async def test_usage_quotas_shows_every_type_with_reset_times(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 1, 15, tzinfo=UTC))
    tenant = await make_tenant(services)
    await use(services, tenant.workspace_id, QuotaType.POST_GENERATION, 45)
    await use(services, tenant.workspace_id, QuotaType.PERSONAS, 3)

    usage = (await client.get("/api/v1/usage/quotas", headers=tenant.headers)).json()

    assert sorted(usage) == sorted(QUOTA_TYPES)
    assert usage["post_generation"] == {
        "limit": 50,
        "used": 45,
        "remaining": 5,
        "resetAt": "2026-02-01T00:00:00.000Z",
    }
    assert usage["personas"] == {"limit": 3, "used": 3, "remaining": 0, "resetAt": None}
    assert usage["image_creation"]["used"] == 0


async def test_quota_check_available_exhausted_and_rollover(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 1, 31, 23, tzinfo=UTC))
    tenant = await funded_tenant(services, 0, image_creation_limit=2)

    ok = await client.get("/api/v1/quotas/check?type=image_creation", headers=tenant.headers)
    assert ok.status_code == 200
    assert ok.json() == {
        "available": True,
        "quotaType": "image_creation",
        "remaining": 2,
        "limit": 2,
    }

    await use(services, tenant.workspace_id, QuotaType.IMAGE_CREATION, 2)
    exhausted = await client.get("/api/v1/quotas/check?type=image_creation", headers=tenant.headers)
    assert exhausted.status_code == 402
    assert exhausted.json() == {
        "available": False,
        "error": "Quota exhausted",
        "quotaType": "image_creation",
        "upgradeRequired": True,
        "remaining": 0,
        "limit": 2,
        "resetAt": "2026-02-01T00:00:00.000Z",
        "quota": {
            "type": "image_creation",
            "limit": 2,
            "used": 2,
            "remaining": 0,
            "resetAt": "2026-02-01T00:00:00.000Z",
        },
    }

    clock.set(datetime(2026, 2, 1, 0, 0, 1, tzinfo=UTC))
    rolled = await client.get("/api/v1/quotas/check?type=image_creation", headers=tenant.headers)
    assert rolled.status_code == 200
    assert rolled.json()["remaining"] == 2


@pytest.mark.parametrize("query", ["", "?type=", "?type=tweets"])
async def test_quota_check_needs_a_known_type(
    client: httpx.AsyncClient, services: Services, query: str
) -> None:
    tenant = await make_tenant(services)
    response = await client.get(f"/api/v1/quotas/check{query}", headers=tenant.headers)
    assert_envelope(response, 400, "VALIDATION_ERROR")


async def test_billing_state_is_per_workspace(
    client: httpx.AsyncClient, services: Services
) -> None:
    busy = await funded_tenant(services, 0, post_generation_limit=1)
    other = await make_tenant(services, name="Other")
    await use(services, busy.workspace_id, QuotaType.POST_GENERATION)

    mine = (await client.get("/api/v1/usage/quotas", headers=busy.headers)).json()
    theirs = (await client.get("/api/v1/usage/quotas", headers=other.headers)).json()
    assert mine["post_generation"]["used"] == 1
    assert theirs["post_generation"]["used"] == 0
    assert (await client.get("/api/v1/subscriptions", headers=other.headers)).json() is None


async def test_a_paid_plan_gives_its_limits(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    await subscribe(
        services, tenant.workspace_id, await metered_plan(services, idea_generation_limit=9)
    )
    usage = (await client.get("/api/v1/usage/quotas", headers=tenant.headers)).json()
    assert usage["idea_generation"]["limit"] == 9
