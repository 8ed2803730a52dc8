"""adcopy: projects and products, ad copy (synchronous), static ads and videos (jobs).

``idempotencyKey`` (per user, workspace and endpoint): as the document says, a
*non-terminal* job holding the key is returned instead of a new one (``status: "reused"``,
nothing charged). A finished job (completed, failed, canceled, expired) gives its key up, so
a client sending its session id as the key gets fresh copy each time. Exact replay of a
lost response is the ``Idempotency-Key`` header's job (``api.idempotency``).

Static ads and videos are charged when submitted and refunded when they fail, expire or are
canceled (``lifecycle``); the workflow that renders them is in ``workflow``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from postwright.core.db import after_commit
from postwright.core.errors import Conflict, NotFound, ValidationFailed
from postwright.core.settings import Settings
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.adcopy import lifecycle
from postwright.domain.adcopy.assets import AssetLink, signed_links
from postwright.domain.adcopy.avatar import check_public_url
from postwright.domain.adcopy.models import AdJob, AdJobStatus, AdJobType, AdProduct, AdProject
from postwright.domain.billing.service import (
    Action,
    charge_credits,
    credit_summary,
    price,
    require_ai_access,
)
from postwright.domain.generation import service as generation
from postwright.domain.generation.tasks import AdCopyTask

if TYPE_CHECKING:
    from postwright.domain.context import Ctx

JOB_COSTS = {AdJobType.STATIC_AD: Action.ADCOPY_STATIC_AD, AdJobType.VIDEO: Action.ADCOPY_VIDEO}


def deadline_for(settings: Settings, job_type: AdJobType) -> timedelta:
    config = settings.adcopy
    if job_type == AdJobType.VIDEO:
        return timedelta(seconds=config.video_deadline_seconds)
    return timedelta(seconds=config.static_ad_deadline_seconds)


def new_uuid() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Submitted:
    job: AdJob
    reused: bool
    credits_used: int
    credits_remaining: int


async def create_project(
    ctx: Ctx, *, name: str, description: str, brand_colors: list[str]
) -> AdProject:
    now = ctx.now()
    project = AdProject(
        id=new_uuid(),
        workspace_id=ctx.workspace_id,
        name=name.strip(),
        description=description,
        brand_colors=brand_colors,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(project)
    await ctx.session.flush()
    return project


async def list_projects(ctx: Ctx) -> list[AdProject]:
    rows = await ctx.session.scalars(
        scoped(AdProject, ctx.workspace_id).order_by(AdProject.created_at.desc())
    )
    return list(rows)


async def get_project(ctx: Ctx, project_id: str) -> AdProject:
    return await get_scoped(ctx.session, AdProject, ctx.workspace_id, project_id)


async def create_product(
    ctx: Ctx,
    project_id: str,
    *,
    name: str,
    description: str,
    url: str | None,
    price_label: str | None,
) -> AdProduct:
    project = await get_project(ctx, project_id)
    now = ctx.now()
    product = AdProduct(
        id=new_uuid(),
        workspace_id=ctx.workspace_id,
        project_id=project.id,
        name=name.strip(),
        description=description,
        url=url,
        price=price_label,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(product)
    await ctx.session.flush()
    return product


async def list_products(ctx: Ctx, project_id: str) -> list[AdProduct]:
    project = await get_project(ctx, project_id)
    rows = await ctx.session.scalars(
        scoped(AdProduct, ctx.workspace_id)
        .where(AdProduct.project_id == project.id)
        .order_by(AdProduct.created_at.desc())
    )
    return list(rows)


async def _product(ctx: Ctx, project_id: str, product_id: str) -> tuple[AdProject, AdProduct]:
    project = await get_project(ctx, project_id)
    product = await get_scoped(ctx.session, AdProduct, ctx.workspace_id, product_id)
    if product.project_id != project.id:
        raise NotFound("Product not found in this project")
    return project, product


async def _reusable(ctx: Ctx, job_type: AdJobType, key: str | None) -> AdJob | None:
    """The non-terminal job holding ``key``; a finished one gives the key up."""
    if key is None:
        return None
    job = await ctx.session.scalar(
        select(AdJob)
        .where(
            AdJob.workspace_id == ctx.workspace_id,
            AdJob.user_id == ctx.user_id,
            AdJob.type == job_type,
            AdJob.idempotency_key == key,
        )
        .with_for_update()
    )
    if job is None:
        return None
    if lifecycle.state(job).finished:
        job.idempotency_key = None
        await ctx.session.flush()
        return None
    return job


async def _remaining(ctx: Ctx) -> int:
    return (await credit_summary(ctx.session, ctx.actor)).available


async def _reused(ctx: Ctx, job: AdJob) -> Submitted:
    return Submitted(job=job, reused=True, credits_used=0, credits_remaining=await _remaining(ctx))


async def _insert(ctx: Ctx, job: AdJob) -> AdJob | None:
    """Add the job; None when a concurrent request took the same key first."""
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(job)
            await ctx.session.flush()
    except IntegrityError:
        return None
    return job


async def generate_copy(
    ctx: Ctx,
    *,
    project_id: str,
    product_id: str,
    platform: str,
    ad_format: str,
    tone: str,
    custom_instructions: str | None,
    idempotency_key: str | None,
) -> Submitted:
    """Five copy variants, synchronously; 1 credit."""
    if existing := await _reusable(ctx, AdJobType.COPY, idempotency_key):
        return await _reused(ctx, existing)
    _, product = await _product(ctx, project_id, product_id)
    task = AdCopyTask(
        product_name=product.name,
        product_description=product.description,
        platform=platform,
        format=ad_format,  # type: ignore[arg-type]
        tone=tone,
        custom_instructions=custom_instructions,
    )
    done = await generation.generate(ctx, task, action=Action.ADCOPY_COPY, kind="adcopy-copy")
    now = ctx.now()
    job = AdJob(
        id=new_uuid(),
        workspace_id=ctx.workspace_id,
        user_id=ctx.user_id,
        project_id=project_id,
        product_id=product_id,
        type=AdJobType.COPY,
        status=AdJobStatus.COMPLETED,
        idempotency_key=idempotency_key,
        params={"platform": platform, "format": ad_format, "tone": tone},
        result={"variants": [v.model_dump() for v in done.output.variants]},
        credits_used=done.credits_used,
        created_at=now,
        updated_at=now,
        completed_at=now,
    )
    if await _insert(ctx, job) is None:
        # A concurrent request with the same key won; this one's work is rolled back with it.
        raise Conflict("A request with this idempotencyKey is already being processed")
    return Submitted(job, False, done.credits_used, done.credits_remaining)


async def submit_media_job(
    ctx: Ctx,
    *,
    job_type: AdJobType,
    project_id: str,
    product_id: str,
    params: dict[str, Any],
    idempotency_key: str | None,
) -> Submitted:
    """A static ad (3 credits) or a video (40 credits): charged now, refunded if it fails."""
    if existing := await _reusable(ctx, job_type, idempotency_key):
        return await _reused(ctx, existing)
    await _product(ctx, project_id, product_id)
    if avatar_url := params.get("avatarUrl"):
        allow_loopback = ctx.settings.http.allow_loopback_urls
        await check_public_url(str(avatar_url), allow_loopback=allow_loopback)
    await require_ai_access(ctx.session, ctx.actor)
    now = ctx.now()
    job = AdJob(
        id=new_uuid(),
        workspace_id=ctx.workspace_id,
        user_id=ctx.user_id,
        project_id=project_id,
        product_id=product_id,
        type=job_type,
        status=AdJobStatus.QUEUED,
        idempotency_key=idempotency_key,
        params=params,
        deadline_at=now + deadline_for(ctx.settings, job_type),
        created_at=now,
        updated_at=now,
    )
    if await _insert(ctx, job) is None:
        # A concurrent request with the same key committed first: answer with its job.
        if existing := await _reusable(ctx, job_type, idempotency_key):
            return await _reused(ctx, existing)
        raise Conflict("A request with this idempotencyKey is already being processed")
    amount = price(ctx.settings.billing.costs, JOB_COSTS[job_type])
    if amount:
        await charge_credits(
            ctx.session,
            ctx.actor,
            job_type.value,
            amount=amount,
            related_id=job.id,
            reference=f"{job.id}:charge",
        )
    job.credits_used = amount
    await ctx.session.flush()
    job_id = job.id

    async def start() -> None:
        from postwright.domain.adcopy.workflow import start_job

        await start_job(job_id)

    after_commit(ctx.session, start)
    return Submitted(job, False, amount, await _remaining(ctx))


@dataclass(frozen=True)
class JobStatusView:
    job: AdJob
    assets: list[AssetLink]


async def job_status(ctx: Ctx, job_id: str) -> JobStatusView:
    """A job of this workspace with freshly signed asset links (404 for any other job;
    400 when the id is not a UUID)."""
    try:
        canonical = str(uuid.UUID(job_id))
    except ValueError as exc:
        raise ValidationFailed(
            "Invalid jobId", details=[{"field": "jobId", "message": "must be a UUID"}]
        ) from exc
    job = await get_scoped(ctx.session, AdJob, ctx.workspace_id, canonical)
    links: list[AssetLink] = []
    if job.assets:
        ttl = timedelta(seconds=ctx.settings.adcopy.asset_url_ttl_seconds)
        links = await signed_links(ctx.storage, job.assets, ttl)
    return JobStatusView(job=job, assets=links)
