"""``GET /api/v1/saved``: saved posts and content ideas, newest first, behind one keyset
cursor. Every stored idea counts as saved (zorbit keeps the ideas it generates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from postwright.core.errors import ValidationFailed
from postwright.core.pagination import paginate_keyset
from postwright.core.tenancy import scoped
from postwright.domain.content.conversation_models import Idea
from postwright.domain.content.models import Post
from postwright.domain.content.posts import zorbit_posts

if TYPE_CHECKING:
    from postwright.domain.context import RequestCtx

SavedType = Literal["post", "idea"]


@dataclass(frozen=True)
class SavedPage:
    posts: list[Post]
    ideas: list[Idea]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def saved_type(value: str | None) -> SavedType | None:
    if value in (None, "", "null"):
        return None
    if value == "post":
        return "post"
    if value == "idea":
        return "idea"
    raise ValidationFailed(
        "type must be post or idea",
        details=[{"field": "type", "message": "must be 'post' or 'idea' (or absent for both)"}],
    )


async def list_saved(
    ctx: RequestCtx, *, kind: SavedType | None, cursor: str | None, limit: int
) -> SavedPage:
    session, codec = ctx.session, ctx.cursors
    scope = f"saved:{ctx.workspace_id}:{kind or 'all'}"
    found: list[Post | Idea] = []
    truncated = False
    if kind in (None, "post"):
        posts = await paginate_keyset(
            session,
            zorbit_posts(ctx.actor).where(Post.is_saved.is_(True)),
            codec=codec,
            created_at=Post.created_at,
            id_column=Post.id,
            cursor=cursor,
            limit=limit,
            scope=scope,
        )
        found.extend(posts.items)
        truncated |= posts.has_more
    if kind in (None, "idea"):
        ideas = await paginate_keyset(
            session,
            scoped(Idea, ctx.workspace_id),
            codec=codec,
            created_at=Idea.created_at,
            id_column=Idea.id,
            cursor=cursor,
            limit=limit,
            scope=scope,
        )
        found.extend(ideas.items)
        truncated |= ideas.has_more
    # Each listing brought up to ``limit`` rows after the cursor; the page is the newest
    # ``limit`` of their union, in the same (created_at, id) order, so one cursor serves both.
    found.sort(key=lambda row: (row.created_at, row.id), reverse=True)
    page = found[:limit]
    more = truncated or len(found) > limit
    next_cursor = None
    if more and page:
        last = page[-1]
        next_cursor = codec.encode({"s": scope, "t": last.created_at.isoformat(), "i": last.id})
    return SavedPage(
        posts=[row for row in page if isinstance(row, Post)],
        ideas=[row for row in page if isinstance(row, Idea)],
        next_cursor=next_cursor,
    )
