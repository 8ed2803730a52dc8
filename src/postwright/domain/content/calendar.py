"""Every post of a workspace as a planner sees it: by date (calendar), filtered and searched
(list), and the planner's moves — reschedule, approve/discard, delete and restore.

Unlike the dialect views (zorbit sees its own sources, sparkvox a project's), this one covers
every source: bulk output, project drafts and composed posts alike. Changing or deleting a
post is for its owner or a workspace owner/admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_

from postwright.core.errors import Forbidden, ValidationFailed
from postwright.core.pagination import PageResult, paginate_page
from postwright.core.softdelete import DEFAULT_RETENTION
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.content import post_service, trash
from postwright.domain.content.models import Post, PublishState, ReviewStatus
from postwright.domain.context import RequestCtx
from postwright.domain.publishing import scheduling

MAX_CALENDAR_POSTS = 500
SEARCH_MAX = 200


@dataclass(frozen=True)
class PostFilter:
    status: PublishState | None = None
    platform: str | None = None
    account_id: str | None = None
    persona_id: str | None = None
    search: str | None = None
    deleted: bool = False


def _when() -> ColumnElement[datetime]:
    """The date a post sits on: published, else scheduled, else created."""
    return func.coalesce(Post.published_at, Post.scheduled_on, Post.created_at)


def _filtered(ctx: RequestCtx, query: PostFilter) -> Select[Post]:
    statement = scoped(Post, ctx.workspace_id, include_deleted=query.deleted)
    if query.deleted:
        statement = statement.where(Post.deleted_at.is_not(None))
    if query.status is not None:
        statement = statement.where(Post.publish_state == query.status)
    if query.platform:
        statement = statement.where(Post.platform == query.platform)
    if query.account_id:
        statement = statement.where(Post.publish_account_id == query.account_id)
    if query.persona_id:
        statement = statement.where(Post.persona_id == query.persona_id)
    if query.search and query.search.strip():
        term = query.search.strip()[:SEARCH_MAX].lower()
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                func.lower(Post.content).like(pattern, escape="\\"),
                func.lower(func.coalesce(Post.title, "")).like(pattern, escape="\\"),
            )
        )
    return statement


async def posts_between(
    ctx: RequestCtx, *, start: datetime, end: datetime, query: PostFilter | None = None
) -> list[Post]:
    """Posts whose date (published, scheduled or created) falls in ``[start, end)``."""
    if end <= start:
        raise ValidationFailed("The calendar range must end after it starts")
    when = _when()
    statement = (
        _filtered(ctx, query or PostFilter())
        .where(when >= start, when < end)
        .order_by(when, Post.id)
        .limit(MAX_CALENDAR_POSTS)
    )
    return list(await ctx.session.scalars(statement))


async def search_posts(
    ctx: RequestCtx, query: PostFilter, *, page: int, limit: int
) -> PageResult[Post]:
    statement = _filtered(ctx, query).order_by(_when().desc(), Post.id.desc())
    return await paginate_page(ctx.session, statement, page=page, limit=limit)


async def get_post(ctx: RequestCtx, post_id: str, *, include_deleted: bool = False) -> Post:
    found: Post = await get_scoped(
        ctx.session, Post, ctx.workspace_id, post_id, include_deleted=include_deleted
    )
    return found


async def _changeable(ctx: RequestCtx, post_id: str, *, include_deleted: bool = False) -> Post:
    post: Post = await get_scoped(
        ctx.session,
        Post,
        ctx.workspace_id,
        post_id,
        include_deleted=include_deleted,
        for_update=True,
    )
    if post.user_id != ctx.user_id and not ctx.actor.role.can_manage:
        raise Forbidden("Only the post's owner or a workspace admin can change it")
    return post


_editable_state = post_service.check_not_in_flight


async def edit_text(ctx: RequestCtx, post_id: str, *, content: str) -> Post:
    post_service.require_content(content)
    post = await _changeable(ctx, post_id)
    _editable_state(post)
    post_service.set_content(post, content, now=ctx.now())
    await ctx.session.flush()
    return post


async def reschedule(ctx: RequestCtx, post_id: str, *, at: datetime) -> Post:
    """Move a post to ``at``. A post already headed to a provider (scheduled or failed) is
    scheduled again through the shared scheduling rule; a draft only gets its planned date."""
    if at.tzinfo is None:
        raise ValidationFailed(details=[{"field": "scheduledOn", "message": "needs a timezone"}])
    if at < ctx.now():
        raise ValidationFailed(
            details=[{"field": "scheduledOn", "message": "must not be in the past"}]
        )
    post = await _changeable(ctx, post_id)
    _editable_state(post)
    if post.publish_state in (PublishState.SCHEDULED, PublishState.FAILED):
        await scheduling.schedule(
            ctx,
            post,
            post.publish_provider,
            at=at,
            account_id=post.publish_account_id,
        )
    else:
        post_service.plan(post, at, now=ctx.now())
        await ctx.session.flush()
    return post


async def unschedule(ctx: RequestCtx, post_id: str) -> Post:
    """Off the schedule, back to a draft; a post publishing or published stays (409)."""
    post = await _changeable(ctx, post_id)
    _editable_state(post)
    post_service.unschedule(post, now=ctx.now())
    await ctx.session.flush()
    return post


async def review(ctx: RequestCtx, post_id: str, *, status: ReviewStatus) -> Post:
    """Approve or discard. Discarding a scheduled post takes it off the schedule."""
    post = await _changeable(ctx, post_id)
    if status == ReviewStatus.DISCARDED:
        post_service.discard(post, now=ctx.now())
    post.review_status = status
    post.updated_at = ctx.now()
    await ctx.session.flush()
    return post


async def delete_post(ctx: RequestCtx, post_id: str) -> Post:
    """Soft delete; a post being published cannot be pulled back mid-flight."""
    post = await _changeable(ctx, post_id)
    post_service.soft_delete(post, now=ctx.now())
    await ctx.session.flush()
    return post


async def restore_post(ctx: RequestCtx, post_id: str) -> Post:
    """Undo a delete within the retention window: the trash's one rule (410 after it, 409
    when the post is not deleted). A post whose schedule passed meanwhile comes back as a
    draft."""
    restored: Post = await trash.restore(ctx, trash.TrashType.POSTS, post_id)
    return restored


def retention_ends(post: Post) -> datetime | None:
    return post.deleted_at + DEFAULT_RETENTION if post.deleted_at else None


__all__ = [
    "PostFilter",
    "delete_post",
    "edit_text",
    "get_post",
    "posts_between",
    "reschedule",
    "restore_post",
    "retention_ends",
    "review",
    "search_posts",
    "unschedule",
]
