"""The image job workflow (DBOS): draw each image, then settle the job in one transaction.

A kind on the job kernel (``domain/jobs/kernel``). Steps are at-least-once. Images are stored
under keys named after the job and item, so a re-run overwrites rather than duplicates; the
kernel's final transaction locks the job and does nothing if it already finished, so credits
are settled and the post updated exactly once. The workflow runs on the rate-limited provider
queue.
"""

from __future__ import annotations

from dbos import DBOS
from sqlalchemy import select

from postwright.core import jobs
from postwright.core.errors import AppError
from postwright.core.logging import logger
from postwright.domain.content.models import Post
from postwright.domain.context import Ctx
from postwright.domain.jobs import kernel
from postwright.domain.jobs.status import JobState
from postwright.domain.media.assets import FAILED, record_generated
from postwright.domain.media.backend import storage_for
from postwright.domain.media.generate import attach, draw_and_store, job_request
from postwright.domain.media.models import ImageJob, ImageJobStatus
from postwright.domain.webhooks import service as webhooks


def workflow_id(job_id: str) -> str:
    return f"image-job:{job_id}"


async def start_image_job(job_id: str) -> None:
    await jobs.enqueue(jobs.LLM_QUEUE, image_job, job_id, workflow_id=workflow_id(job_id))


IMAGE_JOBS = kernel.Lifecycle(
    ImageJob,
    {
        JobState.RUNNING: ImageJobStatus.PROCESSING.value,
        JobState.COMPLETED: ImageJobStatus.COMPLETED.value,
        JobState.FAILED: ImageJobStatus.FAILED.value,
    },
)


@DBOS.workflow(name="postwright.image_job")
async def image_job(job_id: str) -> str:
    try:
        stored = [await _draw(job_id, index) for index in range(await _count(job_id))]
        return await _complete(job_id, stored)
    except AppError as exc:
        return await _fail(job_id, exc.message)
    except Exception as exc:
        logger.error("image_job.failed", job_id=job_id, exc_info=exc)
        return await _fail(job_id, "Image generation failed unexpectedly")


@DBOS.step(name="postwright.image_job_count")
async def _count(job_id: str) -> int:
    services = kernel.services()
    async with services.db.transaction() as session:
        job = await session.get(ImageJob, job_id)
        if job is None or ImageJobStatus(job.status).finished:
            return 0
        return job.count


@DBOS.step(name="postwright.image_job_draw")
async def _draw(job_id: str, index: int) -> dict[str, object]:
    services = kernel.services()
    async with services.db.transaction() as session:
        job = await session.get(ImageJob, job_id)
        if job is None:
            raise LookupError(f"image job {job_id} vanished")
        request = job_request(job)
        stem = f"{job.workspace_id}/images/{job.id}_{index}"
    storage = storage_for(services.settings, services.clock)
    image = await draw_and_store(services.settings, storage, request, stem)
    return {
        "key": image.key,
        "content_type": image.content_type,
        "size_bytes": image.size_bytes,
        "provider": image.provider,
    }


@DBOS.step(name="postwright.image_job_complete")
async def _complete(job_id: str, stored: list[dict[str, object]]) -> str:
    services = kernel.services()
    storage = storage_for(services.settings, services.clock)

    async def completed(ctx: Ctx, job: ImageJob) -> JobState:
        session, acting, now = ctx.session, ctx.actor, ctx.now()
        for image in stored:
            record_generated(
                session,
                acting,
                key=str(image["key"]),
                content_type=str(image["content_type"]),
                size_bytes=int(str(image["size_bytes"])),
                provider=str(image["provider"]),
                prompt=job.prompt,
                post_id=job.post_id,
                job_id=job.id,
            )
        # All the job's images are settled together, under the job's own reference.
        await kernel.settle_item(session, acting, job, None, consumed=job.credits_reserved)
        if job.post_id and stored:
            post = await session.get(Post, job.post_id, with_for_update=True)
            if post is not None and post.deleted_at is None:
                attach(post, storage, str(stored[0]["key"]), acting)
        job.asset_keys = [str(image["key"]) for image in stored]
        job.provider = str(stored[0]["provider"]) if stored else None
        job.credits_used = job.credits_reserved
        await webhooks.emit(
            session,
            job.workspace_id,
            "image.completed",
            {"job_id": job.id, "post_id": job.post_id, "keys": job.asset_keys},
            at=now,
        )
        return JobState.COMPLETED

    return await kernel.finish(IMAGE_JOBS, job_id, completed)


@DBOS.step(name="postwright.image_job_fail")
async def _fail(job_id: str, reason: str) -> str:
    async def failed(ctx: Ctx, job: ImageJob) -> JobState:
        session, acting, now = ctx.session, ctx.actor, ctx.now()
        await kernel.release(session, acting, job)
        if job.post_id:
            post = await session.get(Post, job.post_id, with_for_update=True)
            if post is not None:
                post.image_url = FAILED
                post.updated_at = now
        job.error = reason
        await webhooks.emit(
            session,
            job.workspace_id,
            "image.failed",
            {"job_id": job.id, "post_id": job.post_id, "error": reason},
            at=now,
        )
        return JobState.FAILED

    return await kernel.finish(IMAGE_JOBS, job_id, failed)


def state(job: ImageJob) -> JobState:
    return IMAGE_JOBS.state(job)


async def recover_orphans() -> int:
    """Re-attach every unfinished image job to its (deterministic) workflow after a crash
    between commit and enqueue."""
    services = kernel.services()
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(ImageJob.id).where(ImageJob.status == ImageJobStatus.PROCESSING)
        )
        targets = list(rows)
    for job_id in targets:
        await start_image_job(job_id)
    return len(targets)
