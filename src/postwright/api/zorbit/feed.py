"""zorbit: ``/api/v1/feed`` — posts generated from the user's ideas, personas, liked and saved
posts, and the history of what the feed produced."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from postwright.api.deps import ActorDep, CtxDep, ServicesDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import PaymentRequired, error_responses
from postwright.core.pagination import MAX_PAGE
from postwright.domain.content import feed
from postwright.domain.content.models import Post
from postwright.domain.context import RequestCtx

router = APIRouter(prefix="/api/v1/feed", tags=["zorbit: feed"])


class FeedContent(BaseModel):
    text: str


class FeedMetadata(BaseModel):
    sourceType: str
    sourceId: str
    contentLength: str | None
    generatedWithWebSearch: bool = Field(
        description="True when the model that wrote the post had a web-search tool"
    )


class FeedPost(BaseModel):
    id: str
    content: FeedContent
    timestamp: str
    isLiked: bool
    isDisliked: bool
    isSaved: bool
    metadata: FeedMetadata


class FeedOut(BaseModel):
    posts: list[FeedPost]
    nextCursor: str | None
    hasMore: bool


class HistoryItem(BaseModel):
    id: str
    content: str
    createdAt: str
    source: str


def feed_post(post: Post) -> FeedPost:
    attributes = post.attributes or {}
    return FeedPost(
        id=post.id,
        content=FeedContent(text=post.content),
        timestamp=isoformat_z(post.created_at),
        isLiked=post.is_liked,
        isDisliked=post.is_disliked,
        isSaved=post.is_saved,
        metadata=FeedMetadata(
            sourceType=str(attributes.get("sourceType", "")),
            sourceId=str(attributes.get("sourceId", "")),
            contentLength=post.content_length,
            generatedWithWebSearch=bool(attributes.get("generatedWithWebSearch", False)),
        ),
    )


@router.get(
    "",
    response_model=FeedOut,
    responses=error_responses(PaymentRequired),
    openapi_extra=rate_limited("feed-generate", "100/hour"),
)
async def generate_feed(
    actor: ActorDep,
    services: ServicesDep,
    limit: int = Query(default=5, ge=1, le=feed.MAX_FEED_PAGE),
    cursor: str | None = Query(default=None, max_length=64, description="A nextCursor"),
) -> FeedOut:
    """Generates ``limit`` posts (fewer when the quota has fewer left), one
    ``post_generation`` unit each. When the configured model offers a web-search tool
    (OpenAI Responses, Anthropic, Google models) it is given to the model and
    ``generatedWithWebSearch`` is true; the builtin engine and models without one: false."""
    # A GET that writes: it gets a write transaction of its own, not the request's read one.
    async with services.db.transaction() as session:
        page = await feed.generate_feed(
            RequestCtx(session, actor, services), limit=limit, cursor=cursor
        )
    return FeedOut(
        posts=[feed_post(p) for p in page.posts],
        nextCursor=page.next_cursor,
        hasMore=page.has_more,
    )


@router.get("/history", response_model=list[HistoryItem], responses=error_responses())
async def feed_history(
    ctx: CtxDep,
    page: int = Query(default=1, ge=1, le=MAX_PAGE),
    limit: int = Query(default=10, ge=1, le=100),
) -> list[HistoryItem]:
    result = await feed.feed_history(ctx, page=page, limit=limit)
    return [
        HistoryItem(id=p.id, content=p.content, createdAt=isoformat_z(p.created_at), source="feed")
        for p in result.items
    ]
