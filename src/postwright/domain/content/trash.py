"""Trash: a workspace's soft-deleted records, and restoring them within the retention window.

zorbit promises "deleted records can be restored within 30 days"; this is the one rule behind
every restore (the REST trash routes and the dashboard's "restore a deleted post"). Who may
restore a record is who may delete it: the owner, and for posts and personas a workspace
owner/admin too. Listings show the records the actor may restore, newest deletion first.

Restore answers 404 for another workspace's id (or an unknown one), 403 for someone else's
record, 409 for a record that is not deleted, and 410 once the retention window has passed —
the record is gone for good, even if maintenance has not purged the row yet.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, literal, or_, select, union_all

from postwright.core.errors import Conflict, Forbidden, Gone, NotFound, ValidationFailed
from postwright.core.tenancy import get_scoped
from postwright.domain.billing.service import QuotaType, consume_quota
from postwright.domain.content import post_service
from postwright.domain.content.comment_models import Comment
from postwright.domain.content.conversation_models import Idea
from postwright.domain.content.models import Post, PublishState
from postwright.domain.context import RequestCtx
from postwright.domain.personas.models import Persona

LABEL_CHARACTERS = 120


class TrashType(enum.StrEnum):
    POSTS = "posts"
    IDEAS = "ideas"
    PERSONAS = "personas"
    COMMENTS = "comments"


@dataclass(frozen=True)
class _Kind:
    model: Any
    label: Callable[[], ColumnElement[str]]
    # Workspace owners/admins may restore other members' records too.
    admins: bool
    # Type-specific work a restore does (the persona takes its quota unit back).
    on_restore: Callable[[RequestCtx, Any], Awaitable[None]] | None = None


def _label(column: Any) -> ColumnElement[str]:
    return func.substr(func.coalesce(column, ""), 1, LABEL_CHARACTERS)


async def _restore_post(ctx: RequestCtx, post: Post) -> None:
    # A schedule that passed while the post was deleted would publish it at once: it comes
    # back as a draft instead; a schedule still ahead stands.
    due = post.scheduled_on is None or post.scheduled_on <= ctx.now()
    if post.publish_state == PublishState.SCHEDULED and due:
        post_service.unschedule(post, now=ctx.now())


async def _restore_persona(ctx: RequestCtx, persona: Persona) -> None:
    # Deleting gave the persona's quota unit back; restoring takes it again (402 when used up).
    await consume_quota(ctx.session, ctx.actor, QuotaType.PERSONAS, units=1)


KINDS: dict[TrashType, _Kind] = {
    TrashType.POSTS: _Kind(
        Post, lambda: _label(func.coalesce(Post.title, Post.content)), True, _restore_post
    ),
    TrashType.IDEAS: _Kind(Idea, lambda: _label(Idea.title), False),
    TrashType.PERSONAS: _Kind(Persona, lambda: _label(Persona.name), True, _restore_persona),
    TrashType.COMMENTS: _Kind(Comment, lambda: _label(Comment.quote), False),
}


@dataclass(frozen=True)
class TrashItem:
    type: TrashType
    id: str
    label: str
    user_id: str
    deleted_at: datetime
    restorable_until: datetime


@dataclass(frozen=True)
class TrashPage:
    items: list[TrashItem]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def retention(ctx: RequestCtx) -> timedelta:
    return timedelta(days=ctx.settings.soft_delete_retention_days)


def _may_restore(ctx: RequestCtx, kind: _Kind, owner_id: str) -> bool:
    return owner_id == ctx.user_id or (kind.admins and ctx.actor.role.can_manage)


async def list_trash(
    ctx: RequestCtx,
    *,
    types: list[TrashType] | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> TrashPage:
    """The records the actor may restore, deleted within the retention window, newest
    deletion first, by keyset cursor over (deleted_at, id). One statement."""
    scope = f"trash:{ctx.workspace_id}:{ctx.user_id}"
    after: tuple[datetime, str] | None = None
    if cursor:
        values = ctx.cursors.decode(cursor)
        if values.get("s") != scope:
            raise ValidationFailed(
                "Invalid cursor", details=[{"field": "cursor", "message": "cursor is not valid"}]
            )
        after = (datetime.fromisoformat(values["t"]), str(values["i"]))
    cutoff = ctx.now() - retention(ctx)
    branches = []
    for name in types or list(TrashType):
        kind = KINDS[name]
        model = kind.model
        statement = select(
            literal(name.value, String).label("type"),
            model.id.label("id"),
            kind.label().label("label"),
            model.user_id.label("user_id"),
            model.deleted_at.label("deleted_at"),
        ).where(
            model.workspace_id == ctx.workspace_id,
            model.deleted_at.is_not(None),
            model.deleted_at >= cutoff,
        )
        if not (kind.admins and ctx.actor.role.can_manage):
            statement = statement.where(model.user_id == ctx.user_id)
        if after is not None:
            statement = statement.where(
                or_(
                    model.deleted_at < after[0],
                    and_(model.deleted_at == after[0], model.id < after[1]),
                )
            )
        branches.append(statement)
    union = union_all(*branches).subquery("trash")
    rows = (
        await ctx.session.execute(
            select(union).order_by(union.c.deleted_at.desc(), union.c.id.desc()).limit(limit + 1)
        )
    ).all()
    keep = retention(ctx)
    items = [
        TrashItem(
            type=TrashType(row.type),
            id=row.id,
            label=row.label or "",
            user_id=row.user_id,
            deleted_at=row.deleted_at,
            restorable_until=row.deleted_at + keep,
        )
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = ctx.cursors.encode(
            {"s": scope, "t": last.deleted_at.isoformat(), "i": last.id}
        )
    return TrashPage(items=items, next_cursor=next_cursor)


async def restore(ctx: RequestCtx, kind_name: TrashType | str, item_id: str) -> Any:
    """Undo a soft delete: the restored row (a ``Post``, ``Idea``, ``Persona`` or
    ``Comment``)."""
    try:
        kind = KINDS[TrashType(kind_name)]
    except ValueError:
        raise NotFound("Unknown trash type") from None
    row = await get_scoped(
        ctx.session, kind.model, ctx.workspace_id, item_id, include_deleted=True, for_update=True
    )
    if not _may_restore(ctx, kind, row.user_id):
        raise Forbidden("Only the owner (or, for posts and personas, an admin) can restore it")
    if row.deleted_at is None:
        raise Conflict("This record is not deleted")
    now = ctx.now()
    if now - row.deleted_at > retention(ctx):
        raise Gone("This record was deleted more than the retention period ago")
    if kind.on_restore is not None:
        await kind.on_restore(ctx, row)
    row.deleted_at = None
    row.updated_at = now
    await ctx.session.flush()
    return row
