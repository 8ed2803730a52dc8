"""Billing: the credit ledger, plans, subscriptions, quotas — the one home of metering.

Other areas call only what this module exports. Every function takes the session first and
the acting context second (a request's ``Actor`` or a ``SystemActor(workspace_id, at)`` for
jobs, webhooks and the CLI); none commits.

Quotas (zorbit)::

    await consume_quota(session, actor, QuotaType.POST_GENERATION, units=1)  # 402 + quota
    await release_quota(session, actor, QuotaType.PERSONAS)                 # persona deleted
    status = await check_quota(session, actor, QuotaType.IMAGE_CREATION)    # read-only

Credits (voxburst, adcopy, powerpost)::

    await require_ai_access(session, actor)                       # 402 AI_SUBSCRIPTION
    amount = price(costs, Action.THREAD)                          # costs = settings.billing.costs
    await charge_credits(session, actor, Action.THREAD, amount=amount, related_id=request_id)
    held = await reserve_credits(session, actor, 20, related_id=job.id, reference=job.id)
    await settle_reservation(session, actor, held.id, consumed=1, reference=f"{job.id}:{item}")
    await release_reservation(session, actor, held.id)            # cancel: refund the rest
    summary = await credit_summary(session, actor)                # balance/reserved/available

All credit failures are 402 ``INSUFFICIENT_CREDITS`` with ``required``/``available``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import NotFound
from postwright.domain.accounts.models import Workspace
from postwright.domain.billing.context import Acting, SystemActor
from postwright.domain.billing.costs import (
    Action,
    ResearchMode,
    powerpost_generation_price,
    price,
)
from postwright.domain.billing.errors import AiSubscriptionRequired
from postwright.domain.billing.ledger import (
    CreditSummary,
    Settlement,
    adjust_credits,
    charge_credits,
    credit_summary,
    grant_credits,
    ledger_entries,
    refund_credits,
    release_reservation,
    reserve_credits,
    settle_reservation,
    settle_reservation_parts,
)
from postwright.domain.billing.models import EntryKind
from postwright.domain.billing.plans import PlanSpec, create_plan, get_plan, list_plans
from postwright.domain.billing.quotas import (
    QuotaStatus,
    QuotaType,
    check_quota,
    consume_quota,
    parse_quota_type,
    quota_usage,
    release_quota,
    require_quota,
)
from postwright.domain.billing.subscriptions import (
    Entitlement,
    cancel_subscription,
    current_entitlement,
    get_subscription,
    renew_free,
)
from postwright.domain.billing.webhooks import (
    process_clerk_webhook,
    process_dodopayments_webhook,
)

if TYPE_CHECKING:
    from postwright.domain.context import Ctx


async def require_ai_access(session: AsyncSession, acting: Acting) -> Entitlement:
    """402 AI_SUBSCRIPTION unless the workspace's current plan includes AI (read-only)."""
    entitlement = await current_entitlement(session, acting)
    if not entitlement.ai_access:
        raise AiSubscriptionRequired()
    return entitlement


@dataclass(frozen=True)
class AiAccess:
    enabled: bool
    plan_id: str | None
    updated_at: datetime | None


async def ai_access(session: AsyncSession, acting: Acting) -> AiAccess:
    entitlement = await current_entitlement(session, acting)
    subscription = entitlement.subscription
    return AiAccess(
        enabled=entitlement.ai_access,
        plan_id=entitlement.plan.id if entitlement.plan else None,
        updated_at=subscription.updated_at if subscription else None,
    )


@dataclass(frozen=True)
class BudgetCheck:
    valid: bool
    error: str | None
    available: int
    estimated: int


async def check_budget(ctx: Ctx, *, estimated: int) -> BudgetCheck:
    """Pre-flight for a job costing ``estimated`` credits: reserves nothing, writes nothing."""
    summary = await credit_summary(ctx.session, ctx.actor)
    entitlement = await current_entitlement(ctx.session, ctx.actor)
    error = None
    if not entitlement.ai_access:
        error = "AI access requires an active subscription that includes AI"
    elif estimated > summary.available:
        error = "Insufficient credits"
    return BudgetCheck(
        valid=error is None, error=error, available=summary.available, estimated=estimated
    )


async def workspace_account(session: AsyncSession, workspace_id: str, now: datetime) -> SystemActor:
    """Operator access (CLI) to a workspace's billing; 404 when it does not exist."""
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None or workspace.deleted_at is not None:
        raise NotFound("Workspace not found")
    return SystemActor(workspace_id=workspace.id, at=now)


__all__ = [
    "Acting",
    "Action",
    "AiAccess",
    "AiSubscriptionRequired",
    "BudgetCheck",
    "CreditSummary",
    "Entitlement",
    "EntryKind",
    "PlanSpec",
    "QuotaStatus",
    "QuotaType",
    "ResearchMode",
    "Settlement",
    "SystemActor",
    "adjust_credits",
    "ai_access",
    "cancel_subscription",
    "charge_credits",
    "check_budget",
    "check_quota",
    "consume_quota",
    "create_plan",
    "credit_summary",
    "current_entitlement",
    "get_plan",
    "get_subscription",
    "grant_credits",
    "ledger_entries",
    "list_plans",
    "parse_quota_type",
    "powerpost_generation_price",
    "price",
    "process_clerk_webhook",
    "process_dodopayments_webhook",
    "quota_usage",
    "refund_credits",
    "release_quota",
    "release_reservation",
    "renew_free",
    "require_ai_access",
    "require_quota",
    "reserve_credits",
    "settle_reservation",
    "settle_reservation_parts",
    "workspace_account",
]
