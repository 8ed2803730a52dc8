"""Subscriptions: one per workspace, created lazily on the free plan at first use.

Periods are rolled forward lazily too. A free-priced plan renews itself every UTC month; a
paid plan's periods come from the payment provider (``activate_subscription``), and a paid
period that ends without a renewal expires. A subscription cancelled at period end becomes
``cancelled`` when the period ends. Ended subscriptions entitle to nothing (no quota, no AI,
no monthly credits) until ``renew_free`` or a new payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import NotFound, ValidationFailed
from postwright.core.ids import new_id
from postwright.domain.billing.context import Acting, insert_if_absent
from postwright.domain.billing.models import (
    ENTITLED_STATUSES,
    FREE_PLAN_ID,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from postwright.domain.billing.periods import month_start, next_month_start
from postwright.domain.billing.plans import get_free_plan, get_plan

if TYPE_CHECKING:
    from postwright.domain.context import Ctx


@dataclass(frozen=True)
class SubscriptionState:
    status: str
    period_start: datetime
    period_end: datetime
    cancel_at_period_end: bool


@dataclass(frozen=True)
class Entitlement:
    """What a workspace may use right now; ``plan`` is None once its subscription ended."""

    plan: Plan | None
    subscribed_plan: Plan
    subscription: Subscription | None
    state: SubscriptionState

    @property
    def ai_access(self) -> bool:
        return self.plan is not None and self.plan.ai_access


def rolled(subscription: Subscription, plan: Plan, now: datetime) -> SubscriptionState:
    """The subscription's state at ``now`` (pure: the read paths project, writes persist)."""
    state = SubscriptionState(
        status=subscription.status,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
    )
    if now < state.period_end or state.status not in ENTITLED_STATUSES:
        return state
    if state.cancel_at_period_end:
        return SubscriptionState(
            SubscriptionStatus.CANCELLED, state.period_start, state.period_end, True
        )
    if plan.is_free and state.status == SubscriptionStatus.ACTIVE:
        return SubscriptionState(
            SubscriptionStatus.ACTIVE, month_start(now), next_month_start(now), False
        )
    return SubscriptionState(
        SubscriptionStatus.EXPIRED, state.period_start, state.period_end, False
    )


def _entitlement(
    subscription: Subscription | None, plan: Plan, state: SubscriptionState
) -> Entitlement:
    entitled = state.status in ENTITLED_STATUSES
    return Entitlement(
        plan=plan if entitled else None,
        subscribed_plan=plan,
        subscription=subscription,
        state=state,
    )


async def _stored(session: AsyncSession, workspace_id: str, *, lock: bool) -> Subscription | None:
    statement = select(Subscription).where(Subscription.workspace_id == workspace_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found: Subscription | None = await session.scalar(statement)
    return found


async def current_entitlement(session: AsyncSession, acting: Acting) -> Entitlement:
    """Read-only: the stored subscription rolled to now, or the implicit free one."""
    now = acting.now()
    subscription = await _stored(session, acting.workspace_id, lock=False)
    if subscription is None:
        plan = await get_free_plan(session)
        state = SubscriptionState(
            SubscriptionStatus.ACTIVE, month_start(now), next_month_start(now), False
        )
        return _entitlement(None, plan, state)
    plan = await get_plan(session, subscription.plan_id)
    return _entitlement(subscription, plan, rolled(subscription, plan, now))


async def ensure_subscription(session: AsyncSession, acting: Acting) -> Entitlement:
    """The workspace's subscription, created on the free plan if absent, rolled forward and
    locked for the rest of the transaction. Every billing write takes this lock first, so
    one workspace's billing writes queue behind each other."""
    now = acting.now()
    await insert_if_absent(
        session,
        Subscription,
        {
            "id": new_id("sub"),
            "workspace_id": acting.workspace_id,
            "user_id": acting.user_id,
            "plan_id": FREE_PLAN_ID,
            "status": SubscriptionStatus.ACTIVE.value,
            "current_period_start": month_start(now),
            "current_period_end": next_month_start(now),
            "cancel_at_period_end": False,
            "created_at": now,
            "updated_at": now,
        },
        ["workspace_id"],
    )
    subscription = await _stored(session, acting.workspace_id, lock=True)
    assert subscription is not None  # inserted above or by a concurrent first use
    plan = await get_plan(session, subscription.plan_id)
    state = rolled(subscription, plan, now)
    if state.status != subscription.status or state.period_end != subscription.current_period_end:
        subscription.status = state.status
        subscription.current_period_start = state.period_start
        subscription.current_period_end = state.period_end
        subscription.updated_at = now
        await session.flush()
    return _entitlement(subscription, plan, state)


async def get_subscription(ctx: Ctx) -> Entitlement | None:
    """The stored subscription as of now, or None when the workspace never had one."""
    entitlement = await current_entitlement(ctx.session, ctx.actor)
    return entitlement if entitlement.subscription is not None else None


async def cancel_subscription(ctx: Ctx) -> Subscription:
    """Cancel at the end of the current period (access continues until then)."""
    if await _stored(ctx.session, ctx.workspace_id, lock=False) is None:
        raise NotFound("No active subscription")
    entitlement = await ensure_subscription(ctx.session, ctx.actor)
    subscription = entitlement.subscription
    assert subscription is not None
    if entitlement.state.status not in ENTITLED_STATUSES:
        raise NotFound("No active subscription")
    subscription.cancel_at_period_end = True
    subscription.updated_at = ctx.now()
    await ctx.session.flush()
    return subscription


async def renew_free(ctx: Ctx) -> Subscription:
    """Back onto the free plan for the current month; refused while a paid plan is active."""
    entitlement = await ensure_subscription(ctx.session, ctx.actor)
    subscription = entitlement.subscription
    assert subscription is not None
    if entitlement.plan is not None and not entitlement.plan.is_free:
        raise ValidationFailed(
            "Not eligible for free renewal: the workspace has an active paid subscription"
        )
    now = ctx.now()
    subscription.plan_id = FREE_PLAN_ID
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.current_period_start = month_start(now)
    subscription.current_period_end = next_month_start(now)
    subscription.cancel_at_period_end = False
    subscription.external_id = None
    subscription.updated_at = now
    await ctx.session.flush()
    return subscription


async def activate_subscription(
    session: AsyncSession,
    acting: Acting,
    *,
    plan: Plan,
    period_start: datetime,
    period_end: datetime,
    external_id: str | None,
) -> Subscription:
    """The payment provider started or renewed a subscription on ``plan``."""
    if period_end <= period_start:
        raise ValidationFailed("The subscription period must end after it starts")
    entitlement = await ensure_subscription(session, acting)
    subscription = entitlement.subscription
    assert subscription is not None
    subscription.plan_id = plan.id
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.current_period_start = period_start
    subscription.current_period_end = period_end
    subscription.cancel_at_period_end = False
    subscription.external_id = external_id or subscription.external_id
    subscription.updated_at = acting.now()
    await session.flush()
    return subscription


async def mark_subscription(
    session: AsyncSession,
    acting: Acting,
    *,
    cancel_at_period_end: bool = False,
    past_due: bool = False,
) -> Subscription:
    """Provider events that do not start a period: cancellation, failed payment."""
    entitlement = await ensure_subscription(session, acting)
    subscription = entitlement.subscription
    assert subscription is not None
    if cancel_at_period_end:
        subscription.cancel_at_period_end = True
    if past_due and subscription.status == SubscriptionStatus.ACTIVE:
        subscription.status = SubscriptionStatus.PAST_DUE
    subscription.updated_at = acting.now()
    await session.flush()
    return subscription
