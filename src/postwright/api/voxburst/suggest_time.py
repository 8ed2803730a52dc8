"""voxburst: ``GET /v1/ai/suggest-time/{accountId}``."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from postwright.api.deps import CtxDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import NotFound, error_responses
from postwright.domain.publishing import engagement

router = APIRouter(prefix="/v1/ai", tags=["voxburst: AI generation"])
# voxburst names X by its former name.
PLATFORM_NAMES = {"x": "twitter"}


class Alternative(BaseModel):
    time: str
    score: float


class SuggestedTime(BaseModel):
    accountId: str
    platform: str
    suggestedTime: str
    timezone: str
    confidence: float
    reasoning: str
    alternatives: list[Alternative]


def _z(value: str | None) -> str:
    # voxburst shows whole-second times: "2026-04-29T09:00:00Z".
    return (value or "").replace(".000Z", "Z")


@router.get(
    "/suggest-time/{accountId}",
    response_model=SuggestedTime,
    responses=error_responses(NotFound),
)
async def suggest_time(accountId: str, ctx: CtxDep) -> SuggestedTime:
    """The next best slot for this connected account, in its timezone: its imported
    engagement history blended with the platform's prior; ``confidence`` grows with the
    history's size. No model call, no credits."""
    found = await engagement.suggest_time(ctx, accountId)
    suggestion = found.suggestion
    return SuggestedTime(
        accountId=found.account.id,
        platform=PLATFORM_NAMES.get(suggestion.platform, suggestion.platform),
        suggestedTime=_z(isoformat_z(suggestion.suggested_time)),
        timezone=suggestion.timezone,
        confidence=suggestion.confidence,
        reasoning=suggestion.reasoning,
        alternatives=[
            Alternative(time=_z(isoformat_z(at)), score=score)
            for at, score in suggestion.alternatives
        ],
    )
