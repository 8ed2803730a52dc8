"""zorbit: ``POST /api/v1/post/publish`` (cron) and ``POST /api/v1/post/share-linkedin``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, ServicesDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    error_responses,
)
from postwright.domain.publishing import publisher, sharing

router = APIRouter(prefix="/api/v1/post", tags=["zorbit: publishing"])


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    apiKey: str | None = Field(default=None, max_length=500)


class PublishResultOut(BaseModel):
    postId: str
    success: bool
    shareUrl: str | None = None
    provider: str
    error: str | None = None


class PublishOut(BaseModel):
    success: bool
    totalProcessed: int
    successCount: int
    failureCount: int
    results: list[PublishResultOut]
    processedAt: str


async def cron_caller(
    services: ServicesDep,
    body: Annotated[PublishBody | None, Body()] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key", include_in_schema=False)] = None,
) -> None:
    bearer = (
        authorization[7:].strip()
        if authorization and authorization[:7].lower() == "bearer "
        else None
    )
    credential = bearer or (x_api_key or "").strip() or (body.apiKey if body else None)
    if not await sharing.cron_caller_allowed(services, credential):
        raise Unauthorized("Invalid API key")


@router.post(
    "/publish",
    response_model=PublishOut,
    responses=error_responses(Unauthorized),
    dependencies=[Depends(cron_caller)],
)
async def publish_scheduled(services: ServicesDep) -> PublishOut:
    """For cron jobs: publishes every post scheduled within the next 2 minutes and every
    overdue one, in all workspaces. Authenticate with the internal key
    (``POSTWRIGHT_PUBLISHING_CRON_API_KEY``) or a platform admin's API key, as
    ``Authorization: Bearer``, ``X-API-Key`` or the ``apiKey`` body field."""
    outcomes = await publisher.publish_due_now(
        services, lookahead=timedelta(minutes=sharing.CRON_LOOKAHEAD_MINUTES)
    )
    results = [
        PublishResultOut(
            postId=o.post_id,
            success=o.success,
            shareUrl=o.url,
            provider=o.provider,
            error=o.error,
        )
        for o in outcomes
    ]
    succeeded = sum(1 for o in outcomes if o.success)
    return PublishOut(
        success=True,
        totalProcessed=len(outcomes),
        successCount=succeeded,
        failureCount=len(outcomes) - succeeded,
        results=results,
        processedAt=isoformat_z(services.clock.now()),
    )


class ShareBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    postId: str = Field(min_length=1, max_length=100)


class ShareOut(BaseModel):
    success: bool
    shareUrl: str | None
    sharedAt: str | None


@router.post(
    "/share-linkedin",
    response_model=ShareOut,
    responses=error_responses(Forbidden, NotFound, Conflict, sharing.ShareFailed),
    openapi_extra=rate_limited("share", "50/hour"),
)
async def share_linkedin(body: ShareBody, ctx: CtxDep) -> Any:
    """Publish one of your posts to your workspace's default LinkedIn account now."""

    outcome = await sharing.share_now(ctx, body.postId)
    return ShareOut(success=True, shareUrl=outcome.url, sharedAt=isoformat_z(outcome.published_at))
