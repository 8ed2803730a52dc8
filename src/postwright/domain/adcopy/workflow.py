"""The static-ad and video job workflow (DBOS), and the sweep that expires overdue jobs.

A kind on the job kernel (``domain/jobs/kernel``; its states and refund in ``lifecycle``).
Steps are at-least-once, so each is safe to repeat: the render writes to a key derived from
the job id, status changes go through the kernel (row lock + state check), and a video
provider's id is kept on the job so a resumed run polls the same video instead of starting
another. A job that expired while it rendered keeps its expiry (and refund); the late file
is deleted.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from dbos import DBOS
from dbos._error import DBOSException

from postwright.core import jobs
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.adcopy import assets, lifecycle
from postwright.domain.adcopy.avatar import AvatarUnavailable, fetch_avatar
from postwright.domain.adcopy.lifecycle import AD_JOBS
from postwright.domain.adcopy.models import AdJob, AdJobType, AdProduct, AdProject
from postwright.domain.adcopy.render import StaticAdSpec, render_static_ad
from postwright.domain.adcopy.video import VideoRenderError, VideoSpec, render_video
from postwright.domain.adcopy.video_providers import (
    VideoProvider,
    VideoProviderError,
    VideoRequest,
    video_provider_for,
)
from postwright.domain.context import Ctx
from postwright.domain.jobs import kernel
from postwright.domain.jobs.status import JobState

SWEEP_SCHEDULE = "postwright.adcopy_expiry_sweep"
UNEXPECTED = "The job stopped on an unexpected error"


class JobFailed(Exception):
    """The work itself failed (a provider refused the video): the job fails, refunded."""


def workflow_id(job_id: str) -> str:
    return f"adcopy:{job_id}"


async def start_job(job_id: str) -> None:
    """Enqueue the job's workflow (after its row committed). Without a running engine the job
    stays queued: the next engine start picks it up, or the sweep expires and refunds it."""
    if not jobs.is_running():
        logger.warning("adcopy_job.engine_not_running", job_id=job_id)
        return
    await jobs.enqueue(jobs.JOBS_QUEUE, ad_job, job_id, workflow_id=workflow_id(job_id))


@DBOS.workflow(name="postwright.adcopy_job")
async def ad_job(job_id: str) -> str:
    try:
        plan = await _begin(job_id)
        if plan is None:
            return "skipped"
        if plan["engine"] == "builtin":
            stored = await _render(job_id)
        else:
            stored = await _provider_video(job_id)
        if stored is None:
            return "stopped"
        return await _complete(job_id, stored)
    except (JobFailed, AvatarUnavailable, VideoProviderError, VideoRenderError) as exc:
        return await _fail(job_id, str(exc))
    except Exception as exc:
        logger.error("adcopy_job.failed", job_id=job_id, exc_info=exc)
        return await _fail(job_id, UNEXPECTED)


@DBOS.step(name="postwright.adcopy_begin")
async def _begin(job_id: str) -> dict[str, str] | None:
    if not await kernel.begin(AD_JOBS, job_id):
        return None
    services = kernel.services()
    async with services.db.read_transaction() as session:
        job = await session.get(AdJob, job_id)
        if job is None:
            return None
        engine = "builtin"
        if job.type == AdJobType.VIDEO:
            engine = services.settings.adcopy.video_provider
        return {"type": str(job.type), "engine": engine}


async def _load(services: Services, job_id: str) -> tuple[AdJob, AdProduct, AdProject] | None:
    # A write transaction (that reads only): its commit leaves the loaded rows readable.
    async with services.db.transaction() as session:
        job = await session.get(AdJob, job_id)
        if job is None or AD_JOBS.state(job) is not JobState.RUNNING:
            return None
        product = await session.get(AdProduct, job.product_id)
        project = await session.get(AdProject, job.project_id)
        if product is None or project is None:
            raise JobFailed("The product or project was deleted")
        return job, product, project


@DBOS.step(name="postwright.adcopy_render")
async def _render(job_id: str) -> list[dict[str, Any]] | None:
    """Render with the builtin engine and store the file; the asset records it made."""
    services = kernel.services()
    loaded = await _load(services, job_id)
    if loaded is None:
        return None
    job, product, project = loaded
    params = job.params
    if job.type == AdJobType.STATIC_AD:
        spec = StaticAdSpec(
            product_name=product.name,
            product_description=product.description,
            prompt=params.get("prompt"),
            style=params.get("style") or "product_hero",
            aspect_ratio=params.get("aspectRatio") or "1:1",
            price=product.price,
            brand_colors=[str(c) for c in project.brand_colors],
        )
        data = await asyncio.to_thread(render_static_ad, spec)
        content_type, kind = "image/png", "image"
    else:
        avatar = None
        if avatar_url := params.get("avatarUrl"):
            allow_loopback = services.settings.http.allow_loopback_urls
            avatar = await fetch_avatar(str(avatar_url), allow_loopback=allow_loopback)
        video = VideoSpec(
            script=params["script"],
            product_name=product.name,
            aspect_ratio=params.get("aspectRatio") or "9:16",
            brand_colors=[str(c) for c in project.brand_colors],
            avatar=avatar,
        )
        data = await render_video(video)
        content_type, kind = "video/mp4", "video"
    return [await _store(services, job, data, content_type, kind)]


async def _store(
    services: Services, job: AdJob, data: bytes, content_type: str, kind: str
) -> dict[str, Any]:
    key = assets.asset_key(job.workspace_id, job.id, content_type)
    storage = assets.media_storage(services.settings, services.clock)
    await storage.put(key, data, content_type)
    return assets.asset_record(job.id, key, kind, content_type)


async def _provider_video(job_id: str) -> list[dict[str, Any]] | None:
    """Submit once, then poll durably (DBOS sleeps survive restarts) until the provider is
    done or the job stopped running (expired) here."""
    video_id = await _provider_submit(job_id)
    if video_id is None:
        return None
    interval = kernel.services().settings.adcopy.video_poll_interval_seconds
    while True:
        state = await _provider_poll(job_id, video_id)
        if state["state"] == "stopped":
            return None
        if state["state"] == "failed":
            raise JobFailed(state.get("error") or "The video provider failed the video")
        if state["state"] == "completed":
            return await _provider_fetch(job_id, str(state["url"]))
        await DBOS.sleep_async(interval)


def _provider(services: Services) -> VideoProvider:
    provider = video_provider_for(services.settings)
    if provider is None:
        raise JobFailed("No video provider is configured")
    return provider


@DBOS.step(name="postwright.adcopy_provider_submit")
async def _provider_submit(job_id: str) -> str | None:
    services = kernel.services()
    loaded = await _load(services, job_id)
    if loaded is None:
        return None
    job, product, _ = loaded
    if known := job.result.get("providerVideoId"):
        return str(known)
    provider = _provider(services)
    try:
        video_id = await provider.submit(
            VideoRequest(
                script=job.params["script"],
                voice_id=job.params.get("voiceId") or "male-1",
                aspect_ratio=job.params.get("aspectRatio") or "9:16",
                avatar_url=job.params.get("avatarUrl"),
                title=f"{product.name} ({job.id})",
            )
        )
    finally:
        await provider.aclose()
    async with services.db.transaction() as session:
        # Kept on the job so a resumed run polls this video instead of ordering another.
        job = await kernel.locked(session, AD_JOBS, job_id)
        job.result = {**job.result, "providerVideoId": video_id, "provider": provider.name}
        job.updated_at = services.clock.now()
    return video_id


@DBOS.step(name="postwright.adcopy_provider_poll")
async def _provider_poll(job_id: str, video_id: str) -> dict[str, Any]:
    services = kernel.services()
    async with services.db.read_transaction() as session:
        job = await session.get(AdJob, job_id)
        if job is None or AD_JOBS.state(job) is not JobState.RUNNING:
            return {"state": "stopped"}
    provider = _provider(services)
    try:
        status = await provider.status(video_id)
    finally:
        await provider.aclose()
    return {"state": status.state, "url": status.video_url, "error": status.error}


@DBOS.step(name="postwright.adcopy_provider_fetch")
async def _provider_fetch(job_id: str, url: str) -> list[dict[str, Any]] | None:
    services = kernel.services()
    loaded = await _load(services, job_id)
    if loaded is None:
        return None
    provider = _provider(services)
    try:
        data = await provider.download(url)
    finally:
        await provider.aclose()
    return [await _store(services, loaded[0], data, "video/mp4", "video")]


@DBOS.step(name="postwright.adcopy_complete")
async def _complete(job_id: str, stored: list[dict[str, Any]]) -> str:
    services = kernel.services()

    async def completed(_: Ctx, job: AdJob) -> JobState:
        job.assets = stored
        return JobState.COMPLETED

    final = await kernel.finish(AD_JOBS, job_id, completed)
    if final == AD_JOBS.spell(JobState.COMPLETED):
        return final
    # Expired (and refunded) while rendering: the client will never be shown this file.
    storage = assets.media_storage(services.settings, services.clock)
    for asset in stored:
        await storage.delete(str(asset["key"]))
    return "discarded"


@DBOS.step(name="postwright.adcopy_fail")
async def _fail(job_id: str, reason: str) -> str:
    return await kernel.finish(AD_JOBS, job_id, lifecycle.refunded(JobState.FAILED, reason))


async def expire_overdue(services: Services) -> list[str]:
    """Expire and refund every open job past its deadline (by the services' clock)."""
    async with services.db.transaction() as session:
        return await lifecycle.expire_overdue(session, services, services.clock.now())


@DBOS.workflow(name="postwright.adcopy_expiry_sweep")
async def expiry_sweep(scheduled_at: datetime, context: Any) -> None:
    await _sweep_step()


@DBOS.step(name="postwright.adcopy_expiry_sweep_step")
async def _sweep_step() -> int:
    expired = await expire_overdue(kernel.services())
    if expired:
        logger.info("adcopy_jobs.expired", count=len(expired), job_ids=expired)
    return len(expired)


async def install(services: Services) -> int:
    """In a process that runs jobs: keep the expiry schedule current and restart jobs left
    without a run (a crash between commit and enqueue). Returns how many were restarted."""
    cron = services.settings.adcopy.expiry_sweep_cron
    existing = await DBOS.get_schedule_async(SWEEP_SCHEDULE)
    if existing is not None and existing["schedule"] != cron:
        await asyncio.to_thread(DBOS.delete_schedule, SWEEP_SCHEDULE)
        existing = None
    if existing is None:
        try:
            await DBOS.create_schedule_async(
                schedule_name=SWEEP_SCHEDULE,
                workflow_fn=expiry_sweep,
                schedule=cron,
                queue_name=jobs.JOBS_QUEUE,
            )
        except DBOSException as exc:
            # Another worker created it a moment earlier: one schedule is all we need.
            logger.info("adcopy_sweep.schedule_exists", detail=str(exc))
    # Copy jobs finish in their request: only static ads and videos have runs.
    return await kernel.recover(AD_JOBS, start_job, AdJob.type != AdJobType.COPY)
