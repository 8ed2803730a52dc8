"""Plans: what a subscription entitles a workspace to (quota limits, credits, AI access)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import Forbidden, NotFound, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.models import MAX_INTEGER_COLUMN
from postwright.domain.billing.models import FREE_PLAN_ID, Plan

if TYPE_CHECKING:
    from postwright.domain.context import RequestCtx

INTERVALS = frozenset({"month", "year"})


@dataclass(frozen=True)
class PlanSpec:
    name: str
    price_cents: int
    post_generation_limit: int
    idea_generation_limit: int
    persona_limit: int
    image_creation_limit: int
    comment_generation_limit: int | None = None
    description: str | None = None
    currency: str = "USD"
    interval: str = "month"
    features: list[str] = field(default_factory=list)
    monthly_credits: int = 0
    ai_access: bool = True


async def list_plans(session: AsyncSession) -> list[Plan]:
    """Active plans, cheapest first."""
    rows = await session.scalars(
        select(Plan).where(Plan.is_active.is_(True)).order_by(Plan.price_cents, Plan.name)
    )
    return list(rows)


async def get_plan(session: AsyncSession, plan_id: str) -> Plan:
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("Plan not found")
    return plan


async def get_free_plan(session: AsyncSession) -> Plan:
    plan = await session.get(Plan, FREE_PLAN_ID)
    if plan is None:  # seeded by the billing migration
        raise RuntimeError("the free plan is missing; run `postwright migrate`")
    return plan


async def create_plan(ctx: RequestCtx, spec: PlanSpec) -> Plan:
    """Platform admins only. Without a comment limit a plan allows twice its post limit."""
    if not ctx.actor.is_platform_admin:
        raise Forbidden("Admin role required")
    problems: list[dict[str, Any]] = []
    if not spec.name.strip():
        problems.append({"field": "name", "message": "must not be blank"})
    if spec.interval not in INTERVALS:
        problems.append({"field": "interval", "message": "must be 'month' or 'year'"})
    if problems:
        raise ValidationFailed(details=problems)
    now = ctx.now()
    comment_limit = spec.comment_generation_limit
    plan = Plan(
        id=new_id("plan"),
        name=spec.name.strip(),
        description=spec.description,
        price_cents=spec.price_cents,
        currency=spec.currency.upper(),
        interval=spec.interval,
        features=list(spec.features),
        post_generation_limit=spec.post_generation_limit,
        idea_generation_limit=spec.idea_generation_limit,
        persona_limit=spec.persona_limit,
        image_creation_limit=spec.image_creation_limit,
        comment_generation_limit=(
            comment_limit
            if comment_limit is not None
            else min(2 * spec.post_generation_limit, MAX_INTEGER_COLUMN)
        ),
        monthly_credits=spec.monthly_credits,
        ai_access=spec.ai_access,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(plan)
    await ctx.session.flush()
    return plan
