"""powerpost: Posts & Publishing — create a post (from a generation's output or text),
schedule it, publish it now, list and get. snake_case, ``x-api-key`` + ``X-Workspace-Id``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import Conflict, NotFound, ValidationFailed, error_responses
from postwright.domain.content import post_service
from postwright.domain.content.models import Post, PublishState
from postwright.domain.publishing import posts

router = APIRouter(prefix="/api/v1/content/posts", tags=["powerpost: posts & publishing"])
PostStatus = Literal["draft", "scheduled", "publishing", "published", "failed"]


class PostOut(BaseModel):
    post_id: str
    status: PostStatus
    content: str
    platform: str
    first_comment: str | None
    generation_id: str | None
    provider: str | None = Field(description="Where it is published; outbox when unset")
    account_id: str | None
    scheduled_at: str | None
    published_at: str | None
    external_id: str | None
    external_url: str | None
    error: dict[str, str] | None = Field(description="Why publishing failed (only when failed)")
    created_at: str
    updated_at: str


class PostList(BaseModel):
    data: list[PostOut]
    next_cursor: str | None
    has_more: bool


class CreatePostBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str = Field(
        min_length=1,
        max_length=70_000,
        description="The text: usually a generation's `outputs[platform]`",
    )
    platform: str = Field(min_length=1, max_length=40)
    first_comment: str | None = Field(default=None, max_length=10_000)
    generation_id: str | None = Field(
        default=None, max_length=100, description="The generation the content came from"
    )


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    scheduled_at: datetime = Field(description="ISO 8601 with a timezone")
    provider: str | None = Field(default=None, max_length=40)
    account_id: str | None = Field(default=None, max_length=500)


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    provider: str | None = Field(default=None, max_length=40)
    account_id: str | None = Field(default=None, max_length=500)


def _z(value: datetime | None) -> str | None:
    z = isoformat_z(value)
    return z.replace(".000Z", "Z") if z else None


def post_out(post: Post) -> PostOut:
    failed = post.publish_state == PublishState.FAILED
    return PostOut(
        post_id=post.id,
        status=PublishState(post.publish_state).value,
        content=post.content,
        platform=post.platform,
        first_comment=post.first_comment,
        generation_id=(post.attributes or {}).get("generation_id"),
        provider=post.publish_provider,
        account_id=post.publish_account_id,
        scheduled_at=_z(post.scheduled_on),
        published_at=_z(post.published_at),
        external_id=post.external_id,
        external_url=post.external_url,
        error=(
            {"code": "PUBLISH_FAILED", "message": post.publish_error or "Publishing failed"}
            if failed
            else None
        ),
        created_at=_z(post.created_at) or "",
        updated_at=_z(post.updated_at) or "",
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PostOut,
    responses=error_responses(ValidationFailed, NotFound),
)
async def create_post(body: CreatePostBody, ctx: CtxDep) -> PostOut:
    try:
        post = await posts.create_post(
            ctx,
            content=body.content,
            platform=body.platform,
            first_comment=body.first_comment,
            generation_id=body.generation_id,
        )
    except post_service.EmptyContent as exc:
        # powerpost's wording: the field named in an object, as its other 400s do.
        raise ValidationFailed(exc.message, details={"field": exc.field}) from None
    return post_out(post)


@router.get("", response_model=PostList, responses=error_responses())
async def list_posts(
    ctx: CtxDep,
    status_filter: Annotated[PostStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> PostList:
    page = await posts.list_posts(
        ctx,
        status=PublishState(status_filter) if status_filter else None,
        cursor=cursor,
        limit=limit,
    )
    return PostList(
        data=[post_out(p) for p in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get("/{post_id}", response_model=PostOut, responses=error_responses(NotFound))
async def get_post(post_id: str, ctx: CtxDep) -> PostOut:
    return post_out(await posts.get_post(ctx, post_id))


@router.post(
    "/{post_id}/schedule",
    response_model=PostOut,
    responses=error_responses(NotFound, Conflict, ValidationFailed),
)
async def schedule_post(post_id: str, body: ScheduleBody, ctx: CtxDep) -> PostOut:
    """Publish at ``scheduled_at`` through ``provider`` (default: the builtin outbox) and the
    provider's default account, or ``account_id``."""
    await posts.schedule_post(
        ctx,
        post_id,
        at=body.scheduled_at,
        provider=body.provider,
        account_id=body.account_id,
    )
    return post_out(await posts.get_post(ctx, post_id))


@router.post(
    "/{post_id}/publish",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PostOut,
    responses=error_responses(NotFound, Conflict, ValidationFailed),
)
async def publish_post(post_id: str, ctx: CtxDep, body: PublishBody | None = None) -> PostOut:
    """Publish as soon as possible; poll the post until ``status`` is published or failed."""
    options = body or PublishBody()
    await posts.publish_now(
        ctx,
        post_id,
        provider=options.provider,
        account_id=options.account_id,
    )
    return post_out(await posts.get_post(ctx, post_id))
