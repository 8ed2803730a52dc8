"""The bulk generation workflow (DBOS): durable, resumable, and exact about credits.

The parent workflow plans a window of posts, runs each as a child workflow on the rate-limited
LLM queue, and repeats. Every step is at-least-once, so every effect is guarded: a post is
written, and its credits settled, in one transaction that first locks the job and checks the
item is still pending — a step re-run after a crash, or a post finished after a cancel, changes
nothing. Earlier posts are fed back to later windows so a batch stays diverse.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.errors import AppError, InsufficientCredits
from postwright.core.ids import new_id
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.service import (
    charge_credits,
    credit_summary,
    release_reservation,
    settle_reservation,
)
from postwright.domain.content.models import Post, PostSource, PublishState
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.outputs import GenerationResult, PostText
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.service import record_usage
from postwright.domain.generation.tasks import PostTask
from postwright.domain.jobs.bulk import cost_per_post, emit_job_event, extra_per_post
from postwright.domain.jobs.models import BulkJob, BulkJobItem, ItemStatus, JobStatus
from postwright.domain.media import generate as media
from postwright.domain.media.assets import record_generated
from postwright.domain.media.backend import storage_for
from postwright.domain.media.errors import MediaProviderError
from postwright.domain.personas import service as personas

PREVIOUS_POSTS = 30


async def start_run(job_id: str, workflow_id: str) -> None:
    await jobs.enqueue(jobs.JOBS_QUEUE, bulk_generation, job_id, workflow_id=workflow_id)


def _services() -> Services:
    found: Services = jobs.services()
    return found


async def _locked_job(session: AsyncSession, job_id: str) -> BulkJob:
    job = await session.scalar(select(BulkJob).where(BulkJob.id == job_id).with_for_update())
    if job is None:
        raise LookupError(f"bulk job {job_id} vanished")
    return job


def _acting(job: BulkJob, services: Services) -> SystemActor:
    return SystemActor(workspace_id=job.workspace_id, at=services.clock.now(), user_id=job.user_id)


@DBOS.workflow(name="postwright.bulk_generation")
async def bulk_generation(job_id: str) -> str:
    try:
        status = await _begin(job_id)
        while status == JobStatus.PROCESSING:
            plan = await _plan_window(job_id)
            if plan["outcome"]:
                return str(plan["outcome"])
            handles = []
            for position in plan["positions"]:
                child_id = f"{DBOS.workflow_id}:item{position}"
                await jobs.enqueue(
                    jobs.LLM_QUEUE,
                    bulk_item,
                    job_id,
                    position,
                    plan["previous"],
                    workflow_id=child_id,
                )
                handles.append(child_id)
            # DBOS polls a child's result every second unless told otherwise: at the queue's
            # pace instead, a window ends as soon as its last post does.
            polling = _services().settings.jobs.polling_interval_seconds
            for child_id in handles:
                handle: Any = await DBOS.retrieve_workflow_async(child_id)
                await handle.get_result(polling_interval_sec=polling)
        return str(status)
    except Exception as exc:
        logger.error("bulk_job.failed", job_id=job_id, exc_info=exc)
        await _fail_job(job_id, "The job stopped on an unexpected error")
        return JobStatus.FAILED.value


@DBOS.step(name="postwright.bulk_begin")
async def _begin(job_id: str) -> str:
    services = _services()
    async with services.db.transaction() as session:
        job = await _locked_job(session, job_id)
        if job.status == JobStatus.QUEUED:
            job.status = JobStatus.PROCESSING
            job.started_at = job.started_at or services.clock.now()
            job.updated_at = services.clock.now()
        return str(job.status)


@DBOS.step(name="postwright.bulk_plan")
async def _plan_window(job_id: str) -> dict[str, Any]:
    """The next posts to write — or the job's end: completed, paused for credits, cancelled."""
    services = _services()
    async with services.db.transaction() as session:
        job = await _locked_job(session, job_id)
        if job.status != JobStatus.PROCESSING:
            return {"outcome": str(job.status)}
        items = list(
            await session.scalars(
                select(BulkJobItem)
                .where(BulkJobItem.job_id == job_id)
                .order_by(BulkJobItem.position)
            )
        )
        pending = [i.position for i in items if i.status == ItemStatus.PENDING]
        if not pending:
            return {"outcome": await _finish(session, job, services)}
        window = services.settings.jobs.bulk_window
        extra = extra_per_post(services.settings, job)
        if extra:
            available = (await credit_summary(session, _acting(job, services))).available
            window = min(window, available // extra)
            if window == 0:
                job.status = JobStatus.PAUSED
                job.updated_at = services.clock.now()
                await emit_job_event(session, job)
                return {"outcome": JobStatus.PAUSED.value}
        done_ids = [i.post_id for i in items if i.status == ItemStatus.COMPLETED and i.post_id]
        previous = []
        if done_ids:
            rows = await session.scalars(select(Post.content).where(Post.id.in_(done_ids)))
            previous = list(rows)[-PREVIOUS_POSTS:]
        return {"outcome": None, "positions": pending[:window], "previous": previous}


async def _finish(session: AsyncSession, job: BulkJob, services: Services) -> str:
    now = services.clock.now()
    all_failed = job.completed_posts == 0 and job.failed_posts > 0
    job.status = JobStatus.FAILED if all_failed else JobStatus.COMPLETED
    if all_failed:
        job.error = "No post could be generated"
    job.completed_at = now
    job.updated_at = now
    await release_reservation(session, _acting(job, services), job.reservation_id)
    await emit_job_event(session, job)
    return str(job.status)


@DBOS.step(name="postwright.bulk_fail")
async def _fail_job(job_id: str, reason: str) -> None:
    services = _services()
    async with services.db.transaction() as session:
        job = await _locked_job(session, job_id)
        if JobStatus(job.status).finished:
            return
        pending = list(
            await session.scalars(
                select(BulkJobItem).where(
                    BulkJobItem.job_id == job_id, BulkJobItem.status == ItemStatus.PENDING
                )
            )
        )
        for item in pending:
            item.status = ItemStatus.SKIPPED
        job.skipped_posts += len(pending)
        job.status = JobStatus.FAILED
        job.error = reason
        job.completed_at = services.clock.now()
        await release_reservation(session, _acting(job, services), job.reservation_id)
        await emit_job_event(session, job)


@DBOS.workflow(name="postwright.bulk_item")
async def bulk_item(job_id: str, position: int, previous: list[str]) -> str:
    return await _generate_item(job_id, position, previous)


@DBOS.step(name="postwright.bulk_generate_item")
async def _generate_item(job_id: str, position: int, previous: list[str]) -> str:
    services = _services()
    task = await _task_for(services, job_id, position, previous)
    if task is None:
        return "skipped"
    engine = engine_for(services.settings)
    try:
        result = await engine.run(task)
    except AppError as exc:
        return await _fail_item(job_id, position, exc.message)
    except Exception as exc:
        logger.error("bulk_item.error", job_id=job_id, position=position, exc_info=exc)
        return await _fail_item(job_id, position, "Generation failed unexpectedly")
    finally:
        close = getattr(engine, "aclose", None)
        if close is not None:
            await close()
    image = await _item_image(services, job_id, position, result.output.content)
    try:
        return await _complete_item(services, job_id, position, result, image)
    except InsufficientCredits:
        # The extra charge no longer fits: the post stays pending and the job pauses.
        return "needs_credits"


async def _task_for(
    services: Services, job_id: str, position: int, previous: list[str]
) -> PostTask | None:
    async with services.db.transaction() as session:
        job = await session.get(BulkJob, job_id)
        item = await session.scalar(
            select(BulkJobItem).where(
                BulkJobItem.job_id == job_id, BulkJobItem.position == position
            )
        )
        if job is None or item is None or job.status != JobStatus.PROCESSING:
            return None
        if item.status != ItemStatus.PENDING:
            return None
        persona: PersonaProfile | None = None
        if job.persona_id:
            persona = (
                await personas.workspace_view(session, job.workspace_id, job.persona_id)
            ).profile
        topic = job.topic_hint or (
            persona.keywords[0] if persona and persona.keywords else "our work"
        )
        return PostTask(
            persona=persona,
            topic=topic,
            platform=job.platform,
            previous_posts_in_batch=previous,
            batch_index=position,
            batch_size=job.total_posts,
        )


async def _item_image(
    services: Services, job_id: str, position: int, content: str
) -> media.StoredImage | None:
    """The post's image when the job asked for images; None when it did not or the provider
    failed (the post is kept, and its image credits refunded)."""
    async with services.db.transaction() as session:
        job = await session.get(BulkJob, job_id)
        if job is None or not job.generate_images:
            return None
        request = await media.design_for(
            session,
            job.workspace_id,
            content=content,
            persona_id=job.persona_id,
            platform=job.platform,
        )
        # Named after the item, so a re-run step overwrites its own file.
        stem = f"{job.workspace_id}/images/{job.id}_{position}"
    try:
        storage = storage_for(services.settings, services.clock)
        return await media.draw_and_store(services.settings, storage, request, stem)
    except MediaProviderError as exc:
        logger.warning(
            "bulk_item.image_failed", job_id=job_id, position=position, error=exc.message
        )
        return None


async def _complete_item(
    services: Services,
    job_id: str,
    position: int,
    result: GenerationResult[PostText],
    image: media.StoredImage | None = None,
) -> str:
    async with services.db.transaction() as session:
        job = await _locked_job(session, job_id)
        item = await session.scalar(
            select(BulkJobItem).where(
                BulkJobItem.job_id == job_id, BulkJobItem.position == position
            )
        )
        assert item is not None
        if item.status != ItemStatus.PENDING or job.status != JobStatus.PROCESSING:
            return "discarded"
        acting = _acting(job, services)
        cost = cost_per_post(services.settings, job.generate_images and image is not None)
        from_reservation = min(cost, job.credits_per_post)
        extra = cost - from_reservation
        if extra:
            await charge_credits(
                session,
                acting,
                "bulk item beyond reservation",
                amount=extra,
                related_id=job.id,
                reference=f"{job.id}:{position}:extra",
            )
        await settle_reservation(
            session,
            acting,
            job.reservation_id,
            consumed=from_reservation,
            refunded=job.credits_per_post - from_reservation,
            reference=f"{job.id}:{position}",
        )
        now = services.clock.now()
        post = Post(
            id=new_id("post"),
            workspace_id=job.workspace_id,
            user_id=job.user_id,
            persona_id=job.persona_id,
            content=result.output.content,
            platform=job.platform,
            source=PostSource.BULK,
            scheduled_on=item.scheduled_for,
            publish_state=PublishState.SCHEDULED,
            publish_account_id=job.account_id,
            job_id=job.id,
            attributes={"truncated": result.truncated, "provider": result.provider},
            created_at=now,
            updated_at=now,
        )
        session.add(post)
        if image is not None:
            storage = storage_for(services.settings, services.clock)
            media.attach(post, storage, image.key, acting)
            record_generated(
                session,
                acting,
                key=image.key,
                content_type=image.content_type,
                size_bytes=image.size_bytes,
                provider=image.provider,
                prompt=post.content[:2000],
                post_id=post.id,
                job_id=job.id,
            )
        item.status = ItemStatus.COMPLETED
        item.post_id = post.id
        item.completed_at = now
        job.completed_posts += 1
        job.extra_consumed += extra
        job.updated_at = now
        record_usage(session, acting, result, kind="bulk-item", credits=cost)
        return "completed"


async def _fail_item(job_id: str, position: int, reason: str) -> str:
    services = _services()
    async with services.db.transaction() as session:
        job = await _locked_job(session, job_id)
        item = await session.scalar(
            select(BulkJobItem).where(
                BulkJobItem.job_id == job_id, BulkJobItem.position == position
            )
        )
        assert item is not None
        if item.status != ItemStatus.PENDING or job.status != JobStatus.PROCESSING:
            return "discarded"
        await settle_reservation(
            session,
            _acting(job, services),
            job.reservation_id,
            consumed=0,
            refunded=job.credits_per_post,
            reference=f"{job.id}:{position}",
        )
        item.status = ItemStatus.FAILED
        item.error = reason
        item.completed_at = services.clock.now()
        job.failed_posts += 1
        return "failed"


async def recover_orphans() -> int:
    """Start the workflow of every job left queued or running without one (a crash between
    commit and enqueue). Workflow ids are deterministic, so a live run is simply re-attached."""
    services = _services()
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(BulkJob).where(BulkJob.status.in_([JobStatus.QUEUED, JobStatus.PROCESSING]))
        )
        targets = [(job.id, job.workflow_id) for job in rows]
    for job_id, workflow_id in targets:
        await start_run(job_id, workflow_id)
    return len(targets)
