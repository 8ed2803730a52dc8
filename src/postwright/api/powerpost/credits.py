"""powerpost: Get Credits — the workspace's credit balance, in powerpost's snake_case."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from postwright.api.deps import ActorDep, SessionDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import error_responses
from postwright.domain.billing import service as billing

router = APIRouter(prefix="/api/v1/content", tags=["powerpost: credits"])


class CreditsOut(BaseModel):
    credits_remaining: int = Field(description="Usable now: balance minus reserved")
    credits_balance: int = Field(description="All credits held, reserved ones included")
    credits_reserved: int = Field(description="Held for running generations")
    credits_used_this_period: int
    plan_id: str | None
    period_start: str
    period_end: str


@router.get("/credits", response_model=CreditsOut, responses=error_responses())
async def get_credits(actor: ActorDep, session: SessionDep) -> CreditsOut:
    summary = await billing.credit_summary(session, actor)
    return CreditsOut(
        credits_remaining=summary.available,
        credits_balance=summary.balance,
        credits_reserved=summary.reserved,
        credits_used_this_period=summary.used_this_period,
        plan_id=summary.plan_id,
        period_start=isoformat_z(summary.period_start),
        period_end=isoformat_z(summary.period_end),
    )
