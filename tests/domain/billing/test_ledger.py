from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from postwright.core.clock import FrozenClock
from postwright.core.errors import InsufficientCredits, NotFound, ValidationFailed
from postwright.core.services import Services
from postwright.core.settings import CreditCosts
from postwright.domain.billing import service as billing
from postwright.domain.billing.models import EntryKind, ReservationStatus
from tests.api.test_request_path import StatementCounter
from tests.domain.billing.helpers import assert_invariants, funded_tenant, ledger_state
from tests.factories import make_tenant


def acting(services: Services, workspace_id: str) -> billing.SystemActor:
    return billing.SystemActor(workspace_id, services.clock.now())


async def test_concurrent_reservations_never_overdraw(services: Services) -> None:
    tenant = await funded_tenant(services, 50)

    async def reserve_one() -> bool:
        try:
            async with services.db.transaction() as session:
                await billing.reserve_credits(session, acting(services, tenant.workspace_id), 1)
        except InsufficientCredits:
            return False
        return True

    outcomes = await asyncio.gather(*(reserve_one() for _ in range(200)))

    assert outcomes.count(True) == 50
    state = await ledger_state(services, tenant.workspace_id)
    assert_invariants(state)
    assert state["balance"] == 50
    assert state["reserved"] == 50
    async with services.db.transaction() as session:
        summary = await billing.credit_summary(session, acting(services, tenant.workspace_id))
    assert summary.available == 0


async def test_charge_beyond_available_is_refused_with_required_and_available(
    services: Services,
) -> None:
    tenant = await funded_tenant(services, 5)
    async with services.db.transaction() as session:
        await billing.reserve_credits(session, acting(services, tenant.workspace_id), 3)

    with pytest.raises(InsufficientCredits) as refused:
        async with services.db.transaction() as session:
            await billing.charge_credits(
                session, acting(services, tenant.workspace_id), billing.Action.IMAGE, amount=5
            )

    assert refused.value.extras == {"required": 5, "available": 2}
    assert refused.value.message == "Insufficient credits: need 5, have 2 usable"
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 5


async def test_replayed_grant_and_charge_apply_once(services: Services) -> None:
    tenant = await funded_tenant(services, 0)
    for _ in range(3):
        async with services.db.transaction() as session:
            await billing.grant_credits(
                session, acting(services, tenant.workspace_id), 10, reference="purchase-1"
            )
            await billing.charge_credits(
                session,
                acting(services, tenant.workspace_id),
                billing.Action.THREAD,
                amount=2,
                reference="request-1",
            )

    state = await ledger_state(services, tenant.workspace_id)
    assert state["balance"] == 8
    assert_invariants(state)


async def test_settle_per_item_then_release_refunds_the_rest(services: Services) -> None:
    tenant = await funded_tenant(services, 20)
    who = acting(services, tenant.workspace_id)
    async with services.db.transaction() as session:
        held = await billing.reserve_credits(session, who, 10, related_id="job_1")
    async with services.db.transaction() as session:
        await billing.settle_reservation(session, who, held.id, consumed=1, reference="job_1:0")
        # A re-run step with the same reference changes nothing.
        await billing.settle_reservation(session, who, held.id, consumed=1, reference="job_1:0")
        await billing.settle_reservation(
            session, who, held.id, consumed=0, refunded=1, reference="job_1:1"
        )
    async with services.db.transaction() as session:
        released = await billing.release_reservation(session, who, held.id)
        assert (released.consumed, released.refunded) == (1, 9)
        assert released.status == ReservationStatus.RELEASED

    state = await ledger_state(services, tenant.workspace_id)
    assert_invariants(state)
    assert state["balance"] == 19
    assert state["reserved"] == 0
    async with services.db.transaction() as session:
        kinds = [e.kind for e in await billing.ledger_entries(session, tenant.workspace_id)]
    assert kinds.count(EntryKind.CONSUME) == 1
    assert EntryKind.RELEASE in kinds
    assert EntryKind.REFUND in kinds


async def test_parts_settled_together_match_one_by_one_in_one_pass(services: Services) -> None:
    """A batch of items settles in as many statements as one item; re-runs are skipped."""
    tenant = await funded_tenant(services, 30)
    who = acting(services, tenant.workspace_id)
    async with services.db.transaction() as session:
        held = await billing.reserve_credits(session, who, 12, related_id="job_2")
    parts = [billing.Settlement(2, 0, f"job_2:{i}") for i in range(4)]
    one, many = StatementCounter(), StatementCounter()
    engine = services.db.engine.sync_engine
    for counter, batch in ((one, parts[:1]), (many, parts[1:])):
        event.listen(engine, "before_cursor_execute", counter)
        try:
            async with services.db.transaction() as session:
                await billing.settle_reservation_parts(session, who, held.id, batch)
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    async with services.db.transaction() as session:
        # Two already settled (skipped), one new with a refund.
        settled = await billing.settle_reservation_parts(
            session,
            who,
            held.id,
            [parts[0], parts[3], billing.Settlement(1, 3, "job_2:4")],
        )

    assert len(many.statements) == len(one.statements)
    assert (settled.consumed, settled.refunded, settled.status) == (
        9,
        3,
        ReservationStatus.SETTLED,
    )
    state = await ledger_state(services, tenant.workspace_id)
    assert_invariants(state)
    assert (state["balance"], state["reserved"]) == (30 - 9, 0)
    async with services.db.transaction() as session:
        entries = await billing.ledger_entries(session, tenant.workspace_id)
    references = sorted(e.reference for e in entries if e.reference and "job_2" in e.reference)
    assert references == [
        "job_2:0:consume",
        "job_2:1:consume",
        "job_2:2:consume",
        "job_2:3:consume",
        "job_2:4:consume",
        "job_2:4:refund",
    ]


async def test_settling_more_than_remains_is_refused(services: Services) -> None:
    tenant = await funded_tenant(services, 5)
    who = acting(services, tenant.workspace_id)
    async with services.db.transaction() as session:
        held = await billing.reserve_credits(session, who, 2)
    with pytest.raises(ValidationFailed):
        async with services.db.transaction() as session:
            await billing.settle_reservation(session, who, held.id, consumed=2, refunded=1)
    assert (await ledger_state(services, tenant.workspace_id))["reserved"] == 2


async def test_another_workspaces_reservation_is_not_found(services: Services) -> None:
    owner = await funded_tenant(services, 5)
    stranger = await funded_tenant(services, 5)
    async with services.db.transaction() as session:
        held = await billing.reserve_credits(session, acting(services, owner.workspace_id), 2)
    with pytest.raises(NotFound):
        async with services.db.transaction() as session:
            await billing.release_reservation(
                session, acting(services, stranger.workspace_id), held.id
            )


async def test_free_plan_grants_its_monthly_credits_once_per_month(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 30, 12, tzinfo=UTC))
    tenant = await make_tenant(services)

    async with services.db.transaction() as session:
        projected = await billing.credit_summary(session, acting(services, tenant.workspace_id))
    assert projected.available == 100  # before any write: the due grant is shown

    for _ in range(2):
        async with services.db.transaction() as session:
            await billing.charge_credits(
                session, acting(services, tenant.workspace_id), billing.Action.HASHTAGS, amount=1
            )
    assert (await ledger_state(services, tenant.workspace_id))["balance"] == 98

    clock.set(datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC))
    async with services.db.transaction() as session:
        summary = await billing.credit_summary(session, acting(services, tenant.workspace_id))
        assert summary.available == 198
        assert summary.used_this_period == 0
        await billing.charge_credits(
            session, acting(services, tenant.workspace_id), billing.Action.HASHTAGS, amount=1
        )
    state = await ledger_state(services, tenant.workspace_id)
    assert state["balance"] == 197
    assert_invariants(state)


def test_powerpost_prices_per_platform_and_research_mode() -> None:
    costs = CreditCosts()
    assert billing.powerpost_generation_price(costs, platforms=2, research_mode="regular") == 10
    assert billing.powerpost_generation_price(costs, platforms=2, research_mode="deep") == 15
    assert billing.powerpost_generation_price(costs, platforms=1, research_mode="deep") == 8
    assert billing.price(costs, billing.Action.IMAGE, units=2) == 10
    assert billing.price(CreditCosts(thread=3), billing.Action.THREAD) == 3
