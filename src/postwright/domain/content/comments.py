"""Comments: one generated reply (LinkedIn ones are saved), beast mode's five varied
replies, and the workspace's comment list (search by name, manual entry, soft delete)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import func, or_

from postwright.core.errors import Forbidden, NotFound, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.pagination import PageResult, paginate_page
from postwright.core.tenancy import scoped
from postwright.domain.billing.service import QuotaType, consume_quota
from postwright.domain.content.comment_models import Comment, CommentSource
from postwright.domain.content.metering import units_available
from postwright.domain.generation import service as generation
from postwright.domain.generation.errors import AiResponseIncomplete
from postwright.domain.generation.outputs import Comment as GeneratedComment
from postwright.domain.generation.tasks import CommentTask

if TYPE_CHECKING:
    from postwright.domain.context import Ctx

CommentPlatform = Literal["linkedin", "x"]
PLATFORMS: dict[str, CommentPlatform] = {"linkedin": "linkedin", "x": "x", "twitter": "x"}
BEAST_MODE_VARIANTS = 5


def comment_platform(value: str) -> CommentPlatform:
    platform = PLATFORMS.get(value.strip().lower())
    if platform is None:
        raise ValidationFailed(
            "platform must be linkedin or x",
            details=[{"field": "platform", "message": "must be one of: linkedin, x"}],
        )
    return platform


@dataclass(frozen=True)
class CommentRequest:
    post_content: str
    platform: CommentPlatform = "linkedin"
    tone: str | None = None
    length: Literal["short", "medium", "long"] = "short"
    user_comment: str | None = None
    author_name: str | None = None
    author_url: str | None = None
    author_bio: str | None = None


@dataclass(frozen=True)
class GeneratedComments:
    comments: list[GeneratedComment]
    saved: Comment | None
    seconds: float


async def _run(
    ctx: Ctx, request: CommentRequest, *, variants: int, kind: str
) -> list[GeneratedComment]:
    await units_available(ctx, QuotaType.COMMENT_GENERATION, wanted=variants, minimum=variants)
    task = CommentTask(
        post_content=request.post_content,
        platform=request.platform,
        tone=request.tone,
        length=request.length,
        user_comment=request.user_comment,
        author_name=request.author_name,
        author_bio=request.author_bio,
        variants=variants,
    )
    engine = await generation.workspace_engine(ctx)
    done = await generation.generate(ctx, task, action=None, kind=kind, engine=engine)
    comments = done.output.comments[:variants]
    if len(comments) < variants:
        raise AiResponseIncomplete(f"The engine wrote {len(comments)} of {variants} comments")
    await consume_quota(ctx.session, ctx.actor, QuotaType.COMMENT_GENERATION, units=variants)
    return comments


def _split_name(name: str | None) -> tuple[str, str]:
    first, _, last = (name or "").strip().partition(" ")
    return first[:200], last.strip()[:200]


async def generate_comment(ctx: Ctx, request: CommentRequest) -> GeneratedComments:
    """One comment (one ``comment_generation`` unit); a LinkedIn comment is also saved."""
    started = time.perf_counter()
    comments = await _run(ctx, request, variants=1, kind="zorbit-comment")
    saved = None
    if request.platform == "linkedin":
        first, last = _split_name(request.author_name)
        saved = _new_comment(
            ctx,
            first_name=first,
            last_name=last,
            title=(request.author_bio or "")[:500],
            quote=comments[0].quote,
            source=CommentSource.GENERATED,
        )
        saved.profile_url = request.author_url
        saved.post_content = request.post_content
        ctx.session.add(saved)
        await ctx.session.flush()
    return GeneratedComments(
        comments=comments, saved=saved, seconds=round(time.perf_counter() - started, 2)
    )


async def beast_mode(ctx: Ctx, request: CommentRequest) -> GeneratedComments:
    """Five varied comments for five ``comment_generation`` units (402 unless all five fit)."""
    started = time.perf_counter()
    comments = await _run(ctx, request, variants=BEAST_MODE_VARIANTS, kind="zorbit-beast-mode")
    return GeneratedComments(
        comments=comments, saved=None, seconds=round(time.perf_counter() - started, 2)
    )


def _new_comment(
    ctx: Ctx,
    *,
    first_name: str,
    last_name: str,
    title: str,
    quote: str,
    source: CommentSource,
    image: str = "",
) -> Comment:
    now = ctx.now()
    return Comment(
        id=new_id("comment"),
        workspace_id=ctx.workspace_id,
        user_id=ctx.user_id,
        first_name=first_name,
        last_name=last_name,
        title=title,
        quote=quote,
        image=image,
        platform="linkedin",
        source=source,
        created_at=now,
        updated_at=now,
    )


async def create_comment(
    ctx: Ctx,
    *,
    first_name: str,
    last_name: str,
    title: str,
    quote: str,
    image: str,
) -> Comment:
    problems = [
        {"field": field, "message": "must not be blank"}
        for field, value in (("firstName", first_name), ("quote", quote))
        if not value.strip()
    ]
    if problems:
        raise ValidationFailed(details=problems)
    comment = _new_comment(
        ctx,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        title=title.strip(),
        quote=quote.strip(),
        source=CommentSource.MANUAL,
        image=image,
    )
    ctx.session.add(comment)
    await ctx.session.flush()
    return comment


def _like_pattern(search: str) -> str:
    escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_comments(
    ctx: Ctx, *, page: int, limit: int, search: str | None
) -> PageResult[Comment]:
    """Newest first; ``search`` matches first or last name, case-insensitively."""
    statement = scoped(Comment, ctx.workspace_id)
    if search and search.strip():
        pattern = _like_pattern(search.strip())
        statement = statement.where(
            or_(
                func.lower(Comment.first_name).like(pattern, escape="\\"),
                func.lower(Comment.last_name).like(pattern, escape="\\"),
            )
        )
    statement = statement.order_by(Comment.created_at.desc(), Comment.id.desc())
    return await paginate_page(ctx.session, statement, page=page, limit=limit)


async def delete_comment(ctx: Ctx, comment_id: str) -> Comment:
    comment = await ctx.session.scalar(
        scoped(Comment, ctx.workspace_id).where(Comment.id == comment_id).with_for_update()
    )
    if comment is None:
        raise NotFound("Comment not found")
    if comment.user_id != ctx.user_id:
        raise Forbidden("Only the comment's owner can delete it")
    now = ctx.now()
    comment.soft_delete(now)
    comment.updated_at = now
    await ctx.session.flush()
    return comment
