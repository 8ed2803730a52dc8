"""zorbit posts: list, create, read, update (reactions, saving, scheduling), soft delete.

zorbit sees the rows of the shared ``posts`` table it made itself (sources manual, generated
and feed). Every member of a workspace reads its posts; only the post's owner changes or
deletes one ("not post owner" is 403), and another workspace's post is 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute

from postwright.core.errors import Forbidden, NotFound, ValidationFailed
from postwright.core.pagination import AnyRow, AnySelect, PageResult, paginate_rows
from postwright.core.tenancy import scoped
from postwright.domain.accounts.context import Actor
from postwright.domain.content import post_service
from postwright.domain.content.images import ImageUpload
from postwright.domain.content.models import Post, PostCount, PostSource, PublishState
from postwright.domain.media.assets import store_upload
from postwright.domain.personas import service as personas
from postwright.domain.personas.service import PersonaView

if TYPE_CHECKING:
    from postwright.domain.context import Ctx, RequestCtx

ZORBIT_SOURCES = (PostSource.MANUAL, PostSource.GENERATED, PostSource.FEED)
SORT_FIELDS: dict[str, InstrumentedAttribute[Any]] = {
    "createdAt": Post.created_at,
    "scheduledOn": Post.scheduled_on,
    "linkedinPostedAt": Post.published_at,
}
# A schedule a little in the past is a slow client, not a mistake.
SCHEDULE_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class PostQuery:
    type: str | None = None
    persona_id: str | None = None
    scheduled_only: bool = False
    posted_only: bool = False
    sort: str = "createdAt:desc"


@dataclass(frozen=True)
class PostChanges:
    """What a PUT may change; ``None`` leaves a field alone (``unschedule`` and
    ``remove_image`` clear those)."""

    content: str | None = None
    type: str | None = None
    is_liked: bool | None = None
    is_disliked: bool | None = None
    is_saved: bool | None = None
    scheduled_on: datetime | None = None
    unschedule: bool = False
    image: ImageUpload | None = None
    remove_image: bool = False

    def is_empty(self) -> bool:
        values = (self.content, self.type, self.is_liked, self.is_disliked, self.is_saved)
        return (
            all(v is None for v in values)
            and self.scheduled_on is None
            and not (self.unschedule or self.remove_image or self.image)
        )


is_posted = post_service.is_published


class PostSummary(Protocol):
    """What a list item shows, read as plain rows rather than entities: loading thirty-odd
    columns (a JSON document among them) into tracked objects was ~8 % of a list request."""

    @property
    def id(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def persona_id(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def scheduled_on(self) -> datetime | None: ...
    @property
    def publish_state(self) -> str: ...
    @property
    def external_url(self) -> str | None: ...


_SUMMARY_COLUMNS = (
    Post.id,
    Post.content,
    Post.type,
    Post.persona_id,
    Post.created_at,
    Post.scheduled_on,
    Post.publish_state,
    Post.external_url,
)


def zorbit_posts(actor: Actor) -> Select[Post]:
    return scoped(Post, actor.workspace_id).where(Post.source.in_(ZORBIT_SOURCES))


def _order(sort: str) -> list[ColumnElement[Any]]:
    field, _, direction = sort.partition(":")
    column = SORT_FIELDS.get(field)
    if column is None or direction not in ("asc", "desc"):
        allowed = ", ".join(SORT_FIELDS)
        message = f"sort must be 'field:direction' with field one of {allowed} and asc or desc"
        raise ValidationFailed(message, details=[{"field": "sort", "message": message}])
    if direction == "asc":
        return [column.asc().nulls_last(), Post.id.asc()]
    return [column.desc().nulls_last(), Post.id.desc()]


async def list_posts(
    ctx: RequestCtx, query: PostQuery, *, page: int, limit: int
) -> PageResult[PostSummary]:
    session, actor = ctx.session, ctx.actor
    unfiltered = not (query.type or query.persona_id or query.scheduled_only or query.posted_only)
    if not unfiltered or query.sort != DEFAULT_SORT:
        order = _order(query.sort)
        statement = zorbit_posts(actor)
        if query.type:
            statement = statement.where(Post.type == query.type)
        if query.persona_id:
            statement = statement.where(Post.persona_id == query.persona_id)
        if query.scheduled_only:
            statement = statement.where(
                Post.scheduled_on.is_not(None), Post.publish_state != PublishState.PUBLISHED
            )
        if query.posted_only:
            statement = statement.where(Post.publish_state == PublishState.PUBLISHED)
        summaries = statement.with_only_columns(*_SUMMARY_COLUMNS).order_by(*order)
        page_of_rows = await paginate_rows(session, summaries, page=page, limit=limit)
        return cast("PageResult[PostSummary]", page_of_rows)
    # The documented default: an exact count kept by triggers (no scan), and the page's ids
    # picked from the covering index alone before the rows are read (a deferred join).
    # The count rides along with the page as an uncorrelated scalar subquery (computed once):
    # one statement instead of two; only a page past the end reads the count on its own.
    workspace = {"workspace_id": actor.workspace_id}
    offset = (page - 1) * limit
    if offset >= DEEP_OFFSET:
        # Deep pages: with the exact total known, a page in the older half is read from the
        # other end of the index (skipping total - offset rows instead of offset).
        total = int(await session.scalar(_TOTAL_ALONE, workspace) or 0)
        if offset >= total:
            return PageResult(items=[], total_count=total, page=page, limit=limit)
        if offset > total // 2:
            end = min(offset + limit, total)
            window = {**workspace, "offset": total - end, "limit": end - offset}
            picked = (await session.execute(_OLDEST_FIRST, window)).all()
            return PageResult(
                items=_summaries(reversed(picked)), total_count=total, page=page, limit=limit
            )
        rows_only = await session.execute(
            _NEWEST_FIRST, {**workspace, "offset": offset, "limit": limit}
        )
        return PageResult(items=_summaries(rows_only), total_count=total, page=page, limit=limit)
    rows = (
        await session.execute(
            _NEWEST_FIRST_WITH_TOTAL, {**workspace, "offset": offset, "limit": limit}
        )
    ).all()
    count = rows[0].total_count if rows else await session.scalar(_TOTAL_ALONE, workspace)
    return PageResult(items=_summaries(rows), total_count=int(count or 0), page=page, limit=limit)


def _summaries(rows: Iterable[AnyRow]) -> list[PostSummary]:
    return cast("list[PostSummary]", list(rows))


# From this offset on, the page/limit list reads the total first to pick the nearer end.
DEEP_OFFSET = 10_000
# The documented default order, served by the prebuilt statements below.
DEFAULT_SORT = "createdAt:desc"


def _page_of_posts(*, ascending: bool) -> AnySelect:
    """The page's ids from the covering index alone, then their rows (a deferred join).
    Built once with bound parameters (workspace_id, offset, limit): constructing the
    expression cost more CPU per request than running it."""
    order = (
        (Post.created_at.asc(), Post.id.asc())
        if ascending
        else (Post.created_at.desc(), Post.id.desc())
    )
    ids = (
        select(Post.id)
        .where(
            Post.workspace_id == bindparam("workspace_id"),
            Post.deleted_at.is_(None),
            Post.source.in_(ZORBIT_SOURCES),
        )
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .subquery()
    )
    return select(*_SUMMARY_COLUMNS).join(ids, ids.c.id == Post.id).order_by(*order)


_TOTAL = (
    select(func.coalesce(func.sum(PostCount.live), 0))
    .where(
        PostCount.workspace_id == bindparam("workspace_id"),
        PostCount.source.in_([s.value for s in ZORBIT_SOURCES]),
    )
    .scalar_subquery()
)
_TOTAL_ALONE = select(_TOTAL)
_NEWEST_FIRST = _page_of_posts(ascending=False)
_OLDEST_FIRST = _page_of_posts(ascending=True)
_NEWEST_FIRST_WITH_TOTAL = _NEWEST_FIRST.add_columns(_TOTAL.label("total_count"))


async def usable_persona(ctx: Ctx, persona_id: str | None) -> PersonaView | None:
    """The persona a post names: one of the workspace's or a system one (400 otherwise)."""
    if persona_id is None:
        return None
    try:
        return await personas.get_view(ctx, persona_id)
    except NotFound:
        raise ValidationFailed(
            "Persona not found",
            details=[{"field": "personaId", "message": "no such persona in this workspace"}],
        ) from None


async def create_post(
    ctx: RequestCtx,
    *,
    content: str,
    type: str = "post",
    persona_id: str | None = None,
    is_saved: bool = False,
    image: ImageUpload | None = None,
) -> Post:
    post_service.require_content(content)
    await usable_persona(ctx, persona_id)
    post = post_service.build_post(
        ctx.actor,
        post_service.PostDraft(
            content=content, type=type, persona_id=persona_id, is_saved=is_saved
        ),
        source=PostSource.MANUAL,
    )
    if image is not None:
        await _attach_image(ctx, post, image)
    ctx.session.add(post)
    await ctx.session.flush()
    return post


def new_post(
    actor: Actor,
    *,
    content: str,
    source: PostSource,
    persona_id: str | None = None,
    thread_id: str | None = None,
    content_length: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> Post:
    """An unsaved zorbit post owned by the actor (the caller adds it to the session)."""
    draft = post_service.PostDraft(
        content=content,
        persona_id=persona_id,
        thread_id=thread_id,
        content_length=content_length,
        attributes=attributes or {},
    )
    return post_service.build_post(actor, draft, source=source)


async def _attach_image(ctx: RequestCtx, post: Post, image: ImageUpload) -> None:
    asset = await store_upload(
        ctx,
        data=image.data,
        content_type=image.content_type,
        folder="posts",
        post_id=post.id,
    )
    post.image_key = asset.key
    post.image_url = None


async def get_post(ctx: RequestCtx, post_id: str) -> Post:
    """A zorbit post of the actor's workspace, or 404."""
    post = await ctx.session.scalar(zorbit_posts(ctx.actor).where(Post.id == post_id))
    if post is None:
        raise NotFound("Post not found")
    return post


async def _owned(ctx: RequestCtx, post_id: str) -> Post:
    post = await ctx.session.scalar(
        zorbit_posts(ctx.actor).where(Post.id == post_id).with_for_update()
    )
    if post is None:
        raise NotFound("Post not found")
    if post.user_id != ctx.user_id:
        raise Forbidden("Only the post's owner can change it")
    return post


def _schedule(post: Post, at: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise ValidationFailed(
            details=[{"field": "scheduledOn", "message": "must include a timezone"}]
        )
    if is_posted(post):
        raise ValidationFailed(
            "This post is already posted",
            details=[{"field": "scheduledOn", "message": "the post is already posted"}],
        )
    if at < now - SCHEDULE_GRACE:
        raise ValidationFailed(
            details=[{"field": "scheduledOn", "message": "must not be in the past"}]
        )
    post_service.schedule(post, at, now=now)


def _react(post: Post, changes: PostChanges) -> None:
    if changes.is_liked and changes.is_disliked:
        raise ValidationFailed(
            "A post cannot be liked and disliked at once",
            details=[{"field": "isDisliked", "message": "conflicts with isLiked"}],
        )
    if changes.is_liked is not None:
        post.is_liked = changes.is_liked
        if changes.is_liked:
            post.is_disliked = False
    if changes.is_disliked is not None:
        post.is_disliked = changes.is_disliked
        if changes.is_disliked:
            post.is_liked = False
    if changes.is_saved is not None:
        post.is_saved = changes.is_saved


async def update_post(ctx: RequestCtx, post_id: str, changes: PostChanges) -> Post:
    if changes.is_empty():
        raise ValidationFailed("No valid fields to update")
    post = await _owned(ctx, post_id)
    now = ctx.now()
    if changes.content is not None:
        post_service.set_content(post, changes.content, now=now)
    if changes.type is not None:
        post.type = changes.type
    _react(post, changes)
    if changes.scheduled_on is not None:
        _schedule(post, changes.scheduled_on, now)
    elif changes.unschedule:
        post_service.unschedule(post, now=now)
    if changes.image is not None:
        await _attach_image(ctx, post, changes.image)
    elif changes.remove_image:
        post.image_key = post.image_url = None
    post.updated_at = now
    await ctx.session.flush()
    return post


async def delete_post(ctx: RequestCtx, post_id: str) -> Post:
    """Soft delete: hidden at once, restorable for the retention window."""
    post = await _owned(ctx, post_id)
    post_service.soft_delete(post, now=ctx.now())
    await ctx.session.flush()
    return post
