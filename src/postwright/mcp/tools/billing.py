"""Credits and quotas: what the workspace can still spend."""

from __future__ import annotations

from pydantic import BaseModel, Field

from postwright.core.clock import isoformat_z
from postwright.domain.billing import service as billing
from postwright.domain.context import RequestCtx
from postwright.mcp.runtime import tool


class QuotaOut(BaseModel):
    type: str
    limit: int
    used: int
    remaining: int
    reset_at: str | None


class CreditsOut(BaseModel):
    available: int = Field(description="Usable now: balance minus reserved")
    balance: int = Field(description="All credits held, reserved ones included")
    reserved: int = Field(description="Held for running bulk jobs and generations")
    used_this_period: int
    period_start: str
    period_end: str
    plan_id: str | None
    quotas: list[QuotaOut] = Field(description="Per-type plan quotas (image_creation, …)")


@tool(title="Credits and usage")
async def credits(ctx: RequestCtx) -> CreditsOut:
    """The workspace's credit balance, what it used this period, and its plan quotas. Check
    before large work: generation costs 1 credit per post, bulk jobs reserve up front."""
    summary = await billing.credit_summary(ctx.session, ctx.actor)
    usage = await billing.quota_usage(ctx.session, ctx.actor)
    return CreditsOut(
        available=summary.available,
        balance=summary.balance,
        reserved=summary.reserved,
        used_this_period=summary.used_this_period,
        period_start=isoformat_z(summary.period_start),
        period_end=isoformat_z(summary.period_end),
        plan_id=summary.plan_id,
        quotas=[
            QuotaOut(
                type=kind.value,
                limit=s.limit,
                used=s.used,
                remaining=s.remaining,
                reset_at=isoformat_z(s.reset_at),
            )
            for kind, s in usage.items()
        ],
    )
