"""Generating images: draw with the configured provider, store, record, attach.

zorbit generates while the request waits (one ``image_creation`` quota unit); sparkvox and
powerpost start an ``ImageJob`` (credits reserved up front, settled when it ends) that the
workflow in ``media.workflow`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.db import after_commit
from postwright.core.errors import Forbidden, NotFound, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.settings import Settings
from postwright.domain.billing import holds
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import Acting
from postwright.domain.content.models import Post
from postwright.domain.media.assets import GENERATING, SignedImage, record_generated, sign
from postwright.domain.media.formats import FILE_EXTENSIONS, AspectRatio, parse_aspect_ratio
from postwright.domain.media.images import (
    ImageRequest,
    ImageStyle,
    image_provider_for,
    parse_style,
)
from postwright.domain.media.images.base import GeneratedImage
from postwright.domain.media.models import ImageJob, ImageJobStatus
from postwright.domain.media.prompts import headline_of, image_prompt_for
from postwright.domain.media.storage import MediaStorage, validate_key
from postwright.domain.personas import service as personas

if TYPE_CHECKING:
    from postwright.domain.context import Ctx

MAX_IMAGES_PER_JOB = 4


@dataclass(frozen=True)
class StoredImage:
    key: str
    content_type: str
    size_bytes: int
    provider: str


async def draw(settings: Settings, request: ImageRequest) -> GeneratedImage:
    provider = image_provider_for(settings)
    try:
        return await provider.generate(request)
    finally:
        await provider.aclose()


async def draw_and_store(
    settings: Settings, storage: MediaStorage, request: ImageRequest, key_stem: str
) -> StoredImage:
    """Draws one image and stores it under ``{key_stem}.{ext}``. Jobs pass a stem named after
    the job and item, so a step re-run overwrites its own file instead of leaving another."""
    image = await draw(settings, request)
    key = validate_key(f"{key_stem}.{FILE_EXTENSIONS[image.content_type]}")
    await storage.put(key, image.data, image.content_type)
    return StoredImage(key, image.content_type, len(image.data), image.provider)


async def design_for(
    session: AsyncSession,
    workspace_id: str,
    *,
    content: str,
    persona_id: str | None,
    platform: str = "linkedin",
    custom_prompt: str | None = None,
    style: ImageStyle = "professional",
    aspect_ratio: AspectRatio = "1:1",
) -> ImageRequest:
    """The image request for a post: the persona names the card and picks its colours."""
    persona_name = ""
    if persona_id:
        try:
            view = await personas.workspace_view(session, workspace_id, persona_id)
            persona_name = view.profile.name
        except NotFound:
            persona_name = ""
    prompt = custom_prompt or image_prompt_for(content, persona=persona_name, platform=platform)
    return ImageRequest(
        prompt=prompt,
        aspect_ratio=aspect_ratio,
        style=style,
        headline=headline_of(content) or headline_of(prompt),
        tagline=persona_name,
        palette_seed=persona_id or workspace_id,
    )


def attach(post: Post, storage: MediaStorage, key: str, acting: Acting) -> None:
    post.image_key = key
    # The stable URL naming the file; readers sign ``image_key`` (``assets.display_url``).
    post.image_url = storage.public_url(key)
    post.updated_at = acting.now()


async def _zorbit_post(ctx: Ctx, post_id: str) -> Post:
    post = await ctx.session.scalar(
        select(Post)
        .where(
            Post.id == post_id,
            Post.workspace_id == ctx.workspace_id,
            Post.deleted_at.is_(None),
        )
        .with_for_update()
    )
    if post is None:
        raise NotFound("Post not found")
    if post.user_id != ctx.user_id:
        raise Forbidden("Forbidden: not post owner")
    return post


async def generate_now(
    ctx: Ctx,
    *,
    post_content: str | None,
    post_id: str | None,
    custom_prompt: str | None,
) -> SignedImage:
    """zorbit's generate-image: one ``image_creation`` unit, the image attached to ``post_id``
    when given. A failed generation gives the held quota unit back."""
    session, actor, storage, settings = ctx.session, ctx.actor, ctx.storage, ctx.settings
    post = await _zorbit_post(ctx, post_id) if post_id else None
    content = (post_content or "").strip() or (post.content if post else "")
    if not content.strip() and not (custom_prompt or "").strip():
        raise ValidationFailed(
            "postContent is required",
            details=[{"field": "postContent", "message": "Field required"}],
        )
    usage_id = new_id("img")
    held, _ = await holds.hold_quota(
        session,
        actor,
        billing.QuotaType.IMAGE_CREATION,
        usage_id=usage_id,
        units=1,
        ttl=timedelta(seconds=settings.billing.hold_ttl_seconds),
    )
    request = await design_for(
        session,
        actor.workspace_id,
        content=content or (custom_prompt or ""),
        persona_id=post.persona_id if post else None,
        platform=post.platform if post else "linkedin",
        custom_prompt=(custom_prompt or "").strip() or None,
    )
    # The quota unit is held and committed; the provider is called with no transaction open.
    stored = await holds.call_unlocked(
        session,
        actor,
        held,
        lambda: draw_and_store(
            settings, storage, request, f"{actor.workspace_id}/images/{usage_id}"
        ),
    )
    await holds.settle(session, actor, held)
    record_generated(
        session,
        actor,
        key=stored.key,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        provider=stored.provider,
        prompt=request.prompt,
        post_id=post.id if post else None,
    )
    if post is not None:
        attach(post, storage, stored.key, actor)
    await session.flush()
    return await sign(storage, settings, stored.key)


async def start_job(
    ctx: Ctx,
    *,
    request: ImageRequest,
    count: int = 1,
    post: Post | None = None,
) -> ImageJob:
    """Accepts an image job: reserves its credits (402 when short), marks the post as
    generating, and starts the workflow once the transaction commits."""
    if not 1 <= count <= MAX_IMAGES_PER_JOB:
        raise ValidationFailed(
            f"count must be between 1 and {MAX_IMAGES_PER_JOB}",
            details=[{"field": "count", "message": f"must be between 1 and {MAX_IMAGES_PER_JOB}"}],
        )
    session, acting = ctx.session, ctx.actor
    await billing.require_ai_access(session, acting)
    job_id = new_id("imgjob")
    cost = billing.price(ctx.settings.billing.costs, billing.Action.IMAGE, count)
    reservation = None
    if cost:
        reservation = await billing.reserve_credits(
            session, acting, cost, reason="image generation", related_id=job_id, reference=job_id
        )
    now = acting.now()
    job = ImageJob(
        id=job_id,
        workspace_id=acting.workspace_id,
        user_id=acting.user_id,
        post_id=post.id if post else None,
        status=ImageJobStatus.PROCESSING,
        prompt=request.prompt,
        style=request.style,
        aspect_ratio=request.aspect_ratio,
        count=count,
        design={
            "headline": request.headline,
            "tagline": request.tagline,
            "palette_seed": request.palette_seed,
        },
        credits_reserved=cost,
        reservation_id=reservation.id if reservation else None,
        asset_keys=[],
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    if post is not None:
        post.image_url = GENERATING
        post.updated_at = now
    await session.flush()

    async def start() -> None:
        from postwright.domain.media.workflow import start_image_job

        await start_image_job(job_id)

    after_commit(session, start)
    return job


def job_request(job: ImageJob) -> ImageRequest:
    design = job.design or {}
    return ImageRequest(
        prompt=job.prompt,
        aspect_ratio=parse_aspect_ratio(job.aspect_ratio),
        style=parse_style(job.style),
        headline=str(design.get("headline") or ""),
        tagline=str(design.get("tagline") or ""),
        palette_seed=str(design.get("palette_seed") or ""),
    )


async def project_post(ctx: Ctx, project_id: str, post_id: str) -> Post:
    """A sparkvox post: a row of ``posts`` in this workspace and project, else 404."""
    post = await ctx.session.scalar(
        select(Post)
        .where(
            Post.id == post_id,
            Post.project_id == project_id,
            Post.workspace_id == ctx.workspace_id,
            Post.deleted_at.is_(None),
        )
        .with_for_update()
    )
    if post is None:
        raise NotFound("Post not found")
    return post


async def start_post_image(
    ctx: Ctx,
    *,
    project_id: str,
    post_id: str,
    post_content: str | None,
) -> ImageJob:
    """sparkvox's Generate Image: the post reads ``__generating__`` until the job ends. Asking
    again while one runs attaches to it instead of paying twice."""
    post = await project_post(ctx, project_id, post_id)
    running = await ctx.session.scalar(
        select(ImageJob).where(
            ImageJob.post_id == post.id,
            ImageJob.workspace_id == ctx.workspace_id,
            ImageJob.status == ImageJobStatus.PROCESSING,
        )
    )
    if running is not None:
        return running
    content = (post_content or "").strip() or post.content
    if not content.strip():
        raise ValidationFailed(
            "The post has no content to illustrate",
            details=[{"field": "post_content", "message": "required when the post is empty"}],
        )
    request = await design_for(
        ctx.session,
        ctx.workspace_id,
        content=content,
        persona_id=post.persona_id,
        platform=post.platform,
    )
    return await start_job(ctx, request=request, post=post)


async def start_images(
    ctx: Ctx,
    *,
    prompt: str | None,
    caption: str | None,
    count: int,
    style: ImageStyle,
    aspect_ratio: AspectRatio,
    persona_id: str | None = None,
) -> ImageJob:
    """powerpost's Generate Images: from a prompt, or from an existing caption (the card's
    headline and the model prompt are then drawn from the caption)."""
    text = (caption or "").strip()
    if not (prompt or "").strip() and not text:
        raise ValidationFailed(
            "prompt or caption is required",
            details=[{"field": "prompt", "message": "prompt or caption is required"}],
        )
    if persona_id:
        # Named by the caller, so it must exist in this workspace (404), unlike a post's
        # persona that may have been deleted since.
        await personas.workspace_view(ctx.session, ctx.workspace_id, persona_id)
    request = await design_for(
        ctx.session,
        ctx.workspace_id,
        content=text or (prompt or ""),
        persona_id=persona_id,
        custom_prompt=(prompt or "").strip() or None,
        style=style,
        aspect_ratio=aspect_ratio,
    )
    return await start_job(ctx, request=request, count=count)


@dataclass(frozen=True)
class JobView:
    job: ImageJob
    images: list[SignedImage]


async def job_view(ctx: Ctx, job_id: str) -> JobView:
    job = await ctx.session.scalar(
        select(ImageJob).where(ImageJob.id == job_id, ImageJob.workspace_id == ctx.workspace_id)
    )
    if job is None:
        raise NotFound("Generation not found")
    images = [await sign(ctx.storage, ctx.settings, str(key)) for key in job.asset_keys or []]
    return JobView(job, images)
