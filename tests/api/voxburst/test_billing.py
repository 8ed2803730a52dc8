from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from postwright.api.deps import ActorDep, SessionDep
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.billing import service as billing
from tests.api.test_auth import assert_envelope
from tests.domain.billing.helpers import funded_tenant, ledger_state
from tests.factories import make_tenant


async def test_validate_reports_balance_and_estimate_without_reserving(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await funded_tenant(services, 30)
    body = {"accountId": "acc_1", "totalPosts": 5, "creditsPerPost": 6}

    enough = await client.post("/v1/bulk-generate/validate", json=body, headers=tenant.headers)
    short = await client.post(
        "/v1/bulk-generate/validate", json={**body, "totalPosts": 6}, headers=tenant.headers
    )

    assert enough.status_code == short.status_code == 200
    assert enough.json() == {
        "valid": True,
        "error": None,
        "creditBalance": 30,
        "estimatedCredits": 30,
    }
    assert short.json() == {
        "valid": False,
        "error": "Insufficient credits",
        "creditBalance": 30,
        "estimatedCredits": 36,
    }
    state = await ledger_state(services, tenant.workspace_id)
    assert (state["balance"], state["reserved"]) == (30, 0)


async def test_validate_counts_only_usable_credits(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await funded_tenant(services, 10)
    async with services.db.transaction() as session:
        await billing.reserve_credits(
            session, billing.SystemActor(tenant.workspace_id, services.clock.now()), 4
        )
    response = await client.post(
        "/v1/bulk-generate/validate",
        json={"accountId": "acc_1", "totalPosts": 7},
        headers=tenant.headers,
    )
    assert response.json()["creditBalance"] == 6
    assert response.json()["valid"] is False


async def test_validate_rejects_out_of_range_posts(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    for total in (0, 51):
        response = await client.post(
            "/v1/bulk-generate/validate",
            json={"accountId": "acc_1", "totalPosts": total},
            headers=tenant.headers,
        )
        assert_envelope(response, 400, "VALIDATION_ERROR")


async def test_fresh_workspace_can_use_its_free_monthly_credits(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        "/v1/bulk-generate/validate",
        json={"accountId": "acc_1", "totalPosts": 50, "creditsPerPost": 2},
        headers=tenant.headers,
    )
    assert response.json()["valid"] is True
    assert response.json()["creditBalance"] == 100


async def test_ai_status_follows_the_plan(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    status = await client.get("/v1/ai/status", headers=tenant.headers)
    assert status.status_code == 200
    assert status.json() == {
        "configured": True,
        "enabled": True,
        "provider": "builtin",
        "model": "builtin-composer-1",
        "lastUpdated": None,
    }


def _metered_route(app: FastAPI) -> None:
    """A stand-in for a generation route: AI access, then a one-shot charge."""

    async def generate(actor: ActorDep, session: SessionDep) -> dict[str, int]:
        await billing.require_ai_access(session, actor)
        await billing.charge_credits(session, actor, billing.Action.IMAGE, amount=5)
        summary = await billing.credit_summary(session, actor)
        return {"credits_used": 5, "credits_remaining": summary.available}

    app.add_api_route("/v1/test/generate", generate, methods=["POST"])


async def test_402_bodies_for_credits_and_ai_access(
    app: FastAPI, client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    _metered_route(app)
    tenant = await funded_tenant(services, 7)

    charged = await client.post("/v1/test/generate", headers=tenant.headers)
    assert charged.json() == {"credits_used": 5, "credits_remaining": 2}
    short = await client.post("/v1/test/generate", headers=tenant.headers)
    error = assert_envelope(short, 402, "INSUFFICIENT_CREDITS")
    assert error["message"] == "Insufficient credits: need 5, have 2 usable"
    assert (error["required"], error["available"]) == (5, 2)

    clock.set(datetime(2030, 1, 1, tzinfo=UTC))  # the paid period has run out
    ended = await client.post("/v1/test/generate", headers=tenant.headers)
    assert_envelope(ended, 402, "AI_SUBSCRIPTION")
    assert (await client.get("/v1/ai/status", headers=tenant.headers)).json()["enabled"] is False
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 2
