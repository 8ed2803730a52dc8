"""Posts meant for publishing (powerpost's Posts & Publishing): create, list, get, schedule,
publish now. They are rows of the shared ``posts`` table."""

from __future__ import annotations

from datetime import datetime

from postwright.core import jobs
from postwright.core.db import after_commit
from postwright.core.errors import ValidationFailed
from postwright.core.pagination import KeysetPage, paginate_keyset
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.content import post_service
from postwright.domain.content.models import Post, PostSource, PublishState
from postwright.domain.context import Ctx, RequestCtx
from postwright.domain.generation.platforms import platform_key
from postwright.domain.jobs import generations
from postwright.domain.publishing import publisher, scheduling, workflow
from postwright.domain.publishing.scheduling import ScheduledPublication


async def create_post(
    ctx: RequestCtx,
    *,
    content: str,
    platform: str,
    first_comment: str | None = None,
    generation_id: str | None = None,
) -> Post:
    post = post_service.add_post(
        ctx.session,
        ctx.actor,
        post_service.PostDraft(
            content=content,
            platform=platform_key(platform),
            first_comment=first_comment,
            attributes={"generation_id": generation_id} if generation_id else {},
        ),
        source=PostSource.GENERATED if generation_id else PostSource.MANUAL,
    )
    if generation_id is not None:
        # The generation must be this workspace's (404 otherwise, like any other reference).
        await generations.get(ctx.session, ctx.actor, generation_id)
    await ctx.session.flush()
    return post


async def get_post(ctx: Ctx, post_id: str) -> Post:
    found: Post = await get_scoped(ctx.session, Post, ctx.workspace_id, post_id)
    return found


async def list_posts(
    ctx: Ctx,
    *,
    status: PublishState | None,
    cursor: str | None,
    limit: int,
    scheduled_from: datetime | None = None,
    scheduled_before: datetime | None = None,
) -> KeysetPage[Post]:
    """Newest first; ``scheduled_from``/``scheduled_before`` keep the posts scheduled in
    ``[from, before)`` (a post with no schedule is then left out)."""
    statement = scoped(Post, ctx.workspace_id)
    if status is not None:
        statement = statement.where(Post.publish_state == status)
    if scheduled_from is not None:
        statement = statement.where(Post.scheduled_on >= scheduled_from)
    if scheduled_before is not None:
        statement = statement.where(Post.scheduled_on < scheduled_before)
    scope = f"powerpost-posts:{ctx.workspace_id}:{status or ''}"
    if scheduled_from is not None or scheduled_before is not None:
        scope += f":{scheduled_from or ''}..{scheduled_before or ''}"
    return await paginate_keyset(
        ctx.session,
        statement,
        codec=ctx.cursors,
        created_at=Post.created_at,
        id_column=Post.id,
        cursor=cursor,
        limit=limit,
        scope=scope,
    )


async def schedule_post(
    ctx: Ctx,
    post_id: str,
    *,
    at: datetime,
    provider: str | None,
    account_id: str | None,
) -> ScheduledPublication:
    if at.tzinfo is None:
        raise ValidationFailed("scheduled_at needs a timezone", details={"field": "scheduled_at"})
    if at < ctx.now():
        raise ValidationFailed("scheduled_at is in the past", details={"field": "scheduled_at"})
    post = await get_scoped(ctx.session, Post, ctx.workspace_id, post_id, for_update=True)
    return await scheduling.schedule(ctx, post, provider, at=at, account_id=account_id)


async def publish_now(
    ctx: Ctx,
    post_id: str,
    *,
    provider: str | None,
    account_id: str | None,
) -> ScheduledPublication:
    """Schedule for now; where this process runs jobs, the loop is started at once after
    commit instead of at its next tick."""
    post = await get_scoped(ctx.session, Post, ctx.workspace_id, post_id, for_update=True)
    scheduled = await scheduling.schedule(ctx, post, provider, at=ctx.now(), account_id=account_id)
    if jobs.is_running() and ctx.settings.jobs.mode == "inprocess":

        async def start() -> None:
            for publication_id in await publisher.claim_due(
                ctx.services, workspace_id=ctx.workspace_id
            ):
                await workflow.publish_now(publication_id)

        after_commit(ctx.session, start)
    return scheduled
