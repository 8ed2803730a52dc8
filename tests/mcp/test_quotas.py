"""The API's quotas and reservations through the tools: a retried image or bulk job uses its
quota unit or credits once, and a used-up quota is refused with the API's code and object."""

from __future__ import annotations

from typing import Any

from mcp.client.client import Client

from postwright.core.services import Services
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.service import QuotaType, consume_quota
from tests.factories import Tenant, make_tenant
from tests.mcp.conftest import Deployment
from tests.mcp.tools import call, days_ahead, failure, over_http


async def image_quota(client: Client) -> dict[str, Any]:
    quotas = (await call(client, "credits"))["quotas"]
    return next(q for q in quotas if q["type"] == QuotaType.IMAGE_CREATION.value)


async def use_up(services: Services, tenant: Tenant, units: int) -> None:
    """Spend the rest of the period's image quota, as other API calls would have."""
    async with services.db.transaction() as session:
        acting = SystemActor(tenant.workspace_id, services.clock.now(), tenant.user_id)
        await consume_quota(session, acting, QuotaType.IMAGE_CREATION, units=units)


async def test_retried_charging_writes_are_done_once_and_a_used_up_quota_is_refused(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    async with over_http(deployment.base_url, tenant.api_key) as client:
        before = await image_quota(client)
        image = {"prompt": "a wind turbine at dusk", "idempotency_key": "img-1"}
        first, again = [await call(client, "generate_image", **image) for _ in range(2)]
        assert first == again
        assert (await image_quota(client))["used"] == before["used"] + 1

        job = {
            "account_id": "acc_demo",
            "platform": "linkedin",
            "total_posts": 2,
            "scheduled_dates": days_ahead(services.clock.now(), 2),
            "idempotency_key": "bulk-1",
        }
        started = [await call(client, "start_bulk_job", **job) for _ in range(2)]
        assert started[0]["id"] == started[1]["id"]
        assert (await call(client, "credits"))["reserved"] == 2
        await call(client, "cancel_bulk_job", job_id=started[0]["id"])
        assert (await call(client, "credits"))["reserved"] == 0

        await use_up(services, tenant, (await image_quota(client))["remaining"])
        refused = await failure(client, "generate_image", prompt="one more")
        assert refused.code == "QUOTA_EXHAUSTED"
        assert refused.body["quota"]["type"] == "image_creation"
        assert refused.body["quota"]["remaining"] == 0
        # The replay of the call that succeeded still answers with its image.
        assert await call(client, "generate_image", **image) == first
