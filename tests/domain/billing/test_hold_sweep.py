"""The embedded default releases expired holds too: the scheduled sweep every job-running
process installs gives back credits and quota of calls that never settled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.billing import hold_sweep, holds
from postwright.domain.billing import service as billing
from postwright.domain.billing.models import (
    CreditReservation,
    QuotaCounter,
    QuotaHold,
    ReservationStatus,
)
from postwright.domain.billing.service import QuotaType
from postwright.domain.jobs import registry
from tests.domain.billing.helpers import assert_invariants, funded_tenant, ledger_state


async def _quota_used(services: Services, workspace_id: str) -> int:
    async with services.db.read_transaction() as session:
        used = await session.scalar(
            select(func.coalesce(func.sum(QuotaCounter.used), 0)).where(
                QuotaCounter.workspace_id == workspace_id,
                QuotaCounter.quota_type == QuotaType.POST_GENERATION.value,
            )
        )
    return int(used or 0)


async def test_the_sweep_releases_expired_holds_once(
    services: Services, clock: FrozenClock
) -> None:
    tenant = await funded_tenant(services, 100, post_generation_limit=5)
    acting = billing.SystemActor(tenant.workspace_id, clock.now())
    async with services.db.transaction() as session:
        await holds.hold_credits(
            session, acting, usage_id="use_1", amount=30, reason="test", ttl=timedelta(minutes=5)
        )
        await holds.hold_quota(
            session,
            acting,
            QuotaType.POST_GENERATION,
            usage_id="use_2",
            units=1,
            ttl=timedelta(minutes=5),
        )
    assert (await ledger_state(services, tenant.workspace_id))["reserved"] == 30
    assert await _quota_used(services, tenant.workspace_id) == 1

    assert await hold_sweep.sweep(services) == 0  # not expired yet

    clock.advance(timedelta(minutes=6))
    assert await hold_sweep.sweep(services) == 2
    assert await hold_sweep.sweep(services) == 0  # a second run releases nothing twice

    state = await ledger_state(services, tenant.workspace_id)
    assert_invariants(state)
    assert (state["balance"], state["reserved"]) == (100, 0)
    assert await _quota_used(services, tenant.workspace_id) == 0
    async with services.db.read_transaction() as session:
        statuses = [
            *await session.scalars(select(CreditReservation.status)),
            *await session.scalars(select(QuotaHold.status)),
        ]
    assert statuses == [ReservationStatus.RELEASED.value] * 2


def test_every_job_running_process_installs_the_sweep() -> None:
    installs = {kind.name: kind.recover for kind in registry.kinds()}
    assert installs["expired holds"] is hold_sweep.install
