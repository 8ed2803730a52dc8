"""A project's posts: list (by review status), read, and review — approve, edit, discard,
or approve and hand to a connected scheduling tool in the same call."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from postwright.core.errors import NotFound, ValidationFailed
from postwright.core.tenancy import scoped
from postwright.domain.content import post_service
from postwright.domain.content.models import Post, PostSource, ReviewStatus
from postwright.domain.context import Ctx
from postwright.domain.media.storage import MediaStorage, key_belongs_to
from postwright.domain.projects.scheduling import Scheduled, schedule_to_tool, scheduling_provider
from postwright.domain.projects.service import get_project

UNSET: object = object()
MAX_CONTENT = 10_000


@dataclass(frozen=True)
class PostEdit:
    """Fields left as ``UNSET`` are not changed; ``None`` clears a nullable one."""

    status: ReviewStatus | None = None
    generated_content: str | object = UNSET
    first_comment: str | object | None = UNSET
    image_url: str | object | None = UNSET
    provider: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class ReviewedPost:
    post: Post
    scheduled: Scheduled | None


async def list_posts(ctx: Ctx, project_id: str, *, status: ReviewStatus | None) -> list[Post]:
    project = await get_project(ctx, project_id)
    statement = scoped(Post, ctx.workspace_id).where(
        Post.project_id == project.id, Post.source == PostSource.PROJECT
    )
    if status is not None:
        statement = statement.where(Post.review_status == status)
    rows = await ctx.session.scalars(statement.order_by(Post.created_at, Post.id))
    return list(rows)


async def get_post(ctx: Ctx, project_id: str, post_id: str, *, for_update: bool = False) -> Post:
    """A post of the workspace's project; 404 for another project's or workspace's post."""
    project = await get_project(ctx, project_id)
    statement = scoped(Post, ctx.workspace_id).where(
        Post.id == post_id, Post.project_id == project.id, Post.source == PostSource.PROJECT
    )
    if for_update:
        statement = statement.with_for_update()
    post: Post | None = await ctx.session.scalar(statement)
    if post is None:
        raise NotFound("Post not found")
    return post


def _image_key(value: str | None, storage: MediaStorage, workspace_id: str) -> str | None:
    """The key behind ``value`` when it names this workspace's own stored file (the
    ``public_url`` of an upload), else None; anything else must be an https:// URL."""
    if value is None:
        return None
    key = storage.key_from_url(value)
    if key is not None and key_belongs_to(key, workspace_id):
        return key
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationFailed(
            "Invalid image_url",
            details=[{"field": "image_url", "message": "must be an https:// URL or null"}],
        )
    return None


def _check_edit(edit: PostEdit) -> str | None:
    problems = []
    if isinstance(edit.generated_content, str) and not post_service.has_content(
        edit.generated_content
    ):
        problems.append(post_service.empty_detail("generated_content"))
    if isinstance(edit.generated_content, str) and len(edit.generated_content) > MAX_CONTENT:
        problems.append(
            {"field": "generated_content", "message": f"at most {MAX_CONTENT} characters"}
        )
    if edit.provider is not None and edit.status not in (None, ReviewStatus.APPROVED):
        problems.append(
            {"field": "status", "message": "scheduling approves the post; status must be approved"}
        )
    if problems:
        raise ValidationFailed("Invalid post update", details=problems)
    return scheduling_provider(edit.provider) if edit.provider is not None else None


async def review_post(
    ctx: Ctx,
    project_id: str,
    post_id: str,
    edit: PostEdit,
) -> ReviewedPost:
    """Apply the edits; without a provider the post becomes ``status`` (default approved),
    with one it is approved and scheduled — all of it or, on any refusal, none of it."""
    provider = _check_edit(edit)
    image_key = None
    if edit.image_url is not UNSET:
        image_key = _image_key(edit.image_url, ctx.storage, ctx.workspace_id)  # type: ignore[arg-type]
    post = await get_post(ctx, project_id, post_id, for_update=True)
    now = ctx.now()
    if isinstance(edit.generated_content, str):
        post_service.set_content(post, edit.generated_content, now=now, field="generated_content")
    if edit.first_comment is not UNSET:
        post.first_comment = edit.first_comment  # type: ignore[assignment]
    if edit.image_url is not UNSET:
        post.image_url = edit.image_url  # type: ignore[assignment]
        post.image_key = image_key
    post.review_status = edit.status or ReviewStatus.APPROVED
    post.updated_at = now
    scheduled = None
    if provider is not None:
        post_service.require_content(
            post.content,
            field="generated_content",
            message="generated_content must be present when scheduling",
        )
        scheduled = await schedule_to_tool(ctx, post, provider, account_id=edit.account_id)
        post.publish_provider = scheduled.provider
    await ctx.session.flush()
    return ReviewedPost(post=post, scheduled=scheduled)
