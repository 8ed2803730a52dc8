"""Posts: create, edit, schedule, list and delete the workspace's posts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from postwright.core.clock import isoformat_z
from postwright.domain.content import posts as content_posts
from postwright.domain.content.models import Post, PublishState
from postwright.domain.content.posts import PostChanges
from postwright.domain.context import Ctx
from postwright.domain.publishing import posts as publishing
from postwright.mcp.runtime import WRITE, tool
from postwright.mcp.tools.generation import Platform

PostId = Annotated[
    str, Field(min_length=1, max_length=64, description="A post id from create_post/list_posts")
]
Status = Literal["draft", "scheduled", "publishing", "published", "failed"]


class PostOut(BaseModel):
    id: str
    status: Status
    content: str
    platform: str
    first_comment: str | None
    provider: str | None = Field(description="Where it is published (outbox when unset)")
    account_id: str | None
    scheduled_at: str | None = Field(description="UTC, ISO 8601")
    published_at: str | None
    external_url: str | None = Field(description="The published post's URL")
    error: str | None = Field(description="Why publishing failed (status failed)")
    created_at: str
    updated_at: str


class PostPage(BaseModel):
    posts: list[PostOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page")
    has_more: bool


class Deleted(BaseModel):
    id: str
    deleted: bool
    deleted_at: str | None = Field(description="Restorable for 30 days from then")


def post_out(post: Post) -> PostOut:
    state = PublishState(post.publish_state)
    return PostOut(
        id=post.id,
        status=state.value,
        content=post.content,
        platform=post.platform,
        first_comment=post.first_comment,
        provider=post.publish_provider,
        account_id=post.publish_account_id,
        scheduled_at=isoformat_z(post.scheduled_on),
        published_at=isoformat_z(post.published_at),
        external_url=post.external_url,
        error=post.publish_error if state == PublishState.FAILED else None,
        created_at=isoformat_z(post.created_at),
        updated_at=isoformat_z(post.updated_at),
    )


@tool(title="Create a post", limit=WRITE, writes=True)
async def create_post(
    ctx: Ctx,
    content: Annotated[str, Field(min_length=1, max_length=70_000, description="The text")],
    platform: Platform,
    first_comment: Annotated[
        str | None, Field(max_length=10_000, description="Posted as the first comment")
    ] = None,
) -> PostOut:
    """Save a post as a draft (for example the `content` generate_post returned). Nothing is
    published until you call schedule_post."""
    post = await publishing.create_post(
        ctx.session, ctx.actor, content=content, platform=platform, first_comment=first_comment
    )
    return post_out(post)


@tool(title="Get a post")
async def get_post(ctx: Ctx, post_id: PostId) -> PostOut:
    """One post with its publishing status (draft, scheduled, publishing, published,
    failed) and, once published, its URL."""
    return post_out(await publishing.get_post(ctx.session, ctx.actor, post_id))


@tool(title="List posts")
async def list_posts(
    ctx: Ctx,
    status: Status | None = None,
    scheduled_from: Annotated[
        AwareDatetime | None,
        Field(description="Only posts scheduled at or after this time (ISO 8601 with offset)"),
    ] = None,
    scheduled_before: Annotated[
        AwareDatetime | None,
        Field(description="Only posts scheduled before this time (ISO 8601 with offset)"),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Field(max_length=500, description="From next_cursor")] = None,
) -> PostPage:
    """The workspace's posts, newest first, optionally by status and by scheduled time in
    [scheduled_from, scheduled_before) — e.g. everything scheduled next week."""
    page = await publishing.list_posts(
        ctx.session,
        ctx.actor,
        codec=ctx.cursors,
        status=PublishState(status) if status else None,
        cursor=cursor,
        limit=limit,
        scheduled_from=scheduled_from,
        scheduled_before=scheduled_before,
    )
    return PostPage(
        posts=[post_out(p) for p in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@tool(title="Update a post", limit=WRITE, writes=True, idempotent=True)
async def update_post(
    ctx: Ctx,
    post_id: PostId,
    content: Annotated[
        str | None, Field(min_length=1, max_length=50_000, description="The new text")
    ] = None,
    unschedule: Annotated[
        bool, Field(description="Take a scheduled post back to draft (it will not publish)")
    ] = False,
) -> PostOut:
    """Change a post's text or unschedule it. Only the post's author may change it; a
    published post cannot be unscheduled. To schedule use schedule_post."""
    await content_posts.update_post(
        ctx.session,
        ctx.actor,
        post_id,
        PostChanges(content=content, unschedule=unschedule),
        storage=ctx.storage,
    )
    return post_out(await publishing.get_post(ctx.session, ctx.actor, post_id))


@tool(title="Schedule a post", limit=WRITE, writes=True, idempotent=True)
async def schedule_post(
    ctx: Ctx,
    post_id: PostId,
    scheduled_at: Annotated[
        datetime, Field(description="When to publish: ISO 8601 with a timezone, in the future")
    ],
    provider: Annotated[
        str | None,
        Field(
            max_length=40,
            description="linkedin, x, bluesky, mastodon, buffer, publer; default: the "
            "builtin outbox (no connected account needed)",
        ),
    ] = None,
    account_id: Annotated[
        str | None,
        Field(max_length=500, description="A connected account (default: the provider's)"),
    ] = None,
) -> PostOut:
    """Publish a post at `scheduled_at` through a provider and connected account (see
    list_accounts). Rescheduling a scheduled post moves it."""
    await publishing.schedule_post(
        ctx.session,
        ctx.actor,
        post_id,
        at=scheduled_at,
        provider=provider,
        account_id=account_id,
    )
    return post_out(await publishing.get_post(ctx.session, ctx.actor, post_id))


@tool(title="Delete a post", limit=WRITE, writes=True, destructive=True, idempotent=True)
async def delete_post(ctx: Ctx, post_id: PostId) -> Deleted:
    """Delete a post (its author only). It disappears from lists at once and can be
    restored for 30 days."""
    post = await content_posts.delete_post(ctx.session, ctx.actor, post_id)
    return Deleted(id=post.id, deleted=True, deleted_at=isoformat_z(post.deleted_at))
