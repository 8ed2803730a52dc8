from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from postwright.core.clock import FrozenClock
from postwright.core.errors import PaymentRequired
from postwright.core.services import Services
from postwright.domain.billing import service as billing
from postwright.domain.billing.models import Subscription
from postwright.domain.billing.service import QuotaType
from postwright.domain.context import Ctx
from tests.domain.billing.helpers import funded_tenant
from tests.factories import make_tenant


def acting(services: Services, workspace_id: str) -> billing.SystemActor:
    return billing.SystemActor(workspace_id, services.clock.now())


async def consume(services: Services, ws: str, kind: QuotaType, units: int = 1) -> None:
    async with services.db.transaction() as session:
        await billing.consume_quota(session, acting(services, ws), kind, units)


async def test_exhausted_quota_raises_402_with_the_quota_object(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 5, 20, tzinfo=UTC))
    tenant = await funded_tenant(services, 0, comment_generation_limit=7)
    await consume(services, tenant.workspace_id, QuotaType.COMMENT_GENERATION, 5)

    with pytest.raises(PaymentRequired) as refused:
        await consume(services, tenant.workspace_id, QuotaType.COMMENT_GENERATION, 5)

    assert refused.value.code == "QUOTA_EXHAUSTED"
    assert refused.value.quota == {
        "type": "comment_generation",
        "limit": 7,
        "used": 5,
        "remaining": 2,
        "resetAt": "2026-06-01T00:00:00.000Z",
    }


async def test_counters_reset_at_the_utc_month_boundary_but_personas_stand(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC))
    tenant = await funded_tenant(services, 0, post_generation_limit=2, persona_limit=2)
    for _ in range(2):
        await consume(services, tenant.workspace_id, QuotaType.POST_GENERATION)
        await consume(services, tenant.workspace_id, QuotaType.PERSONAS)
    with pytest.raises(PaymentRequired):
        await consume(services, tenant.workspace_id, QuotaType.POST_GENERATION)

    clock.set(datetime(2026, 2, 1, 0, 0, tzinfo=UTC))
    await consume(services, tenant.workspace_id, QuotaType.POST_GENERATION)
    with pytest.raises(PaymentRequired):
        await consume(services, tenant.workspace_id, QuotaType.PERSONAS)

    async with services.db.transaction() as session:
        usage = await billing.quota_usage(session, acting(services, tenant.workspace_id))
    assert usage[QuotaType.POST_GENERATION].used == 1
    assert usage[QuotaType.POST_GENERATION].reset_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert usage[QuotaType.PERSONAS].used == 2
    assert usage[QuotaType.PERSONAS].reset_at is None


async def test_deleting_a_persona_gives_its_unit_back(services: Services) -> None:
    tenant = await funded_tenant(services, 0, persona_limit=1)
    await consume(services, tenant.workspace_id, QuotaType.PERSONAS)
    async with services.db.transaction() as session:
        status = await billing.release_quota(
            session, acting(services, tenant.workspace_id), QuotaType.PERSONAS
        )
    assert status.remaining == 1
    await consume(services, tenant.workspace_id, QuotaType.PERSONAS)


async def test_concurrent_first_uses_create_one_free_subscription(services: Services) -> None:
    tenant = await make_tenant(services)

    await asyncio.gather(
        *(consume(services, tenant.workspace_id, QuotaType.IDEA_GENERATION) for _ in range(10))
    )

    async with services.db.transaction() as session:
        count = await session.scalar(
            select(func.count()).where(Subscription.workspace_id == tenant.workspace_id)
        )
        usage = await billing.quota_usage(session, acting(services, tenant.workspace_id))
    assert count == 1
    assert usage[QuotaType.IDEA_GENERATION].used == 10


async def test_cancelled_free_subscription_ends_with_the_period_until_renewed(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 7, 10, tzinfo=UTC))
    tenant = await make_tenant(services)
    await consume(services, tenant.workspace_id, QuotaType.POST_GENERATION)
    async with services.db.transaction() as session:
        cancelled = await billing.cancel_subscription(
            Ctx(session, acting(services, tenant.workspace_id), services)
        )
        assert cancelled.current_period_end == datetime(2026, 8, 1, tzinfo=UTC)
    await consume(services, tenant.workspace_id, QuotaType.POST_GENERATION)  # still entitled

    clock.set(datetime(2026, 8, 2, tzinfo=UTC))
    with pytest.raises(PaymentRequired):
        await consume(services, tenant.workspace_id, QuotaType.POST_GENERATION)
    async with services.db.transaction() as session:
        with pytest.raises(billing.AiSubscriptionRequired):
            await billing.require_ai_access(session, acting(services, tenant.workspace_id))

    async with services.db.transaction() as session:
        renewed = await billing.renew_free(
            Ctx(session, acting(services, tenant.workspace_id), services)
        )
        assert renewed.status == "active"
    await consume(services, tenant.workspace_id, QuotaType.POST_GENERATION)
