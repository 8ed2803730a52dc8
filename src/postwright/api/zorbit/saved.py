"""zorbit: ``GET /api/v1/saved`` — saved posts and content ideas behind one cursor."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from postwright.api.deps import CtxDep
from postwright.api.zorbit.ideas import IdeaOut, idea_out
from postwright.core.clock import isoformat_z
from postwright.core.errors import error_responses
from postwright.domain.content import posts, saved
from postwright.domain.content.models import Post
from postwright.domain.context import RequestCtx
from postwright.domain.media.assets import readable_image_url

router = APIRouter(prefix="/api/v1/saved", tags=["zorbit: saved"])


class SavedContent(BaseModel):
    text: str
    image: str | None
    imageKey: str | None


class SavedPost(BaseModel):
    id: str
    content: SavedContent
    timestamp: str
    isSaved: bool
    isLiked: bool
    isDisliked: bool
    isPostedOnLinkedin: bool
    linkedinUrl: str | None
    linkedinPostedAt: str | None
    scheduledOn: str | None


class SavedOut(BaseModel):
    posts: list[SavedPost]
    ideas: list[IdeaOut]
    nextCursor: str | None
    hasMore: bool


async def saved_post(post: Post, ctx: RequestCtx) -> SavedPost:
    posted = posts.is_posted(post)
    # The same signed, working URL ``GET /post/{id}`` gives.
    image = await readable_image_url(
        ctx.storage,
        ctx.settings,
        workspace_id=post.workspace_id,
        image_url=post.image_url,
        image_key=post.image_key,
    )
    return SavedPost(
        id=post.id,
        content=SavedContent(text=post.content, image=image, imageKey=post.image_key),
        timestamp=isoformat_z(post.created_at),
        isSaved=post.is_saved,
        isLiked=post.is_liked,
        isDisliked=post.is_disliked,
        isPostedOnLinkedin=posted,
        linkedinUrl=post.external_url,
        linkedinPostedAt=isoformat_z(post.published_at),
        scheduledOn=isoformat_z(post.scheduled_on),
    )


@router.get("", response_model=SavedOut, responses=error_responses())
async def list_saved(
    ctx: CtxDep,
    type: Literal["post", "idea"] | None = Query(default=None, description="Absent: both"),
    cursor: str | None = Query(default=None, max_length=1000),
    limit: int = Query(default=10, ge=1, le=100),
) -> SavedOut:
    """Newest first; pass ``nextCursor`` back as ``cursor`` while ``hasMore`` is true."""
    page = await saved.list_saved(ctx, kind=saved.saved_type(type), cursor=cursor, limit=limit)
    return SavedOut(
        posts=[await saved_post(p, ctx) for p in page.posts],
        ideas=[idea_out(i) for i in page.ideas],
        nextCursor=page.next_cursor,
        hasMore=page.has_more,
    )
