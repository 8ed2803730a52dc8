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
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.clock import Clock
from postwright.core.db import after_commit
from postwright.core.errors import Conflict, NotFound, ValidationFailed
from postwright.core.settings import Settings
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.accounts.context import Actor
from postwright.domain.adcopy import lifecycle
from postwright.domain.adcopy.assets import AssetLink, media_storage, signed_links
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
    session: AsyncSession, actor: Actor, *, name: str, description: str, brand_colors: list[str]
) -> AdProject:
    now = actor.now()
    project = AdProject(
        id=new_uuid(),
        workspace_id=actor.workspace_id,
        name=name.strip(),
        description=description,
        brand_colors=brand_colors,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    await session.flush()
    return project


async def list_projects(session: AsyncSession, actor: Actor) -> list[AdProject]:
    rows = await session.scalars(
        scoped(AdProject, actor.workspace_id).order_by(AdProject.created_at.desc())
    )
    return list(rows)


async def get_project(session: AsyncSession, actor: Actor, project_id: str) -> AdProject:
    return await get_scoped(session, AdProject, actor.workspace_id, project_id)


async def create_product(
    session: AsyncSession,
    actor: Actor,
    project_id: str,
    *,
    name: str,
    description: str,
    url: str | None,
    price_label: str | None,
) -> AdProduct:
    project = await get_project(session, actor, project_id)
    now = actor.now()
    product = AdProduct(
        id=new_uuid(),
        workspace_id=actor.workspace_id,
        project_id=project.id,
        name=name.strip(),
        description=description,
        url=url,
        price=price_label,
        created_at=now,
        updated_at=now,
    )
    session.add(product)
    await session.flush()
    return product


async def list_products(session: AsyncSession, actor: Actor, project_id: str) -> list[AdProduct]:
    project = await get_project(session, actor, project_id)
    rows = await session.scalars(
        scoped(AdProduct, actor.workspace_id)
        .where(AdProduct.project_id == project.id)
        .order_by(AdProduct.created_at.desc())
    )
    return list(rows)


async def _product(
    session: AsyncSession, actor: Actor, project_id: str, product_id: str
) -> tuple[AdProject, AdProduct]:
    project = await get_project(session, actor, project_id)
    product = await get_scoped(session, AdProduct, actor.workspace_id, product_id)
    if product.project_id != project.id:
        raise NotFound("Product not found in this project")
    return project, product


async def _reusable(
    session: AsyncSession, actor: Actor, job_type: AdJobType, key: str | None
) -> AdJob | None:
    """The non-terminal job holding ``key``; a finished one gives the key up."""
    if key is None:
        return None
    job = await session.scalar(
        select(AdJob)
        .where(
            AdJob.workspace_id == actor.workspace_id,
            AdJob.user_id == actor.user_id,
            AdJob.type == job_type,
            AdJob.idempotency_key == key,
        )
        .with_for_update()
    )
    if job is None:
        return None
    if lifecycle.state(job).finished:
        job.idempotency_key = None
        await session.flush()
        return None
    return job


async def _remaining(session: AsyncSession, actor: Actor) -> int:
    return (await credit_summary(session, actor)).available


async def _reused(session: AsyncSession, actor: Actor, job: AdJob) -> Submitted:
    return Submitted(
        job=job, reused=True, credits_used=0, credits_remaining=await _remaining(session, actor)
    )


async def _insert(session: AsyncSession, actor: Actor, job: AdJob) -> AdJob | None:
    """Add the job; None when a concurrent request took the same key first."""
    try:
        async with session.begin_nested():
            session.add(job)
            await session.flush()
    except IntegrityError:
        return None
    return job


async def generate_copy(
    session: AsyncSession,
    actor: Actor,
    *,
    settings: Settings,
    project_id: str,
    product_id: str,
    platform: str,
    ad_format: str,
    tone: str,
    custom_instructions: str | None,
    idempotency_key: str | None,
) -> Submitted:
    """Five copy variants, synchronously; 1 credit."""
    if existing := await _reusable(session, actor, AdJobType.COPY, idempotency_key):
        return await _reused(session, actor, existing)
    _, product = await _product(session, actor, project_id, product_id)
    task = AdCopyTask(
        product_name=product.name,
        product_description=product.description,
        platform=platform,
        format=ad_format,  # type: ignore[arg-type]
        tone=tone,
        custom_instructions=custom_instructions,
    )
    done = await generation.generate(
        session, actor, task, settings=settings, action=Action.ADCOPY_COPY, kind="adcopy-copy"
    )
    now = actor.now()
    job = AdJob(
        id=new_uuid(),
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
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
    if await _insert(session, actor, job) is None:
        # A concurrent request with the same key won; this one's work is rolled back with it.
        raise Conflict("A request with this idempotencyKey is already being processed")
    return Submitted(job, False, done.credits_used, done.credits_remaining)


async def submit_media_job(
    session: AsyncSession,
    actor: Actor,
    *,
    settings: Settings,
    job_type: AdJobType,
    project_id: str,
    product_id: str,
    params: dict[str, Any],
    idempotency_key: str | None,
) -> Submitted:
    """A static ad (3 credits) or a video (40 credits): charged now, refunded if it fails."""
    if existing := await _reusable(session, actor, job_type, idempotency_key):
        return await _reused(session, actor, existing)
    await _product(session, actor, project_id, product_id)
    if avatar_url := params.get("avatarUrl"):
        allow_loopback = settings.http.allow_loopback_urls
        await check_public_url(str(avatar_url), allow_loopback=allow_loopback)
    await require_ai_access(session, actor)
    now = actor.now()
    job = AdJob(
        id=new_uuid(),
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        project_id=project_id,
        product_id=product_id,
        type=job_type,
        status=AdJobStatus.QUEUED,
        idempotency_key=idempotency_key,
        params=params,
        deadline_at=now + deadline_for(settings, job_type),
        created_at=now,
        updated_at=now,
    )
    if await _insert(session, actor, job) is None:
        # A concurrent request with the same key committed first: answer with its job.
        if existing := await _reusable(session, actor, job_type, idempotency_key):
            return await _reused(session, actor, existing)
        raise Conflict("A request with this idempotencyKey is already being processed")
    amount = price(settings.billing.costs, JOB_COSTS[job_type])
    if amount:
        await charge_credits(
            session,
            actor,
            job_type.value,
            amount=amount,
            related_id=job.id,
            reference=f"{job.id}:charge",
        )
    job.credits_used = amount
    await session.flush()
    job_id = job.id

    async def start() -> None:
        from postwright.domain.adcopy.workflow import start_job

        await start_job(job_id)

    after_commit(session, start)
    return Submitted(job, False, amount, await _remaining(session, actor))


@dataclass(frozen=True)
class JobStatusView:
    job: AdJob
    assets: list[AssetLink]


async def job_status(
    session: AsyncSession, actor: Actor, job_id: str, *, settings: Settings, clock: Clock
) -> JobStatusView:
    """A job of this workspace with freshly signed asset links (404 for any other job;
    400 when the id is not a UUID)."""
    try:
        canonical = str(uuid.UUID(job_id))
    except ValueError as exc:
        raise ValidationFailed(
            "Invalid jobId", details=[{"field": "jobId", "message": "must be a UUID"}]
        ) from exc
    job = await get_scoped(session, AdJob, actor.workspace_id, canonical)
    links: list[AssetLink] = []
    if job.assets:
        ttl = timedelta(seconds=settings.adcopy.asset_url_ttl_seconds)
        links = await signed_links(media_storage(settings, clock), job.assets, ttl)
    return JobStatusView(job=job, assets=links)
