"""Billing test helpers: workspaces on a plan of known size, ledger sums."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from postwright.core.services import Services
from postwright.domain.billing import service as billing
from postwright.domain.billing.models import (
    CreditBalance,
    CreditLedgerEntry,
    CreditReservation,
    Plan,
    ReservationStatus,
)
from postwright.domain.billing.periods import month_start
from postwright.domain.billing.plans import get_plan
from postwright.domain.billing.subscriptions import activate_subscription
from tests.factories import Tenant, make_tenant


async def metered_plan(services: Services, *, monthly_credits: int = 0, **limits: int) -> str:
    """A paid plan with no automatic credits, created by a platform admin."""
    admin = await make_tenant(services, name="Platform", platform_admin=True)
    async with services.db.transaction() as session:
        actor = await billing.workspace_account(session, admin.workspace_id, services.clock.now())
        plan = Plan(
            id=f"plan_test_{admin.workspace_id[-8:]}",
            name="Metered",
            description=None,
            price_cents=1000,
            currency="USD",
            interval="month",
            features=[],
            post_generation_limit=limits.get("post_generation_limit", 5),
            idea_generation_limit=limits.get("idea_generation_limit", 5),
            persona_limit=limits.get("persona_limit", 2),
            image_creation_limit=limits.get("image_creation_limit", 5),
            comment_generation_limit=limits.get("comment_generation_limit", 10),
            monthly_credits=monthly_credits,
            ai_access=True,
            is_active=True,
            created_at=actor.now(),
            updated_at=actor.now(),
        )
        session.add(plan)
        await session.flush()
        return plan.id


async def subscribe(services: Services, workspace_id: str, plan_id: str) -> None:
    now = services.clock.now()
    async with services.db.transaction() as session:
        plan = await get_plan(session, plan_id)
        await activate_subscription(
            session,
            billing.SystemActor(workspace_id, now),
            plan=plan,
            period_start=month_start(now),
            period_end=month_start(now) + timedelta(days=400),
            external_id=None,
        )


async def funded_tenant(services: Services, credits: int, **limits: int) -> Tenant:
    """A workspace on a paid plan without monthly credits, holding exactly ``credits``."""
    tenant = await make_tenant(services)
    await subscribe(services, tenant.workspace_id, await metered_plan(services, **limits))
    if credits:
        async with services.db.transaction() as session:
            await billing.grant_credits(
                session, billing.SystemActor(tenant.workspace_id, services.clock.now()), credits
            )
    return tenant


async def ledger_state(services: Services, workspace_id: str) -> dict[str, int]:
    """The balance row next to what the ledger and the reservations add up to."""
    async with services.db.read_sessionmaker() as session:
        row = await session.get(CreditBalance, workspace_id)
        sums = (
            await session.execute(
                select(
                    func.coalesce(func.sum(CreditLedgerEntry.amount), 0),
                    func.coalesce(func.sum(CreditLedgerEntry.reserved_delta), 0),
                ).where(CreditLedgerEntry.workspace_id == workspace_id)
            )
        ).one()
        open_remaining = await session.scalar(
            select(
                func.coalesce(
                    func.sum(
                        CreditReservation.amount
                        - CreditReservation.consumed
                        - CreditReservation.refunded
                    ),
                    0,
                )
            ).where(
                CreditReservation.workspace_id == workspace_id,
                CreditReservation.status == ReservationStatus.OPEN.value,
            )
        )
    return {
        "balance": row.balance if row else 0,
        "reserved": row.reserved if row else 0,
        "ledger_balance": int(sums[0]),
        "ledger_reserved": int(sums[1]),
        "open_reservations": int(open_remaining or 0),
    }


def assert_invariants(state: dict[str, int]) -> None:
    assert state["balance"] == state["ledger_balance"]
    assert state["reserved"] == state["ledger_reserved"] == state["open_reservations"]
    assert state["balance"] - state["reserved"] >= 0
    assert state["reserved"] >= 0
