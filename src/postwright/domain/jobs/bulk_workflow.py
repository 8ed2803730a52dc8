"""The bulk generation workflow (DBOS): plan, write in parallel, check, settle — exactly once.

The parent workflow plans one distinct angle per post (one model call on the LLM queue, or the
builtin planner), then starts every pending post at once as its own child workflow on the
rate-limited LLM queue — the queue's global concurrency and rate limit, not the job, decide how
many model calls run — and waits for them. A last pass compares the posts and rewrites each one
too close to another (free of charge). Every step is at-least-once, so every effect is guarded:
a post is written, and its credits settled (ledger reference ``<job>:<position>``, unique), in
one transaction that first locks the job and checks the item is still pending — a step re-run
after a crash, or a post finished after a cancel, changes nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, cast

from dbos import DBOS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.errors import AppError, InsufficientCredits
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.billing.context import Acting
from postwright.domain.billing.service import charge_credits, credit_summary
from postwright.domain.content import post_service
from postwright.domain.content.models import Post, PostSource
from postwright.domain.context import Ctx
from postwright.domain.generation import planning
from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.outputs import GenerationResult, PostText
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.providers import LlmConfig
from postwright.domain.generation.service import record_usage
from postwright.domain.generation.tasks import PostTask
from postwright.domain.jobs import group_commit, kernel, progress
from postwright.domain.jobs.bulk import (
    BULK_JOBS,
    cost_per_post,
    emit_job_event,
    extra_per_post,
    spelled,
    state,
)
from postwright.domain.jobs.models import BulkJob, BulkJobItem, ItemStatus
from postwright.domain.jobs.status import JobState
from postwright.domain.media import generate as media
from postwright.domain.media.assets import record_generated
from postwright.domain.media.backend import storage_for
from postwright.domain.media.errors import MediaProviderError
from postwright.domain.personas import service as personas

BUILTIN = "builtin"
# A post whose model call started before a pause is still kept.
_KEEPS_POSTS = (JobState.RUNNING, JobState.PAUSED)


async def start_run(job_id: str, workflow_id: str) -> None:
    await jobs.enqueue(jobs.JOBS_QUEUE, bulk_generation, job_id, workflow_id=workflow_id)


_services = kernel.services


async def _locked_job(session: AsyncSession, job_id: str) -> BulkJob:
    return await kernel.locked(session, BULK_JOBS, job_id)


@DBOS.workflow(name="postwright.bulk_generation")
async def bulk_generation(job_id: str) -> str:
    try:
        status = await _begin(job_id)
        if status != JobState.RUNNING:
            return BULK_JOBS.spell(JobState(status))
        parent = DBOS.workflow_id
        angles = await _angles(job_id)
        brief = await _brief(job_id)
        round_number = 0
        while True:
            plan = await _plan_window(job_id)
            if plan["outcome"]:
                return str(plan["outcome"])
            positions: list[int] = plan["positions"]
            if not positions:
                break
            round_number += 1
            calls = [
                (
                    f"{parent}:r{round_number}:item{position}",
                    (job_id, position, {**brief, "angle": _angle_at(angles, position)}),
                )
                for position in positions
            ]
            # Enqueued side by side, in list order (see ``jobs.run_children``): a replay finds
            # them in the same order.
            await asyncio.gather(
                *(
                    jobs.enqueue(jobs.LLM_QUEUE, bulk_item, *args, workflow_id=child_id)
                    for child_id, args in calls
                )
            )
            await _keep_items(job_id, [child_id for child_id, _ in calls])
        rewrites = await _too_similar(job_id)
        if rewrites:
            await jobs.run_children(
                jobs.LLM_QUEUE,
                bulk_rewrite,
                [
                    (f"{parent}:rewrite{position}", (job_id, position, _angle_at(angles, position)))
                    for position in rewrites
                ],
            )
        return await _finish_step(job_id)
    except Exception as exc:
        logger.error("bulk_job.failed", job_id=job_id, exc_info=exc)
        await _fail_job(job_id, "The job stopped on an unexpected error")
        return BULK_JOBS.spell(JobState.FAILED)


def _angle_at(angles: list[dict[str, str]], position: int) -> dict[str, str] | None:
    return angles[position % len(angles)] if angles else None


@DBOS.step(name="postwright.bulk_begin")
async def _begin(job_id: str) -> str:
    """Queued → running; the job's state afterwards (a paused or finished job does nothing)."""
    return (await kernel.begin_queued(BULK_JOBS, job_id)).value


async def _job_brief(services: Services, job_id: str) -> tuple[BulkJob, PersonaProfile | None, str]:
    async with services.db.transaction() as session:
        job = await session.get(BulkJob, job_id)
        if job is None:
            raise LookupError(f"bulk job {job_id} vanished")
        persona: PersonaProfile | None = None
        if job.persona_id:
            persona = (
                await personas.workspace_view(session, job.workspace_id, job.persona_id)
            ).profile
        topic = job.topic_hint or (
            persona.keywords[0] if persona and persona.keywords else "our work"
        )
        return job, persona, topic


async def _angles(job_id: str) -> list[dict[str, str]]:
    """One angle per post: the builtin planner, or one model call on the LLM queue. The plan's
    workflow id is the job's (not the run's), so a resumed job writes to the same plan."""
    if _builtin(_services()):
        return await _builtin_angles(job_id)
    handle = await jobs.enqueue(
        jobs.LLM_QUEUE, bulk_plan, job_id, workflow_id=f"bulk:{job_id}:plan"
    )
    angles: list[dict[str, str]] = await handle.get_result(
        polling_interval_sec=jobs.FAST_POLL_SECONDS
    )
    return angles


@DBOS.step(name="postwright.bulk_builtin_angles")
async def _builtin_angles(job_id: str) -> list[dict[str, str]]:
    job, persona, topic = await _job_brief(_services(), job_id)
    return [
        angle.model_dump() for angle in planning.builtin_angles(topic, persona, job.total_posts)
    ]


@DBOS.workflow(name="postwright.bulk_plan")
async def bulk_plan(job_id: str) -> list[dict[str, str]]:
    return await _model_angles(job_id)


@DBOS.step(name="postwright.bulk_model_angles")
async def _model_angles(job_id: str) -> list[dict[str, str]]:
    """The model's plan; when it fails or repeats itself, the builtin planner fills the gap —
    a plan is a means to diversity, never a reason to fail the job."""
    services = _services()
    job, persona, topic = await _job_brief(services, job_id)
    task = planning.AnglePlanTask(
        persona=persona, topic=topic, platform=job.platform, count=job.total_posts
    )
    engine = engine_for(services.settings)
    planned: list[planning.Angle] = []
    try:
        result = await engine.run(task)
        planned = result.output.angles[: job.total_posts]
    except AppError as exc:
        logger.warning("bulk_plan.failed", job_id=job_id, error=exc.message)
    finally:
        await _close(engine)
    if len(planned) < job.total_posts:
        fallback = planning.builtin_angles(topic, persona, job.total_posts)
        planned = planning.distinct_angles([*planned, *fallback])[: job.total_posts]
    return [angle.model_dump() for angle in planned]


def _builtin(services: Services) -> bool:
    """No model configured: the builtin engine writes (decided without building a client)."""
    return LlmConfig.from_settings(services.settings.llm) is None


@DBOS.step(name="postwright.bulk_brief")
async def _brief(job_id: str) -> dict[str, Any]:
    """What every item needs to write its post, read once for the whole job: an item then
    reads only its own state before its model call."""
    job, persona, topic = await _job_brief(_services(), job_id)
    return {
        "workspace_id": job.workspace_id,
        "persona": persona.model_dump(mode="json") if persona else None,
        "topic": topic,
        "platform": job.platform,
        "total": job.total_posts,
        "images": job.generate_images,
    }


async def _close(engine: GenerationEngine) -> None:
    close = getattr(engine, "aclose", None)
    if close is not None:
        await close()


@DBOS.step(name="postwright.bulk_plan_window")
async def _plan_window(job_id: str) -> dict[str, Any]:
    """The posts to write now (every pending one the balance covers), none when all are
    written, or the job's end: paused for credits, cancelled, failed."""
    services = _services()
    async with services.db.transaction() as session:
        job = await _locked_job(session, job_id)
        if state(job) is not JobState.RUNNING:
            return {"outcome": str(job.status)}
        pending = list(
            await session.scalars(
                select(BulkJobItem.position)
                .where(BulkJobItem.job_id == job_id, BulkJobItem.status == ItemStatus.PENDING)
                .order_by(BulkJobItem.position)
            )
        )
        if not pending:
            return {"outcome": None, "positions": []}
        window = services.settings.jobs.bulk_window
        extra = extra_per_post(services.settings, job)
        if extra:
            available = (await credit_summary(session, kernel.acting(job, services))).available
            window = min(window, available // extra)
            if window == 0:
                job.status = spelled(JobState.PAUSED)
                job.updated_at = services.clock.now()
                await emit_job_event(session, job)
                return {"outcome": str(job.status)}
        return {"outcome": None, "positions": pending[:window]}


@DBOS.step(name="postwright.bulk_too_similar")
async def _too_similar(job_id: str) -> list[int]:
    """Positions of the posts to rewrite: each later post of a pair above the threshold."""
    services = _services()
    written = await _written_posts(services, job_id)
    positions = [position for position, _ in written]
    marked = planning.too_similar(
        [content for _, content in written], services.settings.jobs.bulk_similarity_threshold
    )
    return [positions[index] for index in marked]


async def _written_posts(services: Services, job_id: str) -> list[tuple[int, str]]:
    async with services.db.transaction() as session:
        rows = await session.execute(
            select(BulkJobItem.position, Post.content)
            .join(Post, Post.id == BulkJobItem.post_id)
            .where(BulkJobItem.job_id == job_id, BulkJobItem.status == ItemStatus.COMPLETED)
            .order_by(BulkJobItem.position)
        )
        return [(int(position), str(content)) for position, content in rows]


@DBOS.step(name="postwright.bulk_finish")
async def _finish_step(job_id: str) -> str:
    """Completed — or failed when no post could be written; what is left reserved goes back.
    Every post is written by now, so a job paused since has nothing left to wait for and
    completes too; a job already ended (cancelled) is left as it is."""

    async def outcome(ctx: Ctx, job: BulkJob) -> JobState:
        session, acting = ctx.session, ctx.actor
        all_failed = job.completed_posts == 0 and job.failed_posts > 0
        if all_failed:
            job.error = "No post could be generated"
        ended = JobState.FAILED if all_failed else JobState.COMPLETED
        await _ended(session, job, acting, ended)
        return ended

    return await kernel.finish(BULK_JOBS, job_id, outcome)


async def _ended(session: AsyncSession, job: BulkJob, acting: Acting, ended: JobState) -> None:
    """The job's last writes, in the transaction that ends it: its credits, event, watchers."""
    job.status = spelled(ended)
    await kernel.release(session, acting, job)
    await emit_job_event(session, job)
    progress.changed(session, job.id)


@DBOS.step(name="postwright.bulk_fail")
async def _fail_job(job_id: str, reason: str) -> None:
    async def outcome(ctx: Ctx, job: BulkJob) -> JobState:
        session, acting = ctx.session, ctx.actor
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
        job.error = reason
        await _ended(session, job, acting, JobState.FAILED)
        return JobState.FAILED

    await kernel.finish(BULK_JOBS, job_id, outcome)


@DBOS.workflow(name="postwright.bulk_item")
async def bulk_item(job_id: str, position: int, brief: dict[str, Any]) -> dict[str, Any]:
    return await _generate_item(job_id, position, brief)


async def _write(
    services: Services, task: PostTask, angle: planning.Angle | None, *, attempt: int = 0
) -> GenerationResult[PostText]:
    """One post from its angle: the model, or the builtin writer when no model is set up."""
    engine = engine_for(services.settings)
    try:
        if engine.provider == BUILTIN and angle is not None:
            return engine.finish(task, planning.builtin_post(task, angle, attempt=attempt))
        return await engine.run(task)
    finally:
        await _close(engine)


@DBOS.step(name="postwright.bulk_generate_item")
async def _generate_item(job_id: str, position: int, brief: dict[str, Any]) -> dict[str, Any]:
    """One post's model call (and image), nothing written: its recorded output is what the
    parent keeps (``_keep_items``). The item's place on the LLM queue — a share of the
    provider's concurrency — is held only as long as the call runs."""
    services = _services()
    planned = planning.Angle.model_validate(brief["angle"]) if brief.get("angle") else None
    # Checked right before the call: once a job is cancelled, no new model call starts.
    if not await _still_pending(services, job_id, position):
        return {"position": position, "outcome": "skipped"}
    task = _task_from(brief, position, planned)
    try:
        result = await _write(services, task, planned)
    except AppError as exc:
        return {"position": position, "outcome": "failed", "reason": exc.message}
    except Exception as exc:
        logger.error("bulk_item.error", job_id=job_id, position=position, exc_info=exc)
        return {
            "position": position,
            "outcome": "failed",
            "reason": "Generation failed unexpectedly",
        }
    image = (
        await _item_image(services, job_id, position, result.output.content)
        if brief.get("images")
        else None
    )
    return {
        "position": position,
        "outcome": "written",
        "result": result.model_dump(mode="json"),
        "image": dataclasses.asdict(image) if image is not None else None,
    }


# Child workflows that are still out (not yet finished, cancelled or failed).
_OUT = ("PENDING", "ENQUEUED", "DELAYED")


@DBOS.step(name="postwright.bulk_keep_items")
async def _keep_items(job_id: str, child_ids: list[str]) -> list[str]:
    """Wait for the children and keep each one's post as it comes in: every child that
    finished since the last look, in one transaction (``group_commit.commit_all``).

    A step, so one recorded output for the whole fan-out; re-run after a crash it finds every
    child's recorded call and writes again, and a write finds its item no longer pending and
    changes nothing: every post exists once. A child that ended without a result (an engine
    error) fails the job, as before, once the others are kept."""
    services = _services()
    kept: dict[str, str] = {}
    errors: list[BaseException] = []
    while len(kept) < len(child_ids):
        out = [child_id for child_id in child_ids if child_id not in kept]
        statuses = await DBOS.list_workflows_async(
            workflow_ids=out, load_input=False, load_output=False
        )
        done = [status.workflow_id for status in statuses if status.status not in _OUT]
        if not done:
            await asyncio.sleep(jobs.FAST_POLL_SECONDS)
            continue
        finished = await DBOS.list_workflows_async(workflow_ids=done, load_input=False)
        outputs: list[tuple[str, dict[str, Any]]] = []
        for status in finished:
            if status.status == "SUCCESS":
                outputs.append((status.workflow_id, cast(dict[str, Any], status.output)))
            else:
                kept[status.workflow_id] = status.status.lower()
                errors.append(
                    status.error
                    or RuntimeError(f"child workflow {status.workflow_id} ended {status.status}")
                )
        outputs.sort(key=lambda pair: int(pair[1]["position"]))
        results = await _keep_outputs(services, job_id, [output for _, output in outputs])
        for (child_id, _), result in zip(outputs, results, strict=True):
            kept[child_id] = result
    if errors:
        raise errors[0]
    return [kept[child_id] for child_id in child_ids]


@dataclasses.dataclass
class _Batch:
    """The items kept in one transaction: the locked job, their rows, and what they cost,
    settled together (``kernel.settle_items``) before the transaction commits."""

    job: BulkJob
    items: dict[int, BulkJobItem]
    charges: list[kernel.ItemCharge] = dataclasses.field(default_factory=list)

    async def settle(self, session: AsyncSession, services: Services) -> None:
        charges, self.charges = self.charges, []
        await kernel.settle_items(session, kernel.acting(self.job, services), self.job, charges)


async def _keep_outputs(
    services: Services, job_id: str, outputs: list[dict[str, Any]]
) -> list[str]:
    """Keep (or fail) the items of these children's outputs, in one transaction; a write that
    cannot commit with the others is tried alone (group commit)."""
    written = [output for output in outputs if output["outcome"] != "skipped"]
    if not written:
        return ["skipped"] * len(outputs)
    positions = [int(output["position"]) for output in written]

    async def prepare(session: AsyncSession) -> _Batch:
        job = await _locked_job(session, job_id)
        items = await session.scalars(
            select(BulkJobItem).where(
                BulkJobItem.job_id == job_id, BulkJobItem.position.in_(positions)
            )
        )
        return _Batch(job, {item.position: item for item in items})

    async def settle(session: AsyncSession, batch: _Batch) -> None:
        await batch.settle(session, services)

    results = await group_commit.commit_all(
        services.db,
        prepare,
        [_item_write(services, output) for output in written],
        finish=settle,
    )
    by_position: dict[int, str] = {}
    for position, result in zip(positions, results, strict=True):
        if isinstance(result, InsufficientCredits):
            # The extra charge no longer fits: the post stays pending and the job pauses.
            by_position[position] = "needs_credits"
        elif isinstance(result, Exception):
            raise result
        else:
            by_position[position] = result
    return [by_position.get(int(output["position"]), "skipped") for output in outputs]


def _item_write(services: Services, output: dict[str, Any]) -> group_commit.Write[_Batch]:
    position = int(output["position"])

    async def write(session: AsyncSession, batch: _Batch) -> str:
        item = batch.items[position]
        if output["outcome"] == "failed":
            return _fail_item(session, services, batch, item, str(output["reason"]))
        result = GenerationResult[PostText].model_validate(output["result"])
        image = media.StoredImage(**output["image"]) if output.get("image") else None
        return await _complete_item(session, services, batch, item, result, image)

    return write


async def _still_pending(services: Services, job_id: str, position: int) -> bool:
    """The job is running and this item not yet written: one read, no write lock."""
    async with services.db.read_transaction() as session:
        row = (
            await session.execute(
                select(BulkJob.status, BulkJobItem.status)
                .join(BulkJobItem, BulkJobItem.job_id == BulkJob.id)
                .where(BulkJob.id == job_id, BulkJobItem.position == position)
            )
        ).first()
    running = BULK_JOBS.spell(JobState.RUNNING)
    return row is not None and row[0] == running and row[1] == ItemStatus.PENDING


def _task_from(brief: dict[str, Any], position: int, angle: planning.Angle | None) -> PostTask:
    persona = brief.get("persona")
    return PostTask(
        persona=PersonaProfile.model_validate(persona) if persona else None,
        cache_scope=brief.get("workspace_id"),
        topic=brief["topic"],
        platform=brief["platform"],
        batch_index=position,
        batch_size=brief["total"],
        angle=angle.render() if angle else None,
    )


@DBOS.workflow(name="postwright.bulk_rewrite")
async def bulk_rewrite(job_id: str, position: int, angle: dict[str, str] | None) -> str:
    return await _rewrite_item(job_id, position, angle)


@DBOS.step(name="postwright.bulk_rewrite_item")
async def _rewrite_item(job_id: str, position: int, angle: dict[str, str] | None) -> str:
    """Write the post at ``position`` again, told to differ from the post it is closest to.
    Free: the item was charged once when it was first written."""
    services = _services()
    planned = planning.Angle.model_validate(angle) if angle else None
    written = dict(await _written_posts(services, job_id))
    mine = written.get(position)
    if mine is None:
        return "skipped"
    others = [content for other, content in written.items() if other != position]
    closest = max(others, key=lambda other: planning.jaccard(mine, other), default="")
    task = await _task_for_rewrite(services, job_id, position, planned, closest)
    if task is None:
        return "skipped"
    try:
        result = await _write(services, task, planned, attempt=1)
    except AppError as exc:
        logger.warning("bulk_rewrite.failed", job_id=job_id, position=position, error=exc.message)
        return "kept"
    async with services.db.transaction() as session:
        job = await _locked_job(session, job_id)
        item = await session.scalar(
            select(BulkJobItem).where(
                BulkJobItem.job_id == job_id, BulkJobItem.position == position
            )
        )
        post = await session.get(Post, item.post_id) if item and item.post_id else None
        if post is None or state(job) is not JobState.RUNNING or post.attributes.get("rewritten"):
            return "discarded"
        post.content = result.output.content
        post.attributes = {**post.attributes, "rewritten": True, "truncated": result.truncated}
        post.updated_at = services.clock.now()
        record_usage(session, kernel.acting(job, services), result, kind="bulk-rewrite", credits=0)
        return "rewritten"


async def _task_for_rewrite(
    services: Services,
    job_id: str,
    position: int,
    angle: planning.Angle | None,
    closest: str,
) -> PostTask | None:
    job, persona, topic = await _job_brief(services, job_id)
    if state(job) is not JobState.RUNNING:
        return None
    rendered = angle.render() if angle else ""
    return PostTask(
        persona=persona,
        topic=topic,
        platform=job.platform,
        batch_index=position,
        batch_size=job.total_posts,
        previous_posts_in_batch=[closest] if closest else [],
        angle=f"{rendered}\n{planning.DIFFER_INSTRUCTION}".strip(),
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
    session: AsyncSession,
    services: Services,
    batch: _Batch,
    item: BulkJobItem,
    result: GenerationResult[PostText],
    image: media.StoredImage | None = None,
) -> str:
    """Keep the post and charge its credits (the job row locked, in the batch's transaction)."""
    job = batch.job
    if item.status != ItemStatus.PENDING or state(job) not in _KEEPS_POSTS:
        return "discarded"
    position = item.position
    acting = kernel.acting(job, services)
    cost = cost_per_post(services.settings, job.generate_images and image is not None)
    from_reservation = min(cost, job.credits_per_post)
    extra = cost - from_reservation
    if extra:
        # What the batch settled so far is given back first: the extra charge sees the
        # balance it would have seen had every item been settled on its own.
        await batch.settle(session, services)
        await charge_credits(
            session,
            acting,
            "bulk item beyond reservation",
            amount=extra,
            related_id=job.id,
            reference=f"{job.id}:{position}:extra",
        )
    batch.charges.append(
        kernel.ItemCharge(
            str(position),
            consumed=from_reservation,
            refunded=job.credits_per_post - from_reservation,
        )
    )
    now = services.clock.now()
    post = post_service.add_post(
        session,
        acting,
        post_service.PostDraft(
            content=result.output.content,
            platform=job.platform,
            persona_id=job.persona_id,
            scheduled_on=item.scheduled_for,
            publish_account_id=job.account_id,
            job_id=job.id,
            attributes={"truncated": result.truncated, "provider": result.provider},
        ),
        source=PostSource.BULK,
        now=now,
    )
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
    progress.changed(session, job.id)
    return "completed"


def _fail_item(
    session: AsyncSession, services: Services, batch: _Batch, item: BulkJobItem, reason: str
) -> str:
    """The model failed this item: it is refunded (the job row locked, in the batch's
    transaction)."""
    job = batch.job
    if item.status != ItemStatus.PENDING or state(job) is not JobState.RUNNING:
        return "discarded"
    batch.charges.append(
        kernel.ItemCharge(str(item.position), consumed=0, refunded=job.credits_per_post)
    )
    item.status = ItemStatus.FAILED
    item.error = reason
    item.completed_at = services.clock.now()
    job.failed_posts += 1
    progress.changed(session, job.id)
    return "failed"


async def recover_orphans() -> int:
    """Start the workflow of every job left queued or running without one (a crash between
    commit and enqueue). Workflow ids are deterministic, so a live run is simply re-attached."""
    services = _services()
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(BulkJob).where(
                BulkJob.status.in_(
                    [BULK_JOBS.spell(JobState.QUEUED), BULK_JOBS.spell(JobState.RUNNING)]
                )
            )
        )
        targets = [(job.id, job.workflow_id) for job in rows]
    for job_id, workflow_id in targets:
        await start_run(job_id, workflow_id)
    return len(targets)
